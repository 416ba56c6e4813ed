"""Helpers for the mock server's own tests (``tests/test_mock_*.py``).

Imported directly by those modules (``from mock_fixtures import ...``), so nothing needs
wiring into ``conftest.py``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from sume_async.testing import DEFAULT_API_KEY, LoopbackServer, ManualClock, MockSume, serve

OPENAPI = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
KEY = DEFAULT_API_KEY
AUTH = {"Authorization": f"Bearer {KEY}"}
ASGI_BASE = "http://testserver/api/v1"
TRANSPORTS = ["asgi", "socket"]


@dataclass
class Api:
    """An authenticated client on the API, and a bare one (no credentials) for storage PUTs."""

    api: httpx.AsyncClient
    bare: httpx.AsyncClient
    transport: str

    async def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.api.post(path, json=body, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.api.get(path, **kwargs)

    async def upload(self, purpose: str = "asset_library_video", data: bytes = b"0123456789") -> dict[str, Any]:
        """Presign and PUT ``data``; returns the presign response body."""
        body = {"filename": "clip.mp4", "content_type": "video/mp4", "size_bytes": len(data), "purpose": purpose}
        presign = await self.post("/uploads/presign", body)
        assert presign.status_code == 200, presign.text
        target = dict(presign.json())
        put = await self.bare.put(target["upload_url"], content=data, headers=target["required_headers"])
        assert put.status_code == 200, put.text
        return target


@asynccontextmanager
async def open_api(mock: MockSume, transport: str = "asgi") -> AsyncIterator[Api]:
    """Clients on ``mock``: in-process (``asgi``) or over a real loopback socket (``socket``)."""
    if transport == "asgi":
        asgi = httpx.ASGITransport(app=mock.app)
        async with (
            httpx.AsyncClient(transport=asgi, base_url=ASGI_BASE, headers=AUTH) as api,
            httpx.AsyncClient(transport=asgi) as bare,
        ):
            yield Api(api, bare, transport)
    else:
        async with (
            serve(mock) as base_url,
            httpx.AsyncClient(base_url=base_url, headers=AUTH) as api,
            httpx.AsyncClient() as bare,
        ):
            yield Api(api, bare, transport)


@contextmanager
def served_mock(speed: float, **options: Any) -> Iterator[LoopbackServer]:
    """A ``MockSume(speed=..., **options)`` on a loopback socket (its own thread), for sync tests and children."""
    mock = MockSume(speed=speed, **options)
    server = LoopbackServer(mock)
    server.start()
    server.wait_started()
    try:
        yield server
    finally:
        server.stop()
        mock.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def mock(clock: ManualClock) -> Iterator[MockSume]:
    m = MockSume(clock=clock)
    yield m
    m.close()


@pytest.fixture
async def client(mock: MockSume) -> AsyncIterator[Api]:
    """In-process clients on the ``mock`` fixture."""
    async with open_api(mock) as api:
        yield api


# -- schema validation -------------------------------------------------------------------------


@cache
def _spec() -> dict[str, Any]:
    return dict(json.loads(OPENAPI.read_text()))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and node["$ref"].startswith("#/components/responses/"):
        node = _spec()["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
    return node


def conforms(response: httpx.Response, method: str, template: str) -> None:
    """Assert ``response`` is a declared status of the operation and its JSON body validates."""
    operation = _spec()["paths"][template][method.lower()]
    declared = operation["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method} {template}: undeclared status {status}: {response.text[:300]}"
    content = _resolve(declared[status]).get("content", {})
    if "application/json" not in content:
        return
    assert response.headers["content-type"].startswith("application/json")
    schema = {**content["application/json"]["schema"], "components": _spec()["components"]}
    jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)


def error_code(response: httpx.Response) -> str:
    """The envelope's ``error.code`` (and check the envelope's shape on the way)."""
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    assert body["request_id"].startswith("req_")
    assert response.headers["x-request-id"] == body["request_id"]
    return str(body["error"]["code"])
