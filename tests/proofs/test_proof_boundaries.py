"""Credential boundaries over real loopback sockets.

Two hosts are played by tiny raw HTTP servers on different loopback ports (two
origins). The Sume key must never reach anything but the API origin, the storage PUT
must never carry it, and no redirect is ever followed to another host.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from anyio.abc import SocketStream

from sume_async import APIStatusError, AsyncSume, InvalidInputError, UploadError

pytestmark = pytest.mark.anyio

KEY = "sume_live_boundary_key_0000"

Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


class RawServer:
    """A one-request-per-connection HTTP/1.1 server that records what it receives."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        self.port = 0

    async def handle(self, stream: SocketStream) -> None:
        async with stream:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = await stream.receive()
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                body += await stream.receive()
            self.received.append((method, target, headers, body))
            status, out_headers, out_body = self.answer(method, target, headers, body)
            reply = f"HTTP/1.1 {status} X\r\ncontent-length: {len(out_body)}\r\nconnection: close\r\n"
            reply += "".join(f"{k}: {v}\r\n" for k, v in out_headers.items())
            await stream.send(reply.encode("latin-1") + b"\r\n" + out_body)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@asynccontextmanager
async def running(*servers: RawServer) -> AsyncIterator[None]:
    async def serve(listener: anyio.abc.SocketListener, server: RawServer) -> None:
        async with listener:
            await listener.serve(server.handle)

    async with anyio.create_task_group() as tg:
        for server in servers:
            listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
            server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
            tg.start_soon(serve, listener, server)
        yield
        tg.cancel_scope.cancel()


def nothing(method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"{}"


def api_answering(storage: RawServer, *, redirect_to: RawServer | None = None) -> Answer:
    def answer(method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if redirect_to is not None:
            return 302, {"location": f"{redirect_to.origin}/api/v1/me"}, b""
        presign = {
            "upload_url": f"{storage.origin}/put/obj1?signature=s1&expires=9",
            "required_headers": {"Content-Type": "video/mp4", "x-upload-token": "tok"},
            "object_key": "uploads/obj1",
            "media_url": "https://media.example/obj1",
        }
        return 200, {"content-type": "application/json"}, json.dumps(presign).encode()

    return answer


@pytest.mark.parametrize("auth", ["bearer", "x-api-key"])
async def test_storage_redirect_is_not_followed_and_storage_never_sees_the_key(auth: str) -> None:
    elsewhere = RawServer(nothing)
    storage = RawServer(lambda m, t, h, b: (307, {"location": f"{elsewhere.origin}/steal"}, b""))
    api = RawServer(nothing)
    async with running(api, storage, elsewhere):
        api.answer = api_answering(storage)
        http = httpx.AsyncClient(follow_redirects=True, headers={"Authorization": f"Bearer {KEY}"})
        async with http, AsyncSume(KEY, base_url=f"{api.origin}/api/v1", http_client=http, auth=auth) as sume:  # type: ignore[arg-type]
            with pytest.raises(UploadError, match="redirect"):
                await sume.uploads.upload(b"video-bytes", purpose="asset_library_video", filename="v.mp4")
    assert elsewhere.received == []
    ((method, _, headers, body),) = storage.received
    assert method == "PUT" and body == b"video-bytes"
    assert not {"authorization", "x-api-key", "cookie"} & set(headers)
    assert headers["x-upload-token"] == "tok" and headers["content-length"] == "11"
    assert KEY in json.dumps(api.received[0][2])  # the API itself did get the key


async def test_api_redirect_to_another_host_never_receives_the_key() -> None:
    elsewhere = RawServer(nothing)
    api = RawServer(nothing)
    async with running(api, elsewhere):
        api.answer = api_answering(api, redirect_to=elsewhere)
        for auth in ("bearer", "x-api-key"):
            http = httpx.AsyncClient(follow_redirects=True)
            async with http, AsyncSume(KEY, base_url=f"{api.origin}/api/v1", http_client=http, auth=auth) as sume:  # type: ignore[arg-type]
                with pytest.raises(APIStatusError) as info:
                    await sume.account.me()
            assert info.value.status_code == 302
    assert elsewhere.received == []
    assert len(api.received) == 2


@pytest.mark.parametrize(
    "url", ["http://api.sume.example/api/v1", "http://192.168.1.10/api/v1", "http://0.0.0.0:80/api"]
)
def test_plain_http_non_loopback_base_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidInputError, match="https"):
        AsyncSume(KEY, base_url=url)
