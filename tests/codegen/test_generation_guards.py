"""Generation never silently replaces a module, and a schema update writes nothing unless generation succeeded.

Hostile documents: an operationId that normalises to an existing module (``get_job`` beside
``getJob``), a component whose ``title`` or override lands on another's module, a document that
cannot be generated at all, one with an escaped lone surrogate.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
sys.path.insert(0, str(ROOT / "scripts"))
import generate  # noqa: E402
import update_schema  # noqa: E402

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def snapshot() -> Doc:
    doc: Doc = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return doc


def _twin_of_get_job(doc: Doc) -> None:
    twin = copy.deepcopy(doc["paths"]["/jobs/{jobId}"]["get"])
    twin["operationId"] = "get_job"
    doc["paths"]["/jobs/{jobId}/status"] = {"get": twin}


def _twin_without_operation_id(doc: Doc) -> None:
    # Without an operationId the generator names it after the path: `get_jobs_job_id_status`, taken.
    twin = copy.deepcopy(doc["paths"]["/jobs/{jobId}"]["get"])
    twin["operationId"] = "getJobsJobIdStatus"
    doc["paths"]["/jobs/{jobId}/state"] = {"get": twin}
    alias = copy.deepcopy(twin)
    del alias["operationId"]
    doc["paths"]["/jobs/{jobId}/status"] = {"get": alias}


def _class_onto_overridden_module(doc: Doc) -> None:
    # JobError is generated as JobErrorInfo in job_error_info.py (openapi/config.yaml): a class
    # JobErrorINFO is another name, but its module would be the same file.
    schemas = doc["components"]["schemas"]
    schemas["Extra"] = {**copy.deepcopy(schemas["Account"]), "title": "JobErrorINFO"}
    doc["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Extra"
    }


def _title_onto_another_class(doc: Doc) -> None:
    schemas = doc["components"]["schemas"]
    schemas["Extra"] = {**copy.deepcopy(schemas["Account"]), "title": "job_error_info"}
    doc["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Extra"
    }


CLASHES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("operationId normalising to an existing one", _twin_of_get_job, "api/jobs/get_job.py"),
    ("operation without operationId", _twin_without_operation_id, "api/jobs/get_jobs_job_id_status.py"),
    ("class onto an overridden module", _class_onto_overridden_module, "models/job_error_info.py"),
    ("title onto another class", _title_onto_another_class, 'duplicate models with name "JobErrorInfo"'),
]


@pytest.mark.parametrize(("name", "edit", "module"), CLASHES, ids=[c[0] for c in CLASHES])
def test_a_module_name_used_twice_stops_generation(
    snapshot: Doc, tmp_path: Path, name: str, edit: Callable[[Doc], None], module: str
) -> None:
    doc = copy.deepcopy(snapshot)
    edit(doc)
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(doc), encoding="utf-8")
    target = tmp_path / "gen" / "sume_api_client"
    with pytest.raises(SystemExit) as info:
        generate.main(["--schema", str(schema), "--target", str(target)])
    assert "would be generated into one module" in str(info.value.code) or "cannot generate" in str(info.value.code)
    assert module in str(info.value.code)
    assert not target.exists()


def test_enum_values_that_name_one_member_stop_generation_with_a_message(snapshot: Doc, tmp_path: Path) -> None:
    doc = copy.deepcopy(snapshot)
    doc["components"]["schemas"]["UploadPurpose"]["enum"] += ["new_A", "new_a"]
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"cannot generate from openapi\.json: ValueError: Duplicate key NEW_A"):
        generate.plan_modules(schema)


def test_the_snapshot_plans_one_module_per_operation_and_model(snapshot: Doc) -> None:
    planned = generate.plan_modules(SNAPSHOT)
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    operations = sum(1 for item in snapshot["paths"].values() for method in item if method in methods)
    assert sum(1 for module in planned if module.startswith("api/")) == operations
    assert "models/job_error_info.py" in planned and "api/jobs/get_job.py" in planned


def test_a_tree_that_differs_from_the_plan_fails(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "api" / "jobs").mkdir(parents=True)
    (package / "models").mkdir()
    (package / "api" / "jobs" / "get_job.py").write_text("")
    generate.check_written({"api/jobs/get_job.py": "operation getJob"}, package)
    with pytest.raises(SystemExit, match=r"missing \['models/job\.py'\]"):
        generate.check_written({"api/jobs/get_job.py": "x", "models/job.py": "class Job"}, package)
    (package / "models" / "stray.py").write_text("")
    with pytest.raises(SystemExit, match=r"unexpected \['models/stray\.py'\]"):
        generate.check_written({"api/jobs/get_job.py": "x"}, package)


# --- update_schema.py: generate first, write last ------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A snapshot copy and a generated tree next to it (a stand-in the update must keep or replace)."""
    snapshot_copy = tmp_path / "openapi" / "openapi.json"
    snapshot_copy.parent.mkdir()
    snapshot_copy.write_bytes(SNAPSHOT.read_bytes())
    target = tmp_path / "gen" / "sume_api_client"
    target.mkdir(parents=True)
    (target / "marker.txt").write_text("the previous tree")
    return snapshot_copy, target


