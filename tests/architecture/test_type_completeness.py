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
