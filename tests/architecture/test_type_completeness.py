"""``pyright --verifytypes sume_async`` scores at least 95%: what an IDE user hovers over is typed.

The checker is basedpyright (PyPI; it bundles its own Node.js, so it runs from a fresh clone with
no download at first use). ``--ignoreexternal`` leaves out types that other packages leave partly
unknown (httpx's cookie types), which the SDK cannot fix; every symbol of ``sume_async`` counts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MIN_SCORE = 0.95


def verifytypes() -> dict[str, Any]:
    bin_dir = Path(sys.executable).parent
    exe = shutil.which("basedpyright", path=str(bin_dir)) or shutil.which("basedpyright")
    if exe is None:
        pytest.fail("basedpyright is missing: it is a dev dependency (make install)")
    # pyright finds the environment through the `python` on PATH: put this interpreter's first.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [exe, "--verifytypes", "sume_async", "--ignoreexternal", "--outputjson"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"basedpyright gave no report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return report


def test_verifytypes_score_is_at_least_95_percent() -> None:
    report = verifytypes()
    completeness = report["typeCompleteness"]
    assert completeness["exportedSymbolCounts"]["withKnownType"] > 100, "the package was not found"
    problems = [
        f"{symbol['name']}: {diag['message']}"
        for symbol in completeness["symbols"]
        if not symbol["isTypeKnown"] and symbol["isExported"]
        for diag in symbol.get("diagnostics", [])
    ]
    score = completeness["completenessScore"]
    assert score >= MIN_SCORE, f"type completeness {score:.1%} < {MIN_SCORE:.0%}:\n" + "\n".join(problems)


#: SDK types still private in public signatures, each with the change that makes it public (none).
PENDING: frozenset[str] = frozenset()


def _leaves(annotation: object, found: set[object]) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return
    if origin is not None:
        if origin not in (typing.Union, types.UnionType, typing.Annotated):
            found.add(origin)
        for arg in typing.get_args(annotation):
            _leaves(arg, found)
    elif isinstance(annotation, list | tuple):
        for arg in annotation:
            _leaves(arg, found)
    elif annotation not in (None, type(None), Ellipsis) and not isinstance(annotation, typing.TypeVar):
        found.add(annotation)


def test_every_sdk_type_in_a_public_signature_is_importable_from_sume_async() -> None:
    """What a public method takes or returns can be named by its user: ``from sume_async import X``."""
    from public_api import constructed_by_users, documented_classes, public_methods

    import sume_async

    missing: dict[str, list[str]] = {}
    for cls in documented_classes():
        for name, function in public_methods(cls):
            if name == "__init__" and not constructed_by_users(cls):
                continue  # built by the SDK from its internals: not a signature users call
            found: set[object] = set()
            for hint in typing.get_type_hints(function).values():
                _leaves(hint, found)
            for kind in found:
                module = getattr(kind, "__module__", "")
                qualified = f"{module}.{getattr(kind, '__qualname__', kind)}"
                if not module.startswith(("sume_async", "sume_api_client")) or qualified in PENDING:
                    continue
                if getattr(sume_async, getattr(kind, "__name__", ""), None) is not kind:
                    missing.setdefault(qualified, []).append(f"{cls.__qualname__}.{name}")
    assert not missing, "not importable from sume_async: " + "; ".join(f"{k} (in {v})" for k, v in missing.items())
