"""Bytes on the wire, read and written exactly, against a raw loopback server.

- A presign answer's framing headers (``Transfer-Encoding: chunked``, ``Connection``,
  ``Content-Length``, ...) are never sent: the PUT carries one ``Content-Length`` and the
  body exactly as the source holds it, never chunk-framed.
- A gzip body of several members is decoded whole, in an API answer and in a download,
  and trailing junk after it is an error, never silently dropped.
- A raw deflate body (no zlib header) is decoded as httpx decodes it.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import anyio
import pytest
from hostile_server import Step, hostile_server, json_response, response
from sdk_helpers import KEY, job

from sume_async import (
    APIResponseValidationError,
    AsyncSume,
    DownloadError,
    InvalidInputError,
    JobWithResult,
    RetryPolicy,
)

pytestmark = pytest.mark.anyio

NO_RETRY = RetryPolicy(max_retries=0)
SOURCE = bytes(range(256)) * 64  # 16 KiB the server can compare byte for byte


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _split(data: bytes, parts: int) -> list[bytes]:
    step = -(-len(data) // parts)
    return [data[i : i + step] for i in range(0, len(data), step)]


def _gzip_members(data: bytes, parts: int = 3) -> bytes:
    return b"".join(gzip.compress(piece) for piece in _split(data, parts))


def _head_and_body(raw: bytes) -> tuple[dict[str, list[str]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers: dict[str, list[str]] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return headers, body


@pytest.mark.parametrize(
    "framing",
    [
        {"Transfer-Encoding": "chunked"},
        {"transfer-encoding": "chunked", "Connection": "close"},
        {"Content-Length": "5"},
        {"Keep-Alive": "timeout=5", "TE": "trailers", "Trailer": "X-Checksum", "Upgrade": "h2c"},
        {"Expect": "100-continue"},
    ],
)
async def test_a_presign_answers_framing_headers_are_never_forwarded(framing: dict[str, str]) -> None:
    port = 0

    def script(request: str, _index: int) -> Sequence[Step]:
        if request.startswith("POST /api/v1/uploads/presign"):
            target = {
                "object": "upload",
                "upload_url": f"http://127.0.0.1:{port}/bucket/obj",
                "method": "PUT",
                "required_headers": {"Content-Type": "video/mp4", **framing},
                "object_key": "uploads/obj",
                "expires_at": "2030-01-01T00:00:00Z",
            }
            return json_response(200, target)
        return response(200, b"")

    async with hostile_server(script) as server:
        port = server.port
        async with AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume:
            with anyio.fail_after(20):
                await sume.uploads.upload(SOURCE, purpose="asset_library_video", filename="a.mp4")
    assert [r.split(" ")[0] for r in server.requests] == ["POST", "PUT"]
    headers, body = _head_and_body(server.raw[1])
    assert headers["content-length"] == [str(len(SOURCE))]
    assert "transfer-encoding" not in headers
    sent_framing = {name.lower() for name in framing} - {"content-length"}
    assert not sent_framing & set(headers)
    assert body == SOURCE  # exactly the source: no chunk framing around it


@pytest.mark.parametrize("value", [" video/mp4", "video/mp4 ", "video/mp4\t"])
async def test_a_presign_header_with_surrounding_space_sends_nothing(value: str) -> None:
    def script(request: str, _index: int) -> Sequence[Step]:
        target = {
            "object": "upload",
            "upload_url": "http://127.0.0.1:9/bucket/obj",
            "method": "PUT",
            "required_headers": {"Content-Type": value},
            "object_key": "uploads/obj",
            "expires_at": "2030-01-01T00:00:00Z",
        }
        return json_response(200, target)

    async with (
        hostile_server(script) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(20), pytest.raises(APIResponseValidationError):
            await sume.uploads.upload(SOURCE, purpose="asset_library_video", filename="a.mp4")
    assert len(server.requests) == 1


@pytest.mark.parametrize("value", [" x", "x ", "\tx", "x\t"])
async def test_a_header_with_surrounding_whitespace_is_refused_before_sending(value: str) -> None:
    async with hostile_server(lambda _r, _i: json_response(200, job())) as server:
        with pytest.raises(InvalidInputError, match="default_headers"):
            AsyncSume(KEY, base_url=server.base_url, default_headers={"X-Trace": value})
        async with AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume:
            with pytest.raises(InvalidInputError, match="default_headers"):
                sume.with_options(default_headers={"X-Trace": value})
            with pytest.raises(InvalidInputError, match="extra_headers"):
                await sume.jobs.get("job_1", extra_headers={"X-Trace": value})
    assert server.requests == []


ENCODED: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip-members": ("gzip", _gzip_members),
    "gzip-members-padded": ("gzip", lambda data: _gzip_members(data) + b"\0" * 8),
    "gzip-one-byte-members": ("gzip", lambda data: _gzip_members(data, parts=len(data))),
    "raw-deflate": ("deflate", _raw_deflate),
    "zlib-deflate": ("deflate", zlib.compress),
}


@pytest.mark.parametrize("kind", sorted(ENCODED))
async def test_an_api_answer_is_decoded_whole(kind: str) -> None:
    encoding, encode = ENCODED[kind]
    expected = job(prompt="p" * 200)
    body = encode(json.dumps(expected).encode())
    async with (
        hostile_server(lambda _r, _i: response(200, body, {"Content-Encoding": encoding})) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(20):
            got = await sume.jobs.get("job_1")
    assert got.id == "job_1"


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(b'{"id": "job_1"}') + b"trailing junk",
        gzip.compress(b'{"id": "job_1"}') + gzip.compress(b"more")[:-4],  # a second member cut short
        zlib.compress(b'{"id": "job_1"}') + b"x",
    ],
    ids=["gzip-junk", "gzip-cut-member", "deflate-junk"],
)
async def test_bytes_after_a_compressed_stream_are_an_error_not_dropped(body: bytes) -> None:
    encoding = "deflate" if body.startswith(b"x") else "gzip"
    async with (
        hostile_server(lambda _r, _i: response(200, body, {"Content-Encoding": encoding})) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(20), pytest.raises(APIResponseValidationError, match="Content-Encoding"):
            await sume.jobs.get("job_1")


def _result(url: str) -> JobWithResult:
    output = {"url": url, "content_type": "image/png"}
    return JobWithResult.from_dict(
        {"id": "job_1", "status": "completed", "type": "image_generation", "result": {"outputs": [output]}}
    )


MEDIA = bytes(range(256)) * 4096  # 1 MiB


@pytest.mark.parametrize("kind", sorted(ENCODED))
async def test_a_download_is_decoded_whole(kind: str, tmp_path: Path) -> None:
    encoding, encode = ENCODED[kind]
    body = encode(MEDIA) if kind != "gzip-one-byte-members" else _gzip_members(MEDIA, parts=4096)
    media = response(200, body, {"Content-Encoding": encoding, "Content-Type": "image/png"})
    async with (
        hostile_server(lambda _r, _i: media) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(30):
            (path,) = await sume.jobs.download(_result(f"http://127.0.0.1:{server.port}/m/1.png"), tmp_path)
    assert path.read_bytes() == MEDIA


async def test_a_download_with_junk_after_its_gzip_leaves_no_file(tmp_path: Path) -> None:
    media = response(200, gzip.compress(MEDIA) + b"junk", {"Content-Encoding": "gzip", "Content-Type": "image/png"})
    async with (
        hostile_server(lambda _r, _i: media) as server,
        AsyncSume(KEY, base_url=server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(30), pytest.raises(DownloadError, match="Content-Encoding"):
            await sume.jobs.download(_result(f"http://127.0.0.1:{server.port}/m/1.png"), tmp_path)
    assert list(tmp_path.iterdir()) == []