def test_failed_generation_writes_nothing_and_a_rerun_still_reports(
    snapshot: Doc, workspace: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot_copy, target = workspace
    new = copy.deepcopy(snapshot)
    _twin_of_get_job(new)
    source = tmp_path / "new.json"
    source.write_text(json.dumps(new), encoding="utf-8")
    before = snapshot_copy.read_bytes()
    argv = ["--from", str(source), "--snapshot", str(snapshot_copy), "--target", str(target), "--lenient"]

    assert update_schema.main(argv) == 1
    captured = capsys.readouterr()
    assert "generation failed" in captured.err and "api/jobs/get_job.py" in captured.err
    assert snapshot_copy.read_bytes() == before
    assert (target / "marker.txt").read_text() == "the previous tree"

    # The rerun sees the same change, and --fail-on-breaking still refuses it.
    assert update_schema.main(argv) == 1
    assert "operation added" in capsys.readouterr().out
    assert update_schema.main([*argv, "--fail-on-breaking"]) == 3
    assert snapshot_copy.read_bytes() == before


def test_successful_update_replaces_the_tree_then_writes_the_snapshot(
    snapshot: Doc, workspace: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot_copy, target = workspace
    new = copy.deepcopy(snapshot)
    new["components"]["schemas"]["UploadPurpose"]["enum"].append("brand_asset")
    source = tmp_path / "new.json"
    source.write_text(json.dumps(new), encoding="utf-8")
    argv = ["--from", str(source), "--snapshot", str(snapshot_copy), "--target", str(target)]
    assert update_schema.main(argv) == 0
    assert not (target / "marker.txt").exists()
    assert '"brand_asset"' in (target / "models" / "upload_purpose.py").read_text(encoding="utf-8")
    assert json.loads(snapshot_copy.read_text(encoding="utf-8")) == new
    out = capsys.readouterr().out
    assert out.index("generated") < out.index("wrote")
    assert not list(target.parent.glob(".sume_api_client.*")), "the staging folder is cleaned up"


@pytest.mark.parametrize(
    "where",
    [
        ("components", "schemas", "Job", "description"),
        ("paths", "/me", "get", "summary"),
        ("info", "title"),
    ],
)
def test_a_lone_surrogate_is_refused_cleanly(
    snapshot: Doc, workspace: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], where: tuple[str]
) -> None:
    snapshot_copy, _ = workspace
    new = copy.deepcopy(snapshot)
    node = new
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = "half a pair: \ud83d"
    source = tmp_path / "new.json"
    source.write_text(json.dumps(new), encoding="utf-8")  # ensure_ascii: the surrogate is escaped
    assert "\\ud83d" in source.read_text(encoding="utf-8")
    before = snapshot_copy.read_bytes()
    for extra in ([], ["--lenient"], ["--dry-run"]):
        assert update_schema.main(["--from", str(source), "--snapshot", str(snapshot_copy), *extra]) == 1
        err = capsys.readouterr().err
        assert "lone surrogate" in err and "/".join(where) in err
    assert snapshot_copy.read_bytes() == before


def test_a_lone_surrogate_in_a_key_is_refused(snapshot: Doc) -> None:
    new = copy.deepcopy(snapshot)
    new["components"]["schemas"]["Job"]["properties"]["bad\udc00"] = {"type": "string"}
    with pytest.raises(update_schema.UpdateError, match=r"a key at components/schemas/Job/properties/bad\\udc00"):
        update_schema.check_openapi3(new, strict=False)
