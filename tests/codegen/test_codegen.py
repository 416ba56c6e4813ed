"""The generated low-level client: complete, deterministic, current, tolerant and typed."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
GENERATED = ROOT / "generated" / "_generated"
sys.path.insert(0, str(ROOT / "scripts"))
import generate  # noqa: E402

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def snapshot_operations() -> dict[str, str]:
    """operationId -> first tag, from the snapshot (test_schema_snapshot pins it to the contract)."""
    doc = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return {
        op["operationId"]: op["tags"][0]
        for item in doc["paths"].values()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The generator run twice, each into its own fresh target."""
    first = tmp_path_factory.mktemp("gen-a") / "_generated"
    second = tmp_path_factory.mktemp("gen-b") / "_generated"
    for target in (first, second):
        assert generate.main(["--target", str(target)]) == 0
    return first, second


def test_every_operation_has_an_async_module() -> None:
    ops = snapshot_operations()
    assert len(ops) == 18
    expected = {f"{snake(tag)}/{snake(op_id)}.py" for op_id, tag in ops.items()}
    api = GENERATED / "api"
    present = {p.relative_to(api).as_posix() for p in api.glob("*/*.py") if p.name != "__init__.py"}
    assert present == expected  # nothing missing, nothing stale
    for op_id, tag in ops.items():
        module = importlib.import_module(f"sume_async._generated.api.{snake(tag)}.{snake(op_id)}")
        assert Path(module.__file__ or "").resolve().is_relative_to(GENERATED.resolve()), module.__file__
        for name in ("asyncio_detailed", "asyncio"):
            function = getattr(module, name, None)
            assert inspect.iscoroutinefunction(function), f"{op_id}.{name}"


def test_generation_is_deterministic(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    a, b = tree(first), tree(second)
    assert len(a) > 50
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert "py.typed" in a


def test_generated_matches_the_snapshot(two_runs: tuple[Path, Path]) -> None:
    fresh = tree(two_runs[0])
    committed = tree(GENERATED)
    assert sorted(committed) == sorted(fresh), "run `make generate`"
    assert [name for name in fresh if fresh[name] != committed[name]] == [], "run `make generate`"
    assert generate.main(["--check"]) == 0


def test_check_reports_a_stale_tree(two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    stale = tmp_path / "_generated"
    shutil.copytree(two_runs[0], stale)
    (stale / "models" / "job.py").write_text("# edited by hand\n", encoding="utf-8")
    (stale / "models" / "extra.py").write_text("", encoding="utf-8")
    assert generate.main(["--check", "--target", str(stale)]) == 1
    assert generate.diff_trees(two_runs[0], stale) == ["models/extra.py", "models/job.py"]


@pytest.mark.parametrize("model", ["Job", "JobWithResult"])
def test_unknown_status_and_type_parse_and_round_trip(model: str) -> None:
    from sume_async._generated import models

    cls: Any = getattr(models, model)
    data = {
        "id": "job_123",
        "status": "on_hold",
        "type": "hologram_generation",
        "object": "job",
        "created_at": "2025-01-02T03:04:05+00:00",
        "brand_new_field": {"kept": True},
    }
    job = cls.from_dict(data)
    assert isinstance(job.status, models.JobStatus)
    assert job.status == "on_hold" and str(job.status) == "on_hold" and job.status.value == "on_hold"
    assert isinstance(job.type_, models.JobType)
    assert job.type_ == "hologram_generation"
    assert job.to_dict() == data
    assert cls.from_dict(job.to_dict()).to_dict() == data


def test_known_values_are_still_members() -> None:
    from sume_async._generated.models import Job, JobStatus, JobType

    job = Job.from_dict({"id": "job_1", "status": "completed", "type": "image_generation"})
    assert job.status is JobStatus.COMPLETED
    assert job.type_ is JobType.IMAGE_GENERATION
    with pytest.raises(ValueError):
        JobStatus(42)  # not a string: still rejected


def test_generated_package_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "generated/_generated",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
