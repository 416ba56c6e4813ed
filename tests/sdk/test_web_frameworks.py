"""The models are what a web framework accepts: FastAPI routes return them, declare them, document them.

The generated read models (and ``Page``) carry pydantic's hooks without pydantic being a
dependency: a route annotated ``-> Job`` starts, answers with ``model.to_dict()`` (nulls the
server sent, extra keys and unknown enum values included), and the app's ``/openapi.json``
carries the models' JSON schemas; ``jsonable_encoder`` and ``JSONResponse`` work too.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402
from fastapi.encoders import jsonable_encoder  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402

from sume_async import Asset, Job, JobWithResult, Page  # noqa: E402

JOB_BODY: dict[str, Any] = {
    "id": "job_1",
    "status": "queued",
    "created_at": "2026-01-02T03:04:05+00:00",
    "error": None,  # sent as null: stays null
    "type": "a_type_from_the_future",  # an enum value this SDK does not know yet
    "surprise": {"nested": [1, 2]},  # a key the schema does not name
}
RESULT_BODY: dict[str, Any] = {
    "id": "job_2",
    "status": "completed",
    "type": "image_generation",
    "result": {"outputs": [{"url": "https://media.example/o.png", "width": 1024, "height": 1024}]},
}
ASSET_BODY: dict[str, Any] = {"id": "asset_1", "title": "Dawn", "metadata": None, "start_time_seconds": 1.5}


def make_app() -> tuple[FastAPI, dict[str, Any]]:
    job = Job.from_dict(JOB_BODY)
    done = JobWithResult.from_dict(RESULT_BODY)
    asset = Asset.from_dict(ASSET_BODY)
    page = Page(data=[job, Job.from_dict({"id": "job_3", "status": "running"})], has_more=True, next_cursor="c1")
    app = FastAPI()

    @app.get("/job")
    async def get_job() -> Job:
        return job

    @app.get("/result")
    async def get_result() -> JobWithResult:
        return done

    @app.get("/asset", response_model=Asset)
    async def get_asset() -> Any:
        return asset

    @app.get("/jobs")
    async def get_jobs() -> list[Job]:
        return [job, job]

    @app.get("/page")
    async def get_page() -> Page[Job]:
        return page

    @app.get("/encoded")
    async def encoded() -> JSONResponse:
        return JSONResponse(jsonable_encoder({"job": job, "assets": [asset]}))

    expected = {
        "/job": job.to_dict(),
        "/result": done.to_dict(),
        "/asset": asset.to_dict(),
        "/jobs": [job.to_dict(), job.to_dict()],
        "/page": page.to_dict(),
        "/encoded": {"job": job.to_dict(), "assets": [asset.to_dict()]},
    }
    return app, expected


def test_annotated_routes_answer_with_to_dict() -> None:
    app, expected = make_app()
    with TestClient(app) as client:
        for path, body in expected.items():
            response = client.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.json() == body, path
    job = expected["/job"]
    assert job["error"] is None and job["type"] == "a_type_from_the_future" and job["surprise"] == {"nested": [1, 2]}
    assert expected["/page"]["data"][0] == job


def test_the_apps_openapi_carries_the_models_schemas() -> None:
    app, _ = make_app()
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("Job", "JobWithResult", "JobResult", "JobOutput", "Asset", "JobStatus"):
        assert name in schemas, sorted(schemas)
    job = schemas["Job"]
    assert set(job["required"]) == {"id", "status"}
    assert {"id", "status", "created_at", "type", "object"} <= set(job["properties"])  # JSON keys, not `type_`
    assert job["properties"]["created_at"]["anyOf"][0] == {"type": "string", "format": "date-time"}
    assert job["additionalProperties"] is True
    ok = spec["paths"]["/jobs"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["type"] == "array" and ok["items"] == {"$ref": "#/components/schemas/Job"}
    page = spec["paths"]["/page"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = schemas[page["$ref"].rsplit("/", 1)[1]] if "$ref" in page else page
    assert page["properties"]["data"]["items"] == {"$ref": "#/components/schemas/Job"}


def test_type_adapter_validates_what_the_api_sends_and_round_trips() -> None:
    adapter = TypeAdapter(list[Job])
    jobs = adapter.validate_python([JOB_BODY, Job.from_dict(RESULT_BODY)])
    assert [type(j) for j in jobs] == [Job, Job]
    assert adapter.dump_python(jobs, mode="json")[0] == Job.from_dict(JOB_BODY).to_dict()
    assert TypeAdapter(Job).validate_json(TypeAdapter(Job).dump_json(jobs[0])) == jobs[0]
    page = TypeAdapter(Page[Asset]).validate_python({"data": [ASSET_BODY], "has_more": False, "next_cursor": None})
    assert page == Page(data=[Asset.from_dict(ASSET_BODY)], has_more=False, next_cursor=None)
    with pytest.raises(ValueError):
        TypeAdapter(Job).validate_python(["not", "a", "job"])
    with pytest.raises(ValueError):
        TypeAdapter(Job).validate_python({"status": "queued"})  # no id


def test_dict_of_a_model_is_its_json() -> None:
    job = Job.from_dict(JOB_BODY)
    assert dict(job) == job.to_dict() == JOB_BODY


def test_pydantic_is_not_imported_by_the_sdk_or_its_models() -> None:
    code = (
        "import sys, sume_async\n"
        "from sume_async import Job, Page\n"
        "job = Job.from_dict({'id': 'job_1', 'status': 'queued'}); dict(job); repr(job)\n"
        "Page(data=[job], has_more=False, next_cursor=None).to_dict()\n"
        "assert 'pydantic' not in sys.modules and 'pydantic_core' not in sys.modules, 'pydantic was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
