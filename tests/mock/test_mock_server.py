"""``serve()`` on a real socket under asyncio and trio, connection counting, and the CLI."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

import anyio
import httpx
import pytest
from mock_fixtures import AUTH

from sume_async import AsyncSume
from sume_async.testing import MockSume, serve

pytestmark = pytest.mark.anyio


async def test_serve_yields_a_loopback_base_url_and_stops() -> None:
    mock = MockSume()
    async with serve(mock) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH) as c:
            assert (await c.get("/me")).status_code == 200
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as c:
            await c.get(f"{base_url}/me")
    assert mock.open_connections == 0


async def test_open_and_peak_connections() -> None:
    mock = MockSume()
    async with serve(mock) as base_url:
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH, limits=limits) as c:
            async with anyio.create_task_group() as tg:
                for _ in range(12):
                    tg.start_soon(c.get, "/me")
            assert 1 <= mock.peak_connections <= 4
            assert mock.open_connections <= 4
        for _ in range(500):  # closing the client closes its sockets; wait (bounded) for the server
            if mock.open_connections == 0:
                break
            await anyio.sleep(0.01)
        assert mock.open_connections == 0
        mock.reset_peak()
        assert mock.peak_connections == 0
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH) as c:
            await c.get("/me")
            assert mock.peak_connections == 1


async def test_serve_stops_when_the_block_is_cancelled() -> None:
    mock = MockSume()
    with anyio.CancelScope() as scope:
        async with serve(mock) as base_url:
            scope.cancel()
            await anyio.sleep(1)
    assert scope.cancelled_caught
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as c:
            await c.get(f"{base_url}/me")


async def test_port_in_use_is_reported() -> None:
    mock = MockSume()
    async with serve(mock) as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        with pytest.raises(OSError):
            async with serve(MockSume(), port=port):
                pass


async def test_one_mock_serves_asgi_and_socket_clients_together() -> None:
    mock = MockSume()
    transport = httpx.ASGITransport(app=mock.app)
    async with (
        serve(mock) as base_url,
        httpx.AsyncClient(base_url=base_url, headers=AUTH) as real,
        httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1", headers=AUTH) as local,
    ):
        job = (await real.post("/images/generations", json={"prompt": "x"})).json()["job"]["id"]
        assert (await local.get(f"/jobs/{job}")).status_code == 200


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_cli_serves_until_interrupted(anyio_backend: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sume_async.testing", "--port", "0", "--speed", "100"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = await anyio.to_thread.run_sync(process.stdout.readline)
        base_url = first.strip().rsplit(" ", 1)[-1]
        key = (await anyio.to_thread.run_sync(process.stdout.readline)).strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as c:
            assert (await c.get("/me")).status_code == 200
        process.send_signal(signal.SIGINT)
        assert await anyio.to_thread.run_sync(process.wait, 20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_cli_removes_its_upload_folder_when_stopped(
    anyio_backend: str, stop: signal.Signals, tmp_path: pathlib.Path
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sume_async.testing", "--port", "0", "--speed", "100"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        base_url = (await anyio.to_thread.run_sync(process.stdout.readline)).strip().rsplit(" ", 1)[-1]
        key = (await anyio.to_thread.run_sync(process.stdout.readline)).strip().rsplit(" ", 1)[-1]
        async with AsyncSume(key, base_url=base_url) as sume:
            await sume.uploads.upload(b"\0" * 2048, filename="a.mp4", purpose="asset_library_video")
        assert list(tmp_path.glob("sume-mock-uploads-*")), "the upload did not reach the mock's folder"
        process.send_signal(stop)
        assert await anyio.to_thread.run_sync(process.wait, 20) == 0
        assert not list(tmp_path.glob("sume-mock-uploads-*"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
