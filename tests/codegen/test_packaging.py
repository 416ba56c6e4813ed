"""The wheel: both packages, their PEP 561 markers, and the runtime metadata.

Built offline with ``--no-isolation``: hatchling must be installed in the environment.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated" / "_generated"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    if importlib.util.find_spec("hatchling") is None:
        pytest.fail("hatchling is not installed: it must be in the `dev` extra for an offline wheel build")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("*.whl")
    assert built.name.startswith("sume_async-")
    return zipfile.ZipFile(built)


def test_wheel_holds_both_packages_and_their_markers(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for required in (
        "sume_async/__init__.py",
        "sume_async/py.typed",
        "sume_async/openapi.json",  # the snapshot `sume-async schema check` compares with
        "sume_async/_generated/__init__.py",
        "sume_async/_generated/py.typed",
        "sume_async/_generated/client.py",
        "sume_async/_generated/api/jobs/get_job.py",
        "sume_async/_generated/models/job.py",
    ):
        assert required in names, required
    # The generated package is top-level, complete, and nothing else of the repo leaks in.
    generated = {
        f"sume_async/_generated/{p.relative_to(GENERATED).as_posix()}"
        for p in GENERATED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert generated <= names
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"sume_async", wheel_dist_info(wheel)}
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_wheel_ships_the_schema_snapshot_unchanged(wheel: zipfile.ZipFile) -> None:
    """``sume-async schema check`` compares with the very schema the client was generated from."""
    assert wheel.read("sume_async/openapi.json") == (ROOT / "openapi" / "openapi.json").read_bytes()


def wheel_dist_info(wheel: zipfile.ZipFile) -> str:
    (dist_info,) = {n.split("/", 1)[0] for n in wheel.namelist() if n.split("/", 1)[0].endswith(".dist-info")}
    return dist_info


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    metadata = Parser().parsestr(wheel.read(f"{wheel_dist_info(wheel)}/METADATA").decode("utf-8"))
    assert metadata["Name"] == "sume-async"
    assert metadata["Requires-Python"] == ">=3.11"
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    runtime = {r.name for r in requirements if r.marker is None}
    assert runtime == {"httpx", "attrs", "anyio"}
    httpx = next(r for r in requirements if r.name == "httpx")
    assert not httpx.specifier.contains("0.29")  # the generated client supports httpx < 0.29
    assert "testing" in (metadata.get_all("Provides-Extra") or [])
