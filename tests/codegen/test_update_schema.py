"""scripts/update_schema.py and sume_async/_schema_diff.py: the change report and the snapshot refresh.

Offline: the live URL is never fetched; downloads are exercised through httpx.MockTransport.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schemas"
OLD, NEW = FIXTURES / "old.json", FIXTURES / "new.json"
sys.path.insert(0, str(ROOT / "scripts"))
import update_schema  # noqa: E402

from sume_async._schema_diff import Change, Kind, diff_schemas, has_breaking, inferred_changes, render_text  # noqa: E402

Doc = dict[str, Any]


def load(path: Path) -> Doc:
    doc: Doc = json.loads(path.read_text(encoding="utf-8"))
    return doc


def triples(changes: list[Change]) -> set[tuple[Kind, str, bool]]:
    return {(c.kind, c.location, c.breaking) for c in changes}


def api_changes(changes: list[Change]) -> list[tuple[Kind, str, bool]]:
    """The changes without the x-sume-inferred section."""
    return [(c.kind, c.location, c.breaking) for c in changes if c.section != "inferred"]


@pytest.fixture(scope="module")
def snapshot() -> Doc:
    return load(SNAPSHOT)


# --- the fixture pair ---------------------------------------------------------------------------


def test_fixture_report_finds_every_change() -> None:
    changes = diff_schemas(load(OLD), load(NEW))
    assert triples(changes) == {
        (Kind.DOCUMENT_CHANGED, "document", False),
        (Kind.OPERATION_ADDED, "GET /credits (getCredits)", False),
        (Kind.OPERATION_REMOVED, "POST /jobs/{jobId}/cancel (cancelJob)", True),
        (Kind.PARAMETER_ADDED, "GET /jobs (listJobs) parameter type (query)", False),
        (Kind.SCHEMA_ADDED, "schema Credits", False),
        (Kind.REQUIRED_CHANGED, "schema ImageGenerationRequest: aspect_ratio", True),
        (Kind.TYPE_CHANGED, "schema Job: created_at", True),
        (Kind.FIELD_ADDED, "schema Job: progress", False),
        (Kind.ENUM_VALUE_ADDED, "schema JobStatus", False),
        (Kind.INFERRED_CONFIRMED, "schema Job: result_url", False),
        (Kind.INFERRED_CHANGED, "schema Job: created_at", False),
    }
    enum_added = next(c for c in changes if c.kind is Kind.ENUM_VALUE_ADDED)
    assert enum_added.detail == "'on_hold'"
    assert "listJobs" in enum_added.used_by and "getJob" in enum_added.used_by
    assert has_breaking(changes)


def test_fixture_report_text_calls_out_breaking_changes() -> None:
    text = render_text(diff_schemas(load(OLD), load(NEW)), old_label="old.json", new_label="new.json")
    assert text.startswith("Schema changes from old.json to new.json: 3 breaking, 5 additive, 1 other")
    breaking, additive = text.index("BREAKING"), text.index("Additive:")
    removed = text.index("POST /jobs/{jobId}/cancel (cancelJob) -- operation removed")
    assert breaking < removed < additive
    assert additive < text.index("schema Job: progress -- field added: optional") < text.index("Other")
    assert additive < text.index("schema JobStatus -- enum value added: 'on_hold'") < text.index("Other")
    assert text.index("x-sume-inferred guesses:") < text.index("schema Job: result_url -- guess confirmed")


def test_reverse_direction_is_breaking_where_expected() -> None:
    changes = diff_schemas(load(NEW), load(OLD))
    assert (Kind.FIELD_REMOVED, "schema Job: progress", True) in triples(changes)
    assert (Kind.ENUM_VALUE_REMOVED, "schema JobStatus", True) in triples(changes)
    assert (Kind.OPERATION_REMOVED, "GET /credits (getCredits)", True) in triples(changes)
    assert (Kind.REQUIRED_CHANGED, "schema ImageGenerationRequest: aspect_ratio", False) in triples(changes)


def test_no_changes_report() -> None:
    assert diff_schemas(load(OLD), load(OLD)) == []
    assert render_text([], old_label="a", new_label="b") == "No changes between a and b.\n"


# --- single edits of the real snapshot ----------------------------------------------------------

Edit = Callable[[Doc], None]


def _schemas(doc: Doc) -> Doc:
    schemas: Doc = doc["components"]["schemas"]
    return schemas


def _param(doc: Doc, path: str, method: str, name: str) -> Doc:
    param: Doc = next(p for p in doc["paths"][path][method]["parameters"] if p.get("name") == name)
    return param


def _set(path: list[str], value: Any) -> Edit:
    def edit(doc: Doc) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


def _delete(path: list[str]) -> Edit:
    def edit(doc: Doc) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return edit


S = ["components", "schemas"]
ASSETS = "GET /assets (listAssets)"

EDITS: list[tuple[str, Edit, list[tuple[Kind, str, bool]]]] = [
    (
        "response field removed",
        _delete([*S, "Asset", "properties", "title"]),
        [(Kind.FIELD_REMOVED, "schema Asset: title", True)],
    ),
    (
        "request field removed",
        _delete([*S, "ImageGenerationRequest", "properties", "quality"]),
        [(Kind.FIELD_REMOVED, "schema ImageGenerationRequest: quality", True)],
    ),
    (
        "optional request field added",
        _set([*S, "ImageGenerationRequest", "properties", "seed"], {"type": "integer"}),
        [(Kind.FIELD_ADDED, "schema ImageGenerationRequest: seed", False)],
    ),
    (
        "required request field added",
        lambda d: (
            _schemas(d)["VideoGenerationRequest"]["properties"].update(model={"type": "string"}),
            _schemas(d)["VideoGenerationRequest"]["required"].append("model"),
        ),
        [(Kind.FIELD_ADDED, "schema VideoGenerationRequest: model", True)],
    ),
    (
        "request field newly required",
        lambda d: _schemas(d)["AdsVideoRequest"]["required"].append("style"),
        [(Kind.REQUIRED_CHANGED, "schema AdsVideoRequest: style", True)],
    ),
    (
        "response field newly required",
        lambda d: _schemas(d)["Asset"]["required"].append("title"),
        [(Kind.REQUIRED_CHANGED, "schema Asset: title", False)],
    ),
    (
        "response field no longer required",
        lambda d: _schemas(d)["Upload"]["required"].remove("object_key"),
        [(Kind.REQUIRED_CHANGED, "schema Upload: object_key", True)],
    ),
    (
        "response field type changed",
        _set([*S, "Asset", "properties", "start_time_seconds", "anyOf", 0], {"type": "string"}),
        [(Kind.TYPE_CHANGED, "schema Asset: start_time_seconds", True)],
    ),
    (
        "array item type changed",
        _set([*S, "Brand", "properties", "palette", "items"], {"type": "integer"}),
        [(Kind.TYPE_CHANGED, "schema Brand: palette[]", True)],
    ),
    (
        "format changed",
        _delete([*S, "Upload", "properties", "expires_at", "anyOf", 0, "format"]),
        [(Kind.TYPE_CHANGED, "schema Upload: expires_at", True)],
    ),
    (
        "response field now nullable",
        _set([*S, "Upload", "properties", "upload_url"], {"anyOf": [{"type": "string"}, {"type": "null"}]}),
        [(Kind.NULLABLE_CHANGED, "schema Upload: upload_url", True)],
    ),
    (
        "response field no longer nullable",
        _set([*S, "Asset", "properties", "title"], {"type": "string"}),
        [(Kind.NULLABLE_CHANGED, "schema Asset: title", False)],
    ),
    (
        "nullable $ref no longer nullable",
        _set([*S, "Job", "properties", "error"], {"$ref": "#/components/schemas/JobError"}),
        [(Kind.NULLABLE_CHANGED, "schema Job: error", False)],
    ),
    (
        "enum value removed",
        lambda d: _schemas(d)["JobStatus"]["enum"].remove("expired"),
        [(Kind.ENUM_VALUE_REMOVED, "schema JobStatus", True)],
    ),
    (
        "enum value added",
        lambda d: _schemas(d)["UploadPurpose"]["enum"].append("brand_asset"),
        [(Kind.ENUM_VALUE_ADDED, "schema UploadPurpose", False)],
    ),
    (
        "enum value removed in a parameter",
        lambda d: _param(d, "/assets", "get", "sort")["schema"]["enum"].remove("duration_desc"),
        [(Kind.ENUM_VALUE_REMOVED, f"{ASSETS} parameter sort (query)", True)],
    ),
    (
        "enum value added in a parameter",
        lambda d: _param(d, "/assets", "get", "search_mode")["schema"]["enum"].append("semantic"),
        [(Kind.ENUM_VALUE_ADDED, f"{ASSETS} parameter search_mode (query)", False)],
    ),
    (
        "free string becomes an enum in a request",
        _set([*S, "ImageGenerationRequest", "properties", "quality"], {"type": "string", "enum": ["hd"]}),
        [(Kind.ENUM_ADDED, "schema ImageGenerationRequest: quality", True)],
    ),
    (
        "parameter newly required",
        lambda d: _param(d, "/brand", "get", "domain").update(required=True),
        [(Kind.REQUIRED_CHANGED, "GET /brand (listBrands) parameter domain (query)", True)],
    ),
    (
        "parameter removed",
        lambda d: d["paths"]["/assets"]["get"]["parameters"].remove(_param(d, "/assets", "get", "keyword")),
        [(Kind.PARAMETER_REMOVED, f"{ASSETS} parameter keyword (query)", True)],
    ),
    (
        "required parameter added",
        lambda d: d["paths"]["/credits"]["get"].update(
            parameters=[{"name": "period", "in": "query", "required": True, "schema": {"type": "string"}}]
        ),
        [(Kind.PARAMETER_ADDED, "GET /credits (getCredits) parameter period (query)", True)],
    ),
    (
        "shared parameter component changed",
        _set(["components", "parameters", "Limit", "schema", "type"], "number"),
        [
            (Kind.TYPE_CHANGED, f"GET {path} ({op}) parameter limit (query)", True)
            for path, op in [
                ("/assets", "listAssets"),
                ("/avatars", "listAvatars"),
                ("/brand", "listBrands"),
                ("/jobs", "listJobs"),
            ]
        ],
    ),
    (
        "operation removed",
        _delete(["paths", "/jobs/{jobId}/result"]),
        [(Kind.OPERATION_REMOVED, "GET /jobs/{jobId}/result (getJobResult)", True)],
    ),
    (
        "operation added",
        _set(
            ["paths", "/jobs/{jobId}", "delete"],
            {"operationId": "cancelJob", "tags": ["Jobs"], "responses": {"204": {"description": "Canceled."}}},
        ),
        [(Kind.OPERATION_ADDED, "DELETE /jobs/{jobId} (cancelJob)", False)],
    ),
    (
        "operationId renamed on the same path",
        _set(["paths", "/me", "get", "operationId"], "getAccount"),
        [(Kind.OPERATION_RENAMED, "GET /me (getAccount)", True)],
    ),
    (
        "tag changed",
        _set(["paths", "/credits", "get", "tags"], ["Billing"]),
        [(Kind.TAG_CHANGED, "GET /credits (getCredits)", True)],
    ),
    (
        "success response removed",
        _delete(["paths", "/assets", "post", "responses", "202"]),
        [(Kind.RESPONSE_REMOVED, "POST /assets (createAsset) response 202", True)],
    ),
    (
        "error response removed",
        _delete(["paths", "/jobs/{jobId}", "get", "responses", "404"]),
        [(Kind.RESPONSE_REMOVED, "GET /jobs/{jobId} (getJob) response 404", False)],
    ),
    (
        "request body no longer required",
        _set(["paths", "/assets", "post", "requestBody", "required"], False),
        [(Kind.REQUIRED_CHANGED, "POST /assets (createAsset) request body", False)],
    ),
    (
        "response model renamed",
        lambda d: (
            _schemas(d).update(Account2=_schemas(d)["Account"]),
            _set(
                ["paths", "/me", "get", "responses", "200", "content", "application/json", "schema", "$ref"],
                "#/components/schemas/Account2",
            )(d),
        ),
        [
            (Kind.REF_CHANGED, "GET /me (getMe) response 200", True),
            (Kind.SCHEMA_ADDED, "schema Account2", False),
        ],
    ),
    (
        "security scheme removed",
        _delete(["components", "securitySchemes", "LegacyApiKey"]),
        [(Kind.SECURITY_SCHEME_REMOVED, "security scheme LegacyApiKey", True)],
    ),
    (
        "security scheme added",
        _set(["components", "securitySchemes", "OAuth"], {"type": "oauth2", "flows": {}}),
        [(Kind.SECURITY_SCHEME_ADDED, "security scheme OAuth", False)],
    ),
    (
        "security scheme changed",
        _set(["components", "securitySchemes", "LegacyApiKey", "name"], "X-Sume-Key"),
        [(Kind.SECURITY_SCHEME_CHANGED, "security scheme LegacyApiKey", True)],
    ),
    (
        "security alternative dropped",
        _set(["security"], [{"BearerAuth": []}]),
        [(Kind.SECURITY_CHANGED, "security", True)],
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_single_edit_is_reported(snapshot: Doc, name: str, edit: Edit, expected: list[Any]) -> None:
    new = copy.deepcopy(snapshot)
    edit(new)
    assert api_changes(diff_schemas(snapshot, new)) == expected


EQUIVALENT: list[tuple[str, Edit]] = [
    ("type list with null", _set([*S, "Job", "properties", "request_id"], {"type": ["string", "null"]})),
    ("3.0 nullable", _set([*S, "Job", "properties", "request_id"], {"type": "string", "nullable": True})),
    (
        "oneOf instead of anyOf",
        _set([*S, "Asset", "properties", "title"], {"oneOf": [{"type": "string"}, {"type": "null"}]}),
    ),
    (
        "allOf wrapper around a $ref",
        _set(
            [*S, "Job", "properties", "status"],
            {"allOf": [{"$ref": "#/components/schemas/JobStatus"}], "description": "x"},
        ),
    ),
    ("null in the enum", lambda d: _schemas(d)["AvatarVisibility"].update(type=["string", "null"])),
    (
        "descriptions and examples",
        _set([*S, "ImageGenerationRequest", "properties", "aspect_ratio", "examples"], ["2:3"]),
    ),
    ("enum order", lambda d: _schemas(d)["JobStatus"]["enum"].reverse()),
]


@pytest.mark.parametrize(("name", "edit"), EQUIVALENT, ids=[e[0] for e in EQUIVALENT])
def test_equivalent_spellings_are_not_changes(snapshot: Doc, name: str, edit: Edit) -> None:
    new = copy.deepcopy(snapshot)
    edit(new)
    assert new != snapshot
    changes = api_changes(diff_schemas(snapshot, new))
    if name == "null in the enum":  # type gains null: that is a nullability change, reported once
        assert changes == [(Kind.NULLABLE_CHANGED, "schema AvatarVisibility", True)]
    else:
        assert changes == []


def test_snapshot_against_itself_is_empty(snapshot: Doc) -> None:
    assert diff_schemas(snapshot, copy.deepcopy(snapshot)) == []


def test_component_changes_name_the_operations_that_use_them(snapshot: Doc) -> None:
    new = copy.deepcopy(snapshot)
    _schemas(new)["JobStatus"]["enum"].append("on_hold")
    (change,) = diff_schemas(snapshot, new)
    assert {"getJob", "listJobs", "getJobResult", "createImageGeneration"} <= set(change.used_by)
    assert "getMe" not in change.used_by


def test_merged_all_of_fields_are_compared(snapshot: Doc) -> None:
    old = copy.deepcopy(snapshot)
    new = copy.deepcopy(snapshot)
    for doc in (old, new):
        job = _schemas(doc)["JobWithResult"]
        _schemas(doc)["JobWithResult"] = {
            "allOf": [{"$ref": "#/components/schemas/Job"}, {"properties": {"result": job["properties"]["result"]}}]
        }
    del _schemas(new)["Job"]["properties"]["result_url"]
    locations = {c.location for c in diff_schemas(old, new) if c.kind is Kind.FIELD_REMOVED}
    assert locations == {"schema Job: result_url", "schema JobWithResult: result_url"}


# --- x-sume-inferred ----------------------------------------------------------------------------


def _strip_inferred(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("x-sume-inferred", None)
        for value in node.values():
            _strip_inferred(value)
    elif isinstance(node, list):
        for value in node:
            _strip_inferred(value)


def test_inferred_objects_confirmed_changed_or_missing(snapshot: Doc) -> None:
    marked = json.dumps(snapshot).count('"x-sume-inferred": true')
    live = copy.deepcopy(snapshot)
    _strip_inferred(live)
    confirmed = inferred_changes(snapshot, live)
    assert len(confirmed) == marked > 20
    assert {c.kind for c in confirmed} == {Kind.INFERRED_CONFIRMED}
    assert "parameter IdempotencyKey" in {c.location for c in confirmed}
    assert "GET /assets/{assetId} parameter search_score (query)" in {c.location for c in confirmed}

    _schemas(live)["Credits"]["properties"]["plan"] = {"type": "string"}
    del _schemas(live)["Job"]["properties"]["result_url"]
    _schemas(live)["Job"]["properties"]["request_id"] = {"type": "string", "nullable": True}  # other spelling
    live["components"]["parameters"]["Limit"]["schema"]["maximum"] = 50
    found = {
        (c.kind, c.location, c.detail)
        for c in inferred_changes(snapshot, live)
        if c.kind is not Kind.INFERRED_CONFIRMED
    }
    same_shape = "same types and fields; constraints or spelling differ"
    assert found == {
        (Kind.INFERRED_CHANGED, "schema Credits: plan", "the new schema differs (see above)"),
        (Kind.INFERRED_MISSING, "schema Job: result_url", "not in the new schema"),
        (Kind.INFERRED_CHANGED, "schema Job: request_id", same_shape),
        (Kind.INFERRED_CHANGED, "parameter Limit", same_shape),
    }
    # A document that still marks them says nothing about them.
    assert inferred_changes(snapshot, copy.deepcopy(snapshot)) == []


# --- the script ---------------------------------------------------------------------------------


def test_format_schema_is_the_stable_format() -> None:
    doc = {"b": [1, {"z": "é", "a": None}], "a": "ü"}
    text = update_schema.format_schema(doc)
    assert text == '{\n  "a": "ü",\n  "b": [\n    1,\n    {\n      "a": null,\n      "z": "é"\n    }\n  ]\n}\n'
    assert json.loads(text) == doc


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A temporary snapshot holding the old fixture, as the fixture file has it (not yet stable)."""
    target = tmp_path / "openapi" / "openapi.json"
    target.parent.mkdir()
    target.write_bytes(OLD.read_bytes())
    return target


