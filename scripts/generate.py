"""Rebuild the generated low-level client from the schema snapshot.

    python scripts/generate.py            # rewrite generated/_generated
    python scripts/generate.py --check    # fail, naming the files, if it is stale

The generator writes into a scratch folder; a scripted post-step then adds what
the raw output lacks (``py.typed``) and formats it with the pinned ruff in
isolated mode, so two runs on any machine give byte-identical trees. Nothing
under ``generated/`` is ever edited by hand: change ``openapi/`` or this file.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "openapi" / "openapi.json"
CONFIG = ROOT / "openapi" / "config.yaml"
TEMPLATES = ROOT / "openapi" / "templates"
#: The folder the generator writes; the wheel ships it as the private ``sume_async._generated``.
PACKAGE = "_generated"
TARGET = ROOT / "generated" / PACKAGE

RUFF_ARGS = ["--isolated", "--line-length", "120", "--target-version", "py311"]


def _run(*args: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"command failed: {' '.join(str(a) for a in args[:4])} ...")


def generate(schema: Path, out_dir: Path) -> Path:
    """Generate the package into ``out_dir`` and return the package folder."""
    package_dir = out_dir / PACKAGE
    _run(
        sys.executable, "-m", "openapi_python_client", "generate",
        "--path", schema,
        "--output-path", package_dir,
        "--meta", "none",
        "--overwrite",
        "--config", CONFIG,
        "--custom-template-path", TEMPLATES,
        "--fail-on-warning",
    )  # fmt: skip
    # Post-step: PEP 561 marker, the request rules, then deterministic formatting with the pinned ruff.
    (package_dir / "py.typed").write_text("")
    document = json.loads(schema.read_text(encoding="utf-8"))
    (package_dir / "rules.py").write_text(render_rules(document))
    (package_dir / "literals.py").write_text(render_literals(document))
    # Run from the parent: inside the package its ``types.py`` would shadow the stdlib.
    fix = ["check", "--fix-only", "--select", "F401,I,UP", "-q"]
    _run(sys.executable, "-m", "ruff", *fix, *RUFF_ARGS, PACKAGE, cwd=out_dir)
    _run(sys.executable, "-m", "ruff", "format", "-q", *RUFF_ARGS, PACKAGE, cwd=out_dir)
    for cache in package_dir.rglob("__pycache__"):
        shutil.rmtree(cache)
    return package_dir


RULE_KEYS = frozenset(
    {
        "type", "enum", "const", "format", "pattern", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "items",
        "properties", "required", "additionalProperties", "default", "description", "examples",
    }
)  # fmt: skip


def _target(document: dict[str, Any], node: dict[str, Any]) -> Any:
    """What a ``{"$ref": "#/..."}`` points at (``node`` itself when it is no reference)."""
    while "$ref" in node:
        target: Any = document
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """``node`` with every ``$ref`` inlined and only the keys that state a rule kept."""
    if isinstance(node, list):
        return [_resolve(document, item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _resolve(document, _target(document, node))
    kept = {key: value for key, value in node.items() if key in RULE_KEYS}
    for key in ("items", "additionalProperties"):
        if isinstance(kept.get(key), dict):
            kept[key] = _resolve(document, kept[key])
    if "properties" in kept:
        kept["properties"] = {name: _resolve(document, prop) for name, prop in sorted(kept["properties"].items())}
    return kept


def request_rules(document: dict[str, Any]) -> dict[str, Any]:
    """Per operationId: its parameters (by name) and its JSON body, as resolved JSON Schema."""
    rules: dict[str, Any] = {}
    for path, item in sorted(document.get("paths", {}).items()):
        for method, operation in sorted(item.items()):
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            parameters = {}
            for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
                parameter = _target(document, raw)
                parameters[parameter["name"]] = {
                    "in": parameter["in"],
                    "required": bool(parameter.get("required", False)),
                    "schema": _resolve(document, parameter.get("schema", {})),
                }
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            rules[operation["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "parameters": parameters,
                "body": None if body is None else _resolve(document, body),
            }
    return dict(sorted(rules.items()))


def render_rules(document: dict[str, Any]) -> str:
    """The ``rules`` module: the snapshot's request rules as one literal, read by the SDK and its front ends."""
    literal = json.dumps(request_rules(document), indent=1, sort_keys=True, ensure_ascii=True)
    literal = literal.replace(": true", ": True").replace(": false", ": False").replace(": null", ": None")
    return (
        '"""Every rule the snapshot states about a request, as JSON Schema: per operationId, its\n'
        "parameters and its JSON body (``$ref`` inlined). Generated from ``openapi/openapi.json`` by\n"
        '``scripts/generate.py``; the SDK\'s checks, the mock, the CLI and the MCP tools all read it."""\n\n'
        "from typing import Any\n\n"
        f"OPERATIONS: dict[str, dict[str, Any]] = {literal}\n"
    )


def render_literals(document: dict[str, Any]) -> str:
    """``Literal`` aliases of the schema's string enums, so a typo in an allowed value fails type checking."""
    lines = [
        '"""The allowed values of each string enum of the schema, as ``Literal`` types (generated)."""',
        "",
        "from typing import Literal",
        "",
    ]
    names = []
    enums = {name: c for name, c in document.get("components", {}).get("schemas", {}).items()}
    known = [component.get("enum") for component in enums.values() if component.get("enum")]
    for operation_id, rule in request_rules(document).items():
        for parameter, spec in rule["parameters"].items():
            if "enum" in spec["schema"] and spec["schema"]["enum"] not in known:
                # Named as the generator names the enum class of an inline parameter enum.
                pascal = "".join(part[:1].upper() + part[1:] for part in parameter.split("_"))
                enums.setdefault(operation_id[:1].upper() + operation_id[1:] + pascal, spec["schema"])
    for name, component in sorted(enums.items()):
        values = component.get("enum") if component.get("type") == "string" else None
        if values:
            names.append(f"{name}Value")
            lines += ["", f"{name}Value = Literal[{', '.join(json.dumps(v) for v in values)}]"]
    lines += ["", f"__all__ = [{', '.join(json.dumps(n) for n in names)}]", ""]
    return "\n".join(lines)


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Relative paths of files that differ, are missing or are extra in ``actual``."""

    def files(root: Path) -> set[str]:
        if not root.exists():
            return set()
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    want, have = files(expected), files(actual)
    changed = sorted(want ^ have)
    for name in sorted(want & have):
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            changed.append(name)
    return sorted(changed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with generated/")
    parser.add_argument("--schema", type=Path, default=SCHEMA)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sume-gen-") as tmp:
        fresh = generate(args.schema, Path(tmp))
        if args.check:
            stale = diff_trees(fresh, args.target)
            if stale:
                print(f"{args.target} is out of date with {args.schema.name}; run `make generate`.")
                for name in stale:
                    print(f"  differs: {name}")
                return 1
            shown = args.target.relative_to(ROOT) if args.target.is_relative_to(ROOT) else args.target
            print(f"{shown} matches the snapshot.")
            return 0
        if args.target.exists():
            shutil.rmtree(args.target)
        args.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, args.target)
    print(f"generated {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
