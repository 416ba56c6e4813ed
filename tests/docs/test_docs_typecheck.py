"""The Python blocks of the README and of ``docs/``, and every file of ``examples/``, pass ``mypy --strict``.

One mypy run over a scratch folder holding each block as a module, so the documentation
cannot drift from the types. A block that is a whole program (the quick start) is checked as
it is. A fragment (``await`` at top level, as in most of the README) is checked as the body of
an ``async def`` that sees everything ``sume_async`` exports and the names of
:data:`FRAGMENT_CONTEXT`, which README fragments may use without defining them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from readme_blocks import all_python_blocks, is_fragment, python_blocks, where

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

#: What a README fragment may use without defining it (the README's running example).
FRAGMENT_CONTEXT = """\
from sume_async import *  # noqa: F403
from sume_async import AsyncSume, Job, UploadedFile

sume: AsyncSume
job_id: str
job: Job
jobs: list[Job]
upload: UploadedFile


async def _example() -> None:
"""
_CONTEXT_LINES = FRAGMENT_CONTEXT.count("\n")


def as_module(code: str) -> str:
    return FRAGMENT_CONTEXT + textwrap.indent(code, "    ") if is_fragment(code) else code


def test_the_readme_has_whole_programs_and_fragments() -> None:
    blocks = python_blocks(README)
    assert len(blocks) >= 3
    assert any(not is_fragment(b.code) for b in blocks)  # the quick start is a whole program
    assert any(is_fragment(b.code) for b in blocks)
    assert len(all_python_blocks()) >= 15  # the guides' blocks are checked too
    for block in all_python_blocks():
        compile(as_module(block.code), where(block), "exec", dont_inherit=True)


def scratch_folder(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, int]]]:
    """Every doc block as a module, and every example, in one folder; module file -> (doc file, first line)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    readme_offsets: dict[str, tuple[str, int]] = {}  # module file -> (doc file, line of its first line)
    for block in all_python_blocks():
        doc, _ = where(block).rsplit(":", 1)
        name = f"doc_{doc.replace('/', '_').replace('.', '_').replace('-', '_')}_line_{block.line}.py"
        (folder / name).write_text(as_module(block.code), encoding="utf-8")
        readme_offsets[name] = (doc, block.line - (_CONTEXT_LINES if is_fragment(block.code) else 0))
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert examples
    for path in examples:
        shutil.copyfile(path, folder / path.name)
    return folder, readme_offsets


def locations(report: str, readme_offsets: dict[str, tuple[str, int]]) -> str:
    """``report`` pointing at README.md:<line>, docs/<page>:<line> and examples/<file>:<line>."""

    def locate(match: re.Match[str]) -> str:
        name, line = Path(match.group(1)).name, int(match.group(2))
        if name in readme_offsets:
            doc, first = readme_offsets[name]
            return f"{doc}:{first + line - 1}:"
        return f"examples/{name}:{line}:"

    return re.sub(r"^\s*(\S+\.py):(\d+):", locate, report, flags=re.MULTILINE)


def test_readme_blocks_and_examples_pass_mypy_strict(tmp_path: Path) -> None:
    folder, readme_offsets = scratch_folder(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--explicit-package-bases", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = locations(result.stdout + result.stderr, readme_offsets)
    assert result.returncode == 0, report


#: pyright's strict mode, less what only a documentation snippet does on purpose: bind a value to
#: show what a call returns (``me = await sume.account.me()``), and the harness's star import and
#: unused wrapper function around a fragment.
PYRIGHT_CONFIG = {
    "typeCheckingMode": "strict",
    "pythonVersion": "3.11",
    "reportUnusedVariable": "none",
    "reportUnusedFunction": "none",
    "reportWildcardImportFromLibrary": "none",
}


def test_readme_blocks_and_examples_pass_pyright_strict(tmp_path: Path) -> None:
    folder, readme_offsets = scratch_folder(tmp_path)
    (folder / "pyrightconfig.json").write_text(json.dumps(PYRIGHT_CONFIG), encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    exe = shutil.which("basedpyright", path=str(bin_dir)) or shutil.which("basedpyright")
    assert exe is not None, "basedpyright is missing: it is a dev dependency (make install)"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [exe, "--project", str(folder / "pyrightconfig.json"), "--outputjson", str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    outcome = json.loads(result.stdout)
    problems = "\n".join(
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['severity']}: {d['message']}"
        for d in outcome["generalDiagnostics"]
    )
    assert outcome["summary"]["filesAnalyzed"] == len(list(folder.glob("*.py")))
    assert result.returncode == 0 and outcome["summary"]["errorCount"] == 0, locations(problems, readme_offsets)
