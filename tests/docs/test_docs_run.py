"""Every Python block of the README and of the guides in ``docs/`` runs as pasted against the mock server.

A whole program (the quick start) runs in a subprocess with ``SUME_API_KEY`` and
``SUME_API_BASE_URL`` pointing at a mock on loopback. A fragment runs as the body of an
``async def`` given the names the README's fragments share (see ``test_docs_typecheck``):
``sume`` (a client matched to the mock), ``job_id``/``job`` (a completed image job),
``jobs`` (two image jobs) and ``upload`` (a Face Swap source upload), in a folder holding
the files the examples name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mock_fixtures import served_mock
from readme_blocks import Block, all_python_blocks, is_fragment, where

from sume_async.testing import DEFAULT_API_KEY, MockSume, client_for

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = all_python_blocks()
FRAGMENTS = [b for b in BLOCKS if is_fragment(b.code)]
PROGRAMS = [b for b in BLOCKS if not is_fragment(b.code)]
SPEED = 1000.0


def block_id(block: Block) -> str:
    return where(block)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("clip.mp4", "launch.mp4"):
        (tmp_path / name).write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2048))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def mock_url() -> Iterator[str]:
    with served_mock(SPEED) as server:
        yield server.base_url


def test_the_readme_has_blocks_of_both_kinds() -> None:
    assert len(FRAGMENTS) >= 10 and PROGRAMS


@pytest.mark.parametrize("block", PROGRAMS, ids=block_id)
def test_readme_program_runs_as_pasted(block: Block, workdir: Path, mock_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
    env.update(SUME_API_KEY=DEFAULT_API_KEY, SUME_API_BASE_URL=mock_url)
    done = subprocess.run(
        [sys.executable, "-c", block.code], cwd=workdir, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"{block_id(block)} failed:\n{done.stderr[-3000:]}"


@pytest.mark.anyio
@pytest.mark.parametrize("block", FRAGMENTS, ids=block_id)
async def test_readme_fragment_runs_as_pasted(block: Block, workdir: Path) -> None:
    mock = MockSume(speed=SPEED)
    try:
        async with client_for(mock) as sume:
            created = [await sume.images.generate(prompt=f"A mug, take {i}") for i in range(2)]
            job = await sume.jobs.wait(created[0], timeout=60)
            upload = await sume.uploads.upload(
                b"\x00" * 4096, purpose="face_swap_source_video", filename="source.mp4", content_type="video/mp4"
            )
            source = "from sume_async import *\n\n\nasync def _example(sume, job_id, job, jobs, upload):\n"
            source += textwrap.indent(block.code, "    ") + "\n"
            namespace: dict[str, Any] = {}
            exec(compile(source, block_id(block), "exec"), namespace)
            await namespace["_example"](sume, job.id, job, created, upload)
    finally:
        mock.close()
