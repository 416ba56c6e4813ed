"""The https rule for media and storage: a client on a public API fetches nothing local.

A client whose ``base_url`` is a public https API refuses to download (or upload to) plain
http, loopback, link-local and private addresses, in any spelling the resolver accepts,
directly or via a redirect; nothing is sent to them. A client on a loopback ``base_url``
(the mock) may fetch them. The loopback media host here is a raw socket server: it records
every request that reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest
from hostile_server import hostile_server, response
from sdk_helpers import KEY

from sume_async import APIResponseValidationError, AsyncSume, DownloadError, JobWithResult, RetryPolicy

pytestmark = pytest.mark.anyio

NO_RETRY = RetryPolicy(max_retries=0)
PNG = b"\x89PNG" + bytes(100)
MEDIA = response(200, PNG, {"Content-Type": "image/png"})


def _result(url: str) -> JobWithResult:
    output = {"url": url, "content_type": "image/png"}
    return JobWithResult.from_dict(
        {"id": "job_1", "status": "completed", "type": "image_generation", "result": {"outputs": [output]}}
    )


LOOPBACK_SPELLINGS: list[Callable[[int], str]] = [
    lambda port: f"http://127.0.0.1:{port}/m/1.png",
    lambda port: f"http://localhost:{port}/m/1.png",
    lambda port: f"https://127.0.0.1:{port}/m/1.png",  # https does not make loopback public
    lambda port: f"http://127.1:{port}/m/1.png",
    lambda port: f"http://2130706433:{port}/m/1.png",
    lambda port: f"http://0x7f.0.0.1:{port}/m/1.png",
    lambda port: f"http://[::ffff:127.0.0.1]:{port}/m/1.png",
    lambda port: f"http://localhost.:{port}/m/1.png",
]


@pytest.mark.parametrize("spelling", range(len(LOOPBACK_SPELLINGS)))
async def test_a_public_client_never_downloads_from_loopback(spelling: int, tmp_path: Path) -> None:
    async with hostile_server(lambda _r, _i: MEDIA) as server, AsyncSume(KEY, retry_policy=NO_RETRY) as sume:
        url = LOOPBACK_SPELLINGS[spelling](server.port)
        with anyio.fail_after(20), pytest.raises(DownloadError) as caught:
            await sume.jobs.download(_result(url), tmp_path)
    assert server.requests == []
    assert str(server.port) not in str(caught.value) and "127" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


class Recording(httpx.AsyncBaseTransport):
    """The SDK's transport: records each request; media answers per URL, redirects included."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        self.answers = answers
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        answer = self.answers.get(str(request.url), httpx.Response(200, content=PNG))
        return httpx.Response(answer.status_code, headers=answer.headers, content=PNG)


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn.example/m/1.png",  # plain http to a public host
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "https://169.254.169.254/m/1.png",
        "https://10.0.0.7/m/1.png",
        "https://192.168.1.20/m/1.png",
        "https://172.16.5.5/m/1.png",
        "https://100.64.0.1/m/1.png",
        "https://[fd00::1]/m/1.png",
        "https://[fe80::1]/m/1.png",
        "https://0.0.0.0/m/1.png",
        "https://media.localhost/m/1.png",
    ],
)
async def test_a_public_client_never_downloads_plain_http_or_private_addresses(url: str, tmp_path: Path) -> None:
    transport = Recording({})
    async with AsyncSume(KEY, transport=transport, retry_policy=NO_RETRY) as sume:
        with anyio.fail_after(20), pytest.raises(DownloadError):
            await sume.jobs.download(_result(url), tmp_path)
    assert transport.seen == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/m/1.png",
        "http://localhost:{port}/m/1.png",
        "https://127.0.0.1:{port}/m/1.png",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/m/1.png",
        "http://cdn.example/m/2.png",
    ],
)
async def test_a_redirect_to_a_local_or_plain_http_address_is_refused(location: str, tmp_path: Path) -> None:
    async with hostile_server(lambda _r, _i: MEDIA) as server:
        target = location.format(port=server.port)
        transport = Recording({"https://cdn.example/m/1.png": httpx.Response(302, headers={"Location": target})})
        async with AsyncSume(KEY, transport=transport, retry_policy=NO_RETRY) as sume:
            with anyio.fail_after(20), pytest.raises(DownloadError, match="redirect"):
                await sume.jobs.download(_result("https://cdn.example/m/1.png"), tmp_path)
    assert transport.seen == ["https://cdn.example/m/1.png"]
    assert server.requests == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_client_on_a_loopback_base_url_downloads_local_media(host: str, tmp_path: Path) -> None:
    async with (
        hostile_server(lambda _r, _i: MEDIA) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(20):
            (path,) = await sume.jobs.download(_result(f"http://{host}:{server.port}/m/1.png"), tmp_path)
    assert path.read_bytes() == PNG and len(server.requests) == 1


async def test_a_public_https_media_url_is_downloaded(tmp_path: Path) -> None:
    transport = Recording({})
    async with AsyncSume(KEY, transport=transport, retry_policy=NO_RETRY) as sume:
        (path,) = await sume.jobs.download(_result("https://cdn.example/m/1.png"), tmp_path)
    assert path.read_bytes() == PNG and transport.seen == ["https://cdn.example/m/1.png"]


class Presign(httpx.AsyncBaseTransport):
    """Answers the presign with ``upload_url``; records every request."""

    def __init__(self, upload_url: str) -> None:
        self.upload_url = upload_url
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.host}")
        await request.aread()
        target = {
            "object": "upload",
            "upload_url": self.upload_url,
            "method": "PUT",
            "required_headers": {},
            "object_key": "uploads/obj",
            "expires_at": "2030-01-01T00:00:00Z",
        }
        return httpx.Response(200, json=target)


@pytest.mark.parametrize(
    "upload_url",
    [
        "http://127.0.0.1:9000/bucket/obj",
        "http://localhost:9000/bucket/obj",
        "https://127.0.0.1/bucket/obj",
        "https://169.254.169.254/bucket/obj",
        "https://10.0.0.7/bucket/obj",
        "https://[::1]/bucket/obj",
    ],
)
async def test_a_public_client_never_uploads_to_a_local_address(upload_url: str) -> None:
    transport = Presign(upload_url)
    async with AsyncSume(KEY, transport=transport, retry_policy=NO_RETRY) as sume:
        with pytest.raises(APIResponseValidationError, match="upload target"):
            await sume.uploads.upload(b"0123", purpose="asset_library_video", filename="a.mp4")
    assert [entry.split(" ")[0] for entry in transport.seen] == ["POST"]


async def test_allow_insecure_http_does_not_open_media_downloads_to_plain_http(tmp_path: Path) -> None:
    transport = Recording({})
    async with AsyncSume(
        KEY, base_url="http://staging.example/api/v1", allow_insecure_http=True, transport=transport
    ) as sume:
        with pytest.raises(DownloadError, match="only https"):
            await sume.jobs.download(_result("http://cdn.example/m/1.png"), tmp_path)
    assert transport.seen == []
