"""Uploads through a scripted transport: sources, headers, retries, progress."""

from __future__ import annotations

import io
import json
from pathlib import Path

import anyio
import httpx
import pytest
from sdk_helpers import FAST_RETRY, KEY, job

from sume_async import AsyncSume, InvalidInputError, UploadError

pytestmark = pytest.mark.anyio

UPLOAD_URL = "https://storage.example/bucket/obj-123?X-Sig=s3cr3tsig&X-Expires=99"


def presign_answer(request: httpx.Request) -> dict[str, object]:
    body = json.loads(request.content)
    return {
        "object": "upload",
        "upload_url": UPLOAD_URL,
        "method": "PUT",
        "required_headers": {"Content-Type": body["content_type"], "x-upload-token": "tok-1"},
        "object_key": "uploads/obj-123",
        "media_url": "https://media.example/private/obj-123",
        "expires_at": "2030-01-01T00:00:00Z",
    }


class Storage:
    def __init__(self, fail_first: int = 0, status: int = 503) -> None:
        self.puts: list[tuple[dict[str, str], bytes]] = []
        self.api: list[httpx.Request] = []
        self.fail_first = fail_first
        self.status = status

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "storage.example":
            body = b"".join([chunk async for chunk in request.stream])
            self.puts.append((dict(request.headers), body))
            if len(self.puts) <= self.fail_first:
                return httpx.Response(self.status)
            return httpx.Response(200)
        await request.aread()
        self.api.append(request)
        if request.url.path.endswith("/uploads/presign"):
            return httpx.Response(200, json=presign_answer(request))
        if request.url.path.endswith("/assets"):
            answer = {"object": "asset_upload", "asset_id": "asset_9", "job": job("job_ingest", type_="asset_ingest")}
            return httpx.Response(202, json=answer)
        return httpx.Response(404)


def make(storage: Storage, **kwargs: object):  # type: ignore[no-untyped-def]
    http = httpx.AsyncClient(transport=httpx.MockTransport(storage.handle), headers={"Cookie": "session=1"})
    kwargs.setdefault("retry_policy", FAST_RETRY)
    return AsyncSume(KEY, http_client=http, **kwargs)  # type: ignore[arg-type]


