"""The schema snapshot, openapi/openapi.json, against the API contract (its global section and 18 operations)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions.shortcuts import get_spec_version

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
sys.path.insert(0, str(ROOT / "scripts"))
from update_schema import format_schema  # noqa: E402

# operationId -> (method, path, tag): the contract's 18 operations.
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "getMe": ("get", "/me", "Account"),
    "getCredits": ("get", "/credits", "Account"),
    "listBrands": ("get", "/brand", "Brand"),
    "getCurrentBrand": ("get", "/brand/current", "Brand"),
    "listAvatars": ("get", "/avatars", "Avatars"),
    "getAvatar": ("get", "/avatars/{avatarId}", "Avatars"),
    "listJobs": ("get", "/jobs", "Jobs"),
    "getJob": ("get", "/jobs/{jobId}", "Jobs"),
    "getJobResult": ("get", "/jobs/{jobId}/result", "Jobs"),
    "createImageGeneration": ("post", "/images/generations", "Generation"),
    "createVideoGeneration": ("post", "/videos/generations", "Generation"),
    "createAdsVideo": ("post", "/ads/videos", "Generation"),
    "createFaceSwap": ("post", "/face-swap", "Generation"),
    "createReferenceAnalysis": ("post", "/reference-analysis", "Generation"),
    "createUploadPresign": ("post", "/uploads/presign", "Uploads"),
    "createAsset": ("post", "/assets", "Uploads"),
    "listAssets": ("get", "/assets", "Assets"),
    "getAsset": ("get", "/assets/{assetId}", "Assets"),
}

# operationId -> the component schema of its success response.
SUCCESS_SCHEMAS = {
    "getMe": "Account",
    "getCredits": "Credits",
    "listBrands": "BrandList",
    "getCurrentBrand": "Brand",
    "listAvatars": "AvatarList",
    "getAvatar": "Avatar",
    "listJobs": "JobList",
    "getJob": "Job",
    "getJobResult": "JobWithResult",
    "createImageGeneration": "ImageGenerationResponse",
    "createVideoGeneration": "VideoGenerationResponse",
    "createAdsVideo": "AdsVideoResponse",
    "createFaceSwap": "FaceSwapResponse",
    "createReferenceAnalysis": "ReferenceAnalysisResponse",
    "createUploadPresign": "Upload",
    "createAsset": "AssetUploadResponse",
    "listAssets": "AssetList",
    "getAsset": "Asset",
}

# list operation -> the item schema of its list envelope.
LISTS = {"listBrands": "Brand", "listAvatars": "Avatar", "listJobs": "Job", "listAssets": "Asset"}

NAMED_SCHEMAS = [
    "Job",
    "JobWithResult",
    "Asset",
    "Avatar",
    "Brand",
    "Account",
    "Credits",
    "Upload",
    "ImageGenerationResponse",
    "VideoGenerationResponse",
    "AdsVideoResponse",
    "FaceSwapResponse",
    "ReferenceAnalysisResponse",
    "AssetUploadResponse",
    "Error",
]

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def raw() -> str:
    return SNAPSHOT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc(raw: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                assert op["operationId"] not in found, f"duplicate operationId {op['operationId']}"
                found[op["operationId"]] = (method, path, op)
    return found


def parameters(doc: dict[str, Any], op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    params = [resolve(doc, p) for p in op.get("parameters", [])]
    return {(p["in"], p["name"]): p for p in params}


def success_schema(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    codes = [c for c in op["responses"] if c.startswith("2")]
    assert len(codes) == 1, codes
    response = resolve(doc, op["responses"][codes[0]])
    return response["content"]["application/json"]["schema"]


def test_is_a_valid_openapi_3_1_document(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    assert str(get_spec_version(doc)) == "OpenAPIV3.1"
    validate(doc)  # raises on any violation


def test_global_items(doc: dict[str, Any]) -> None:
    assert doc["info"]["title"] == "Sume Public API"
    assert doc["info"]["version"] == "1.0.0"
    assert doc["servers"] == [{"url": "https://www.sume.so/api/v1", "description": "Production"}]
    assert [t["name"] for t in doc["tags"]] == [
        "Account",
        "Brand",
        "Avatars",
        "Jobs",
        "Generation",
        "Uploads",
        "Assets",
    ]


def test_has_exactly_the_contract_operations(doc: dict[str, Any]) -> None:
    found = {op_id: (method, path, op["tags"]) for op_id, (method, path, op) in operations(doc).items()}
    assert found == {op_id: (m, p, [tag]) for op_id, (m, p, tag) in OPERATIONS.items()}
    assert len(found) == 18


def test_security_schemes_as_documented(doc: dict[str, Any]) -> None:
    schemes = doc["components"]["securitySchemes"]
    assert set(schemes) == {"BearerAuth", "LegacyApiKey"}
    assert {k: v for k, v in schemes["BearerAuth"].items() if k != "description"} == {
        "type": "http",
        "scheme": "bearer",
    }
    assert {k: v for k, v in schemes["LegacyApiKey"].items() if k != "description"} == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }
    # Alternatives at the top level; no operation overrides them.
    assert doc["security"] == [{"BearerAuth": []}, {"LegacyApiKey": []}]
    assert all("security" not in op for _, _, op in operations(doc).values())


def test_error_envelope_shape(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    error = schemas["Error"]
    assert set(error["properties"]) == {"error", "request_id"}
    assert error["required"] == ["error"]
    body = resolve(doc, error["properties"]["error"])
    assert {"code", "message", "details"} <= set(body["properties"])
    assert set(body["required"]) == {"code", "message"}
    assert body["properties"]["details"]["type"] == "object"


def test_every_4xx_5xx_response_is_the_error_envelope(doc: dict[str, Any]) -> None:
    for op_id, (_, _, op) in operations(doc).items():
        errors = {code: resolve(doc, r) for code, r in op["responses"].items() if code[0] in "45"}
        # The statuses every endpoint can answer, per the contract.
        assert {"400", "401", "403", "429", "500", "502", "503", "504"} <= set(errors), op_id
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (op_id, code)
        assert "Retry-After" in errors["429"].get("headers", {}), op_id
        if "requestBody" in op:
            assert {"409", "422"} <= set(errors), op_id
    generation = [op_id for op_id, (_, _, tag) in OPERATIONS.items() if tag == "Generation"]
    for op_id in [*generation, "createAsset"]:
        assert "402" in operations(doc)[op_id][2]["responses"], op_id


def test_success_responses_use_the_named_schemas(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    for op_id, name in SUCCESS_SCHEMAS.items():
        assert success_schema(doc, ops[op_id][2]) == {"$ref": f"#/components/schemas/{name}"}, op_id
    # Accepted asynchronously.
    for op_id in ("createImageGeneration", "createAsset"):
        assert "202" in ops[op_id][2]["responses"], op_id


def test_named_component_schemas_exist(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    missing = [name for name in NAMED_SCHEMAS if name not in schemas]
    assert missing == []
    for name in NAMED_SCHEMAS:
        assert schemas[name]["type"] == "object", name


def test_list_endpoints_use_the_list_envelope(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    assert {op_id for op_id in ops if op_id.startswith("list")} == set(LISTS)
    for op_id, item in LISTS.items():
        op = ops[op_id][2]
        envelope = resolve(doc, success_schema(doc, op))
        props = envelope["properties"]
        assert {"object", "data", "has_more", "next_cursor"} <= set(props), op_id
        assert props["data"] == {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}, op_id
        assert props["has_more"]["type"] == "boolean", op_id
        assert sorted(b.get("type") for b in props["next_cursor"]["anyOf"]) == ["null", "string"], op_id
        assert {"data", "has_more"} <= set(envelope["required"]), op_id
        params = parameters(doc, op)
        limit = params[("query", "limit")]
        assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, op_id
        assert params[("query", "cursor")]["schema"]["type"] == "string", op_id
        assert not limit.get("required") and not params[("query", "cursor")].get("required"), op_id


def test_documented_query_parameters(doc: dict[str, Any]) -> None:
    ops = operations(doc)
    names = {op_id: {name for _, name in parameters(doc, ops[op_id][2])} for op_id in ops}
    assert {"domain", "limit", "cursor"} <= names["listBrands"]
    assert {"limit", "cursor", "type", "status"} <= names["listJobs"]
    assert {
        "q",
        "search_mode",
        "source_type",
        "segment_type",
        "brand",
        "product",
        "tag",
        "keyword",
        "cta_present",
        "min_duration_seconds",
        "max_duration_seconds",
        "created_after",
        "created_before",
        "sort",
        "limit",
        "cursor",
    } <= names["listAssets"]
    sort = parameters(doc, ops["listAssets"][2])[("query", "sort")]["schema"]
    assert sort["enum"] == ["relevance", "created_at_desc", "created_at_asc", "duration_desc"]


def test_path_parameters_are_named_as_documented(doc: dict[str, Any]) -> None:
    for op_id, (_, path, op) in operations(doc).items():
        in_path = {name for (where, name) in parameters(doc, op) if where == "path"}
        in_template = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert in_path == in_template, op_id
        assert in_path <= {"jobId", "avatarId", "assetId"}, op_id


def test_create_endpoints_take_an_optional_idempotency_key(doc: dict[str, Any]) -> None:
    for op_id, (method, _, op) in operations(doc).items():
        if method != "post":
            continue
        header = parameters(doc, op)[("header", "Idempotency-Key")]
        assert header.get("required", False) is False, op_id
        assert header["schema"]["maxLength"] == 255, op_id
        assert op["requestBody"]["required"] is True, op_id


def test_job_states_and_types(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert set(schemas["JobStatus"]["enum"]) >= {
        "queued",
        "running",
        "processing",
        "completed",
        "failed",
        "canceled",
        "expired",
    }
    assert {"image_generation", "video_generation"} <= set(schemas["JobType"]["enum"])
    for name in ("Job", "JobWithResult"):
        assert {"id", "status"} <= set(schemas[name]["required"]), name
    assert "result" in schemas["JobWithResult"]["properties"]


def test_snapshot_is_in_the_stable_format(raw: str, doc: dict[str, Any]) -> None:
    assert format_schema(doc) == raw
    assert raw.endswith("}\n") and not raw.endswith("\n\n")
