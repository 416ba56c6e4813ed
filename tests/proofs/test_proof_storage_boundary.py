"""The storage boundary: what the presign answer may ask for, what a source may do, what logs see.

- An upload target is checked like ``base_url`` (https, a real port, header-safe headers)
  before a byte is sent; a bad one is the server's fault: ``APIResponseValidationError``.
- A storage URL never reaches httpx's INFO log, signed or not (storage that
  authenticates by header still has the object key in its path).
- A source that stalls (a pipe nobody writes to) is timed out and can be cancelled, and the
  abandoned read does not keep the process from exiting.
- A ``bytearray``/``memoryview`` is streamed from where it lies, never copied whole.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
from sdk_helpers import FAST_RETRY, KEY

from sume_async import APIResponseValidationError, AsyncSume, UploadError

pytestmark = pytest.mark.anyio

GOOD_URL = "https://storage.example/bucket/uploads/obj-7f3a?X-Sig=s3cr3t"


class _Body(httpx.AsyncByteStream):
    """A response body handed over as a stream, as a network transport does (never pre-decoded)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._data


class Storage(httpx.AsyncBaseTransport):
    """Answers the presign with ``target`` and counts the bytes PUT to storage (keeping none).

    Unlike ``httpx.MockTransport`` it does not read a request body whole first.
    """

    def __init__(self, **target: Any) -> None:
        self.target = {
            "object": "upload",
            "upload_url": GOOD_URL,
            "method": "PUT",
            "required_headers": {"Content-Type": "video/mp4"},
            "object_key": "uploads/obj-7f3a",
            "expires_at": "2030-01-01T00:00:00Z",
            **target,
        }
        self.put_bytes: list[int] = []
        self.storage_status = 200
        self.storage_headers: dict[str, str] = {}
        self.storage_body = b""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/api/v1/" not in str(request.url):
            size = 0
            async for chunk in request.stream:  # type: ignore[union-attr]
                size += len(chunk)
            self.put_bytes.append(size)
            return httpx.Response(self.storage_status, headers=self.storage_headers, stream=_Body(self.storage_body))
        await request.aread()
        return httpx.Response(200, json=self.target)


def make(storage: Storage) -> AsyncSume:
    http = httpx.AsyncClient(transport=storage)
    return AsyncSume(KEY, http_client=http, retry_policy=FAST_RETRY)


async def upload(sume: AsyncSume, source: Any = b"0123456789", **kwargs: Any) -> Any:
    kwargs.setdefault("filename", "a.mp4")
    return await sume.uploads.upload(source, purpose="asset_library_video", **kwargs)


@pytest.mark.parametrize(
    "target",
    [
        {"upload_url": "http://storage.example/bucket/uploads/obj-7f3a"},  # clear text, not loopback
        {"upload_url": "https://storage.example:99999/bucket/obj"},  # no such port
        {"upload_url": "https://storage.example:0/bucket/obj"},
        {"upload_url": "ftp://storage.example/obj"},
        {"upload_url": "https://user:pw@storage.example/obj"},
        {"upload_url": 12345},
        {"upload_url": None},
        {"required_headers": {"Content-Type": "vidéo/mp4"}},  # not ASCII
        {"required_headers": {"Content-Type": 5}},
        {"required_headers": {"Content-Type": None}},
        {"required_headers": {"X-Token": "a\r\nInjected: 1"}},
        {"required_headers": {"Bad Name": "x"}},
        {"required_headers": ["Content-Type", "video/mp4"]},
        {"required_headers": "Content-Type: video/mp4"},
        {"object_key": 7},
        {"object_key": ""},
    ],
)
async def test_an_unusable_upload_target_sends_nothing(target: dict[str, Any]) -> None:
    storage = Storage(**target)
    async with make(storage) as sume:
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError):
            await upload(sume)
    assert storage.put_bytes == []


async def test_loopback_http_storage_is_allowed_for_a_loopback_base_url() -> None:
    """As for a local mock; a client on the public API refuses it (``test_proof_download_https_rule.py``)."""
    storage = Storage(upload_url="http://127.0.0.1:9000/bucket/obj")
    http = httpx.AsyncClient(transport=storage)
    async with AsyncSume(KEY, base_url="http://127.0.0.1:9/api/v1", http_client=http, retry_policy=FAST_RETRY) as sume:
        await upload(sume)
    assert storage.put_bytes == [10]


