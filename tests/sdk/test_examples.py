"""The examples run: the demo end to end, the ASGI app against the mock server."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette asks for httpx2 for its test client; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from mock_fixtures import served_mock

from sume_async.testing import DEFAULT_API_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_batch_pipeline_demo_runs_against_the_mock() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}  # no key: the mock
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "batch_pipeline.py"), "--images", "4", "--videos", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "embedded mock Sume server" in out
    assert "6 total" in out and "output(s)" in out
    assert "ingest job" in out and "Searching the Asset Library" in out
    assert DEFAULT_API_KEY not in out + done.stderr


@pytest.fixture
def mock_url() -> Iterator[str]:
    with served_mock(speed=200) as server:
        yield server.base_url


def test_asgi_example_serves_requests(monkeypatch: pytest.MonkeyPatch, mock_url: str) -> None:
    monkeypatch.setenv("SUME_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("SUME_API_BASE_URL", mock_url)
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import asgi_app
    finally:
        sys.path.remove(str(ROOT / "examples"))
    with TestClient(asgi_app.app) as client:
        bad = client.post("/images", json={"prompt": ""})
        assert bad.status_code == 400 and "prompt" in bad.json()["error"]
        created = client.post("/images", json={"prompt": "a mug", "aspect_ratio": "1:1"})
        assert created.status_code == 202
        job_id = created.json()["job_id"]
        result = client.get(f"/images/{job_id}")
        assert result.status_code == 200, result.text
        assert result.json()["status"] == "completed" and result.json()["urls"]