async def test_path_upload_streams_with_exactly_the_required_headers(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    data = bytes(range(256)) * 9000  # a bit over 2 MiB: several chunks
    video.write_bytes(data)
    storage = Storage()
    progress: list[tuple[int, int]] = []
    async with make(storage) as sume:
        uploaded = await sume.uploads.upload(
            video, purpose="face_swap_source_video", on_progress=lambda s, t: progress.append((s, t))
        )
    headers, body = storage.puts[0]
    assert body == data
    assert {k.lower() for k in headers} == {"host", "content-type", "x-upload-token", "content-length"}
    assert headers["content-length"] == str(len(data)) and headers["content-type"] == "video/mp4"
    presign = json.loads(storage.api[0].content)
    assert presign == {
        "filename": "clip.mp4",
        "content_type": "video/mp4",
        "size_bytes": len(data),
        "purpose": "face_swap_source_video",
    }
    assert progress[0] == (0, len(data)) and progress[-1] == (len(data), len(data))
    assert [s for s, _ in progress] == sorted(s for s, _ in progress)
    assert uploaded.media_url == "https://media.example/private/obj-123"
    assert "obj-123" not in repr(uploaded) and "media.example" not in repr(uploaded)


async def test_bytes_file_object_and_async_iterable_sources() -> None:
    storage = Storage()

    async def chunks():  # type: ignore[no-untyped-def]
        yield b"abc"
        yield b"def"

    async with make(storage) as sume:
        await sume.uploads.upload(b"raw-bytes", purpose="asset_library_video", filename="a.mov")
        await sume.uploads.upload(io.BytesIO(b"from-a-file"), purpose="asset_library_video", filename="b.mp4")
        await sume.uploads.upload(chunks(), purpose="asset_library_video", filename="c.mp4", size_bytes=6)
    assert [body for _, body in storage.puts] == [b"raw-bytes", b"from-a-file", b"abcdef"]
    assert storage.puts[0][0]["content-type"] == "video/quicktime"


async def test_retries_replayable_sources_on_5xx(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x" * 1000)
    storage = Storage(fail_first=2)
    async with make(storage) as sume:
        await sume.uploads.upload(video, purpose="asset_library_video")
    assert len(storage.puts) == 3 and all(body == b"x" * 1000 for _, body in storage.puts)


async def test_one_shot_sources_are_not_retried_and_errors_hide_the_url() -> None:
    storage = Storage(fail_first=5)

    async def chunks():  # type: ignore[no-untyped-def]
        yield b"abc"

    async with make(storage) as sume:
        with pytest.raises(UploadError) as info:
            await sume.uploads.upload(chunks(), purpose="asset_library_video", filename="c.mp4", size_bytes=3)
    assert len(storage.puts) == 1
    assert info.value.status_code == 503
    assert "s3cr3tsig" not in str(info.value) and "obj-123" not in str(info.value)


async def test_4xx_from_storage_is_not_retried() -> None:
    storage = Storage(fail_first=5, status=403)
    async with make(storage) as sume:
        with pytest.raises(UploadError):
            await sume.uploads.upload(b"abc", purpose="asset_library_video", filename="x.mp4")
    assert len(storage.puts) == 1


async def test_size_mismatch_is_an_upload_error() -> None:
    storage = Storage()

    async def chunks():  # type: ignore[no-untyped-def]
        yield b"abcdef"

    async with make(storage) as sume:
        with pytest.raises(UploadError, match="more than"):
            await sume.uploads.upload(chunks(), purpose="asset_library_video", filename="c.mp4", size_bytes=3)


@pytest.mark.parametrize(
    ("source", "kwargs", "field"),
    [
        ("/definitely/not/here.mp4", {}, "source"),
        (b"", {"filename": "e.mp4"}, "source"),
        (12345, {}, "source"),
        (io.StringIO("text"), {}, "source"),
        (b"abc", {"purpose": "selfie"}, "purpose"),
        (b"abc", {"filename": "../../etc/passwd"}, "filename"),
    ],
)
async def test_bad_sources_fail_before_presign(source: object, kwargs: dict[str, object], field: str) -> None:
    storage = Storage()
    kwargs = {"purpose": "asset_library_video", **kwargs}
    async with make(storage) as sume:
        with pytest.raises(InvalidInputError) as info:
            await sume.uploads.upload(source, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert storage.api == [] and storage.puts == []


async def test_empty_file_fails_before_presign(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    storage = Storage()
    async with make(storage) as sume:
        with pytest.raises(InvalidInputError, match="empty"):
            await sume.uploads.upload(empty, purpose="asset_library_video")
    assert storage.api == []


async def test_asset_upload_finalizes_and_returns_the_ingest_job() -> None:
    storage = Storage()
    async with make(storage) as sume:
        ingest = await sume.assets.upload(b"video-bytes", filename="ad.mp4", title="Launch ad")
    assert ingest.id == "job_ingest" and str(ingest.type_) == "asset_ingest"
    finalize = json.loads(storage.api[-1].content)
    assert finalize == {"object_key": "uploads/obj-123", "title": "Launch ad"}
    assert storage.api[-1].headers["idempotency-key"]


async def test_a_failed_upload_is_never_finalized() -> None:
    storage = Storage(fail_first=10)
    async with make(storage) as sume:
        with pytest.raises(UploadError):
            await sume.assets.upload(b"video-bytes", filename="ad.mp4")
    assert [r.url.path.rsplit("/", 1)[-1] for r in storage.api] == ["presign"]


async def test_cancelled_upload_is_never_finalized(tmp_path: Path) -> None:
    stalled = anyio.Event()

    async def slow_chunks():  # type: ignore[no-untyped-def]
        yield b"a" * 10
        stalled.set()
        await anyio.sleep(30)
        yield b"b" * 10

    storage = Storage()
    async with make(storage) as sume:
        with anyio.move_on_after(5) as scope:
            async with anyio.create_task_group() as tg:

                async def run() -> None:
                    await sume.assets.upload(slow_chunks(), filename="s.mp4", size_bytes=20)

                tg.start_soon(run)
                await stalled.wait()
                tg.cancel_scope.cancel()
        assert not scope.cancelled_caught
    assert not any(r.url.path.endswith("/assets") for r in storage.api)


async def test_credentials_never_reach_storage_even_from_client_defaults() -> None:
    storage = Storage()
    async with make(storage, auth="x-api-key") as sume:
        await sume.uploads.upload(b"abc", purpose="asset_library_video", filename="a.mp4")
    headers = {k.lower() for k in storage.puts[0][0]}
    assert not headers & {"authorization", "x-api-key", "cookie"}
    assert storage.api[0].headers["x-api-key"] == KEY


async def test_storage_redirects_are_not_followed() -> None:
    hosts: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.host == "storage.example":
            return httpx.Response(307, headers={"location": "https://elsewhere.example/put"})
        await request.aread()
        return httpx.Response(200, json=presign_answer(request))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
    async with AsyncSume(KEY, http_client=http) as sume:
        with pytest.raises(UploadError, match="redirect"):
            await sume.uploads.upload(b"abc", purpose="asset_library_video", filename="a.mp4")
    assert hosts.count("storage.example") == 1
    assert "elsewhere.example" not in hosts
    await http.aclose()