@pytest.mark.parametrize("url", [GOOD_URL, "https://storage.example/bucket/uploads/obj-7f3a"])
async def test_storage_urls_never_reach_the_httpx_log(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Signed by query or authenticated by header: the object key is in the path either way."""
    storage = Storage(upload_url=url, required_headers={"Content-Type": "video/mp4", "X-Upload-Token": "tok"})
    with caplog.at_level(logging.DEBUG):
        async with make(storage) as sume:
            await upload(sume)
    messages = [record.getMessage() for record in caplog.records]
    assert any("storage.example" in m for m in messages), "httpx did not log the PUT at all"
    assert not [m for m in messages if "obj-7f3a" in m or "s3cr3t" in m]


async def test_a_storage_answer_that_is_not_the_gzip_it_claims_does_not_fail_the_upload() -> None:
    storage = Storage()
    storage.storage_headers = {"Content-Encoding": "gzip"}
    storage.storage_body = b"<xml>not gzip</xml>"
    async with make(storage) as sume:
        await upload(sume)
    storage.storage_status = 500
    async with make(storage) as sume:
        with pytest.raises(UploadError) as caught:
            await upload(sume)
    assert caught.value.status_code == 500 and "obj-7f3a" not in str(caught.value)


@pytest.fixture
def stalled_pipe() -> Any:
    """The read end of a pipe nobody writes to, like stdin of a stuck producer."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=0)
    yield reader
    os.close(write_fd)  # unblocks the abandoned reader thread with EOF
    reader.close()


async def test_a_stalled_unseekable_source_times_out(stalled_pipe: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sume_async._storage.SOURCE_STALL_TIMEOUT", 0.3)
    storage = Storage()
    async with make(storage) as sume:
        with anyio.fail_after(10), pytest.raises(UploadError, match="produced no data"):
            await upload(sume, stalled_pipe, size_bytes=100)


async def test_a_stalled_unseekable_source_can_be_cancelled(stalled_pipe: Any) -> None:
    storage = Storage()
    async with make(storage) as sume:
        with anyio.fail_after(10):
            with anyio.move_on_after(0.3) as scope:
                await upload(sume, stalled_pipe, size_bytes=100)
            assert scope.cancelled_caught
        assert sume._requester.limiter.value == 16  # the default bound: every slot came back


async def test_a_stalled_async_iterable_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sume_async._storage.SOURCE_STALL_TIMEOUT", 0.3)

    async def stuck() -> AsyncIterator[bytes]:
        yield b"x" * 10
        await anyio.sleep(3600)
        yield b"never"

    async with make(Storage()) as sume:
        with anyio.fail_after(10), pytest.raises(UploadError, match="produced no data"):
            await upload(sume, stuck(), size_bytes=100)


@pytest.mark.parametrize("kind", ["bytearray", "memoryview", "memoryview-of-ints"])
async def test_buffers_are_streamed_without_a_whole_copy(kind: str) -> None:
    size = 48 * 1024 * 1024
    buffer = bytearray(size)
    source: Any = {
        "bytearray": buffer,
        "memoryview": memoryview(buffer),
        "memoryview-of-ints": memoryview(buffer).cast("I"),  # not bytes-shaped: still its byte length
    }[kind]
    storage = Storage()
    async with make(storage) as sume:
        tracemalloc.start()
        try:
            await upload(sume, source)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert storage.put_bytes == [size]
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes: the buffer was copied whole"


_STALLED_UPLOAD_THEN_EXIT = """
import os, sys
import anyio, httpx
from sume_async import AsyncSume

def handler(request: httpx.Request) -> httpx.Response:
    target = {"object": "upload", "upload_url": "https://storage.example/obj", "method": "PUT",
              "required_headers": {}, "object_key": "uploads/obj", "expires_at": "2030-01-01T00:00:00Z"}
    return httpx.Response(200, json=target)

async def main() -> None:
    read_fd, _write_fd = os.pipe()  # the write end stays open and silent: a stuck producer
    reader = os.fdopen(read_fd, "rb", buffering=0)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # reads the PUT body: blocks on the pipe
    async with AsyncSume("sume_test_key", http_client=http) as sume:
        with anyio.move_on_after(0.3) as scope:
            await sume.uploads.upload(reader, purpose="asset_library_video", filename="a.mp4", size_bytes=100)
    print("cancelled" if scope.cancelled_caught else "not cancelled", flush=True)

anyio.run(main, backend=sys.argv[1])
"""


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_cancelled_upload_from_a_stalled_pipe_lets_the_process_exit(backend: str) -> None:
    """The abandoned read is in a daemon thread: the interpreter does not wait for it at exit."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _STALLED_UPLOAD_THEN_EXIT, backend], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the process did not exit: a reader thread blocked on the pipe keeps it alive")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cancelled"
