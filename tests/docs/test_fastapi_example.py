"""``examples/fastapi_app.py`` works as written, against the mock, through FastAPI's test client.

The app's one shared client comes from the lifespan (here a mock's, through ``create_app``); the
create route answers 202 with the ``Job``; the bounded-wait route answers with the typed
``JobWithResult`` once the job completes, and with the ``Job`` as it is (202) while it does not.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from sume_async import Job, JobWithResult
from sume_async.testing import ManualClock, MockSume, client_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_create_then_wait_returns_the_typed_result() -> None:
    mock = MockSume(speed=1000)
    app = load_example().create_app(lambda: client_for(mock))
    with TestClient(app) as client:
        created = client.post("/images", json={"prompt": "A red bicycle at dawn", "aspect_ratio": "16:9"})
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        Job.from_dict(created.json())  # the body is a Job as the API sends it
        done = client.get(f"/jobs/{job_id}/result", params={"timeout": 20})
        assert done.status_code == 200, done.text
        result = JobWithResult.from_dict(done.json())
        assert result.id == job_id and str(result.status) == "completed"
        assert result.result is not None and result.result.outputs
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        assert {"Job", "JobWithResult", "JobResult"} <= set(schemas)


def test_bad_input_is_a_400_and_a_pending_job_is_a_202() -> None:
    mock = MockSume(clock=ManualClock())  # time stands still: the job never completes
    app = load_example().create_app(lambda: client_for(mock))
    with TestClient(app) as client:
        assert client.post("/images", json={"prompt": ""}).status_code == 400
        job_id = client.post("/images", json={"prompt": "A red bicycle"}).json()["id"]
        pending = client.get(f"/jobs/{job_id}/result", params={"timeout": 0.2})
        assert pending.status_code == 202, pending.text
        assert pending.json()["id"] == job_id and pending.json()["status"] != "completed"
        assert client.get(f"/jobs/{job_id}/result", params={"timeout": 99}).status_code == 422  # bounded