def test_from_file_writes_the_stable_format(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real_before = SNAPSHOT.read_bytes()
    status = update_schema.main(["--from", str(NEW), "--snapshot", str(workspace), "--no-generate"])
    assert status == 0
    written = workspace.read_text(encoding="utf-8")
    assert written == json.dumps(load(NEW), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert written != NEW.read_text(encoding="utf-8")  # the fixture is not in the stable format itself
    assert "Ünïcode" in written
    out = capsys.readouterr().out
    assert "3 breaking" in out and "operation removed" in out and "WARNING: 3 breaking" in out
    assert f"wrote {workspace}" in out
    assert SNAPSHOT.read_bytes() == real_before

    # Once more: nothing changes, the file is left alone.
    assert update_schema.main(["--from", str(NEW), "--snapshot", str(workspace), "--no-generate"]) == 0
    out = capsys.readouterr().out
    assert "No changes between" in out and "unchanged:" in out and "WARNING" not in out


def test_dry_run_writes_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = workspace.read_bytes()
    assert update_schema.main(["--from", str(NEW), "--snapshot", str(workspace), "--dry-run"]) == 0
    assert workspace.read_bytes() == before
    assert "operation removed" in capsys.readouterr().out


def test_fail_on_breaking_exits_3_and_writes_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = workspace.read_bytes()
    argv = ["--from", str(NEW), "--snapshot", str(workspace), "--fail-on-breaking", "--no-generate"]
    assert update_schema.main(argv) == 3
    assert workspace.read_bytes() == before
    assert "nothing written" in capsys.readouterr().out
    # Without breaking changes the same flag lets the update through.
    workspace.write_text(update_schema.format_schema(load(NEW)), encoding="utf-8")
    assert update_schema.main(argv) == 0


def test_missing_snapshot_counts_everything_as_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "fresh" / "openapi.json"
    assert update_schema.main(["--from", str(OLD), "--snapshot", str(target), "--no-generate"]) == 0
    assert target.read_text(encoding="utf-8") == update_schema.format_schema(load(OLD))
    out = capsys.readouterr().out
    assert "does not exist yet" in out and "0 breaking" in out


def test_regenerates_into_the_given_target(workspace: Path, tmp_path: Path) -> None:
    target = tmp_path / "gen" / "_generated"
    assert update_schema.main(["--from", str(NEW), "--snapshot", str(workspace), "--target", str(target)]) == 0
    assert (target / "api" / "account" / "get_credits.py").is_file()
    assert (target / "py.typed").is_file()
    assert not (target / "api" / "jobs" / "cancel_job.py").exists()
    assert '"on_hold"' in (target / "models" / "job_status.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"swagger": "2.0", "info": {}, "paths": {"/a": {}}}', "not an OpenAPI 3.x document (swagger: '2.0')"),
        ("[1, 2]", "JSON list, not an object"),
        ('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}', "no `paths`"),
        ("{not json", "is not valid JSON"),
        (
            '{"openapi": "3.1.0", "info": {"title": "t"}, "paths": {"/a": {"get": {"responses": {}}}}}',
            "invalid OpenAPI 3.1.0",
        ),
    ],
)
def test_rejects_what_is_not_openapi_3(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    before = workspace.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert update_schema.main(["--from", str(bad), "--snapshot", str(workspace), "--no-generate"]) == 1
    assert message in capsys.readouterr().err
    assert workspace.read_bytes() == before


def test_lenient_skips_only_the_full_validation(workspace: Path) -> None:
    doc = load(NEW)
    del doc["info"]["version"]  # invalid, but still OpenAPI 3.x in shape
    with pytest.raises(update_schema.UpdateError, match="invalid OpenAPI"):
        update_schema.check_openapi3(doc)
    update_schema.check_openapi3(doc, strict=False)
    with pytest.raises(update_schema.UpdateError, match=r"not an OpenAPI 3\.x"):
        update_schema.check_openapi3({"openapi": "2.0", "info": {}, "paths": {"/a": {}}}, strict=False)


def test_missing_source_file_is_a_clear_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = workspace.parent / "nope.json"
    assert update_schema.main(["--from", str(missing), "--snapshot", str(workspace)]) == 1
    assert f"cannot read {missing}" in capsys.readouterr().err


# --- downloading (no network: a mock transport answers) -----------------------------------------


def test_fetch_returns_the_document_and_sets_a_timeout() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"openapi": "3.1.0"})

    doc = update_schema.fetch_schema(timeout=12.5, transport=httpx.MockTransport(answer))
    assert doc == {"openapi": "3.1.0"}
    (request,) = seen
    assert str(request.url) == update_schema.LIVE_URL
    assert request.extensions["timeout"] == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}


def _failing(exc: Exception) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("transport", "message"),
    [
        (httpx.MockTransport(lambda r: httpx.Response(503, text="down")), "returned HTTP 503, expected 200"),
        (httpx.MockTransport(lambda r: httpx.Response(404)), "returned HTTP 404"),
        (
            httpx.MockTransport(lambda r: httpx.Response(200, text="<html>", headers={"content-type": "text/html"})),
            "did not return JSON (text/html)",
        ),
        (_failing(httpx.ConnectError("name resolution failed")), "could not fetch https://www.sume.so/api/v1"),
        (_failing(httpx.ReadTimeout("slow")), "timed out after 30 s"),
    ],
    ids=["503", "404", "html", "connect", "timeout"],
)
def test_fetch_failures_are_clear_errors(transport: httpx.MockTransport, message: str) -> None:
    with pytest.raises(update_schema.UpdateError) as info:
        update_schema.fetch_schema(transport=transport)
    assert message in str(info.value)
