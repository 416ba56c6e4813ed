"""Write ``docs/api.md``: every method of the client, grouped by resource, on one page.

    python scripts/api_overview.py            # rewrite docs/api.md
    python scripts/api_overview.py --check    # fail if it is stale

The page is read off the real surface (the resource classes reached from ``AsyncSume``, their
signatures, the first line of each docstring, the endpoints their bodies call and the schema's
paths), so it cannot drift: ``tests/docs/test_api_overview.py`` runs ``--check``.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import re
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "api.md"
SCHEMA = ROOT / "openapi" / "openapi.json"

HEADER = """\
# API overview

Every method of `AsyncSume`, grouped by resource: what it takes, what it returns and the endpoint
it calls. Each one is documented in full in the [reference](reference/resources.md). Methods that
send a request also take `**options` (`extra_headers`, `extra_query`, `timeout`: see
`RequestOptions`); creates take `idempotency_key=`. Every error is a `SumeError`.

<!-- Written by scripts/api_overview.py from the code: do not edit by hand. -->
"""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def endpoints() -> dict[str, str]:
    """Generated endpoint module name -> ``"POST /images/generations"``, from the schema."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[_snake(operation["operationId"])] = f"{method.upper()} {path}"
    return found


def resources() -> Iterator[tuple[str, type]]:
    """``("sume.images", Images)``, ... in the client's order (nested areas: ``sume.ads.videos``)."""
    from sume_async import AsyncSume

    def walk(prefix: str, cls: type) -> Iterator[tuple[str, type]]:
        for name, value in vars(cls).items():
            if name.startswith("_") or not isinstance(value, functools.cached_property | property):
                continue
            getter = value.func if isinstance(value, functools.cached_property) else value.fget
            if getter is None:
                continue
            hint = inspect.get_annotations(getter)
            yield from _resource(prefix + "." + name, hint.get("return"))

    def _resource(path: str, annotation: object) -> Iterator[tuple[str, type]]:
        if not isinstance(annotation, str):
            return
        for module in ("account", "assets", "avatars", "brand", "generation", "jobs", "uploads"):
            mod = __import__(f"sume_async.resources.{module}", fromlist=[annotation])
            found = getattr(mod, annotation, None)
            if isinstance(found, type) and found.__module__ == mod.__name__:
                yield path, found
                for attribute in _nested(found):
                    yield f"{path}.{attribute[0]}", attribute[1]
                return

    yield from walk("sume", AsyncSume)


def _nested(cls: type) -> list[tuple[str, type]]:
    """Areas a resource holds as attributes set in ``__init__`` (``Ads.videos``)."""
    source = inspect.getsource(cls.__init__)  # type: ignore[misc]
    module = sys.modules[cls.__module__]
    return [
        (name, getattr(module, class_name))
        for name, class_name in re.findall(r"self\.(\w+)(?:: \w+)? = (\w+)\(", source)
        if not name.startswith("_") and isinstance(getattr(module, class_name, None), type)
    ]


def methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name, value in vars(cls).items():
        if not name.startswith("_") and inspect.isfunction(value):
            yield name, value


def signature(function: Callable[..., Any]) -> str:
    parts: list[str] = []
    star = False
    for param in list(inspect.signature(function).parameters.values())[1:]:
        if param.kind is param.VAR_KEYWORD:
            if param.name != "options":
                parts.append(f"**{param.name}")
            continue
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        parts.append(param.name if param.default is param.empty else f"{param.name}=...")
    return ", ".join(parts)


def returns(function: Callable[..., Any]) -> str:
    """The return type with short names (``AsyncPager[Brand]``, not a module path or an import alias)."""
    hint = typing.get_type_hints(function).get("return")
    text = "None" if hint is None or hint is type(None) else (hint.__name__ if isinstance(hint, type) else str(hint))
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)


def render() -> str:
    calls = endpoints()
    out = [HEADER]
    for path, cls in resources():
        rows = list(methods(cls))
        if not rows:
            continue
        out.append(f"## `{path}`\n")
        summary = (inspect.getdoc(cls) or "").split("\n")[0]
        if summary:
            out.append(f"{summary}\n")
        for name, function in rows:
            used = [calls[m] for m in re.findall(r"(\w+)\.asyncio_detailed", inspect.getsource(function)) if m in calls]
            what = (inspect.getdoc(function) or "").split("\n")[0]
            endpoint = f" ({', '.join(f'`{e}`' for e in dict.fromkeys(used))})" if used else ""
            out.append(f"- `{path}.{name}({signature(function)}) -> {returns(function)}`{endpoint}: {what}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/api.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("docs/api.md is stale: run python scripts/api_overview.py", file=sys.stderr)
            return 1
        print("docs/api.md matches the code.")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
