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
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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
    # Post-step: PEP 561 marker, then deterministic formatting with the pinned ruff.
    (package_dir / "py.typed").write_text("")
    # Run from the parent: inside the package its ``types.py`` would shadow the stdlib.
    fix = ["check", "--fix-only", "--select", "F401,I,UP", "-q"]
    _run(sys.executable, "-m", "ruff", *fix, *RUFF_ARGS, PACKAGE, cwd=out_dir)
    _run(sys.executable, "-m", "ruff", "format", "-q", *RUFF_ARGS, PACKAGE, cwd=out_dir)
    for cache in package_dir.rglob("__pycache__"):
        shutil.rmtree(cache)
    return package_dir


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
