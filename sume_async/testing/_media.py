"""The mock's media host: the generated outputs of completed jobs, served on the mock's own origin.

A completed job's ``result.outputs[].url`` points here (``{origin}/media/jobs/{job_id}/{name}``),
so downloads can be tested end to end on loopback. The bytes are deterministic (a seeded
stream, with the format's magic bytes up front) and of a realistic size for their type, and
:func:`media_file` gives the size and SHA-256 a test compares a downloaded file with. Like the
storage host, it refuses any request that carries Sume credentials (and records it).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator, Iterator

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ._lifecycle import MEDIA_PREFIX, job_state
from ._runtime import Runtime
from ._state import CredentialLeak

__all__ = ["MEDIA_ROUTE", "MediaRoute", "media_chunks", "media_file"]

MEDIA_ROUTE = "GET /media/jobs/{jobId}/{name}"
CHUNK = 64 * 1024
_CREDENTIAL_HEADERS = ("authorization", "x-api-key")
_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "video/mp4": b"\x00\x00\x00\x18ftypmp42"}


def media_file(job_id: str, name: str, content_type: str) -> tuple[int, str]:
    """``(size, sha256 hex)`` of one output: images 0.5–1 MiB, videos 1–2 MiB."""
    size = _size(job_id, name, content_type)
    digest = hashlib.sha256()
    for chunk in media_chunks(job_id, name, content_type):
        digest.update(chunk)
    return size, digest.hexdigest()


def _seed(job_id: str, name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{job_id}/{name}".encode()).digest()[:8], "big")


def _size(job_id: str, name: str, content_type: str) -> int:
    base = 512 * 1024 if content_type.startswith("image/") else 1024 * 1024
    return base + _seed(job_id, name) % base


def media_chunks(job_id: str, name: str, content_type: str) -> Iterator[bytes]:
    """The output's bytes, in chunks of at most 64 KiB."""
    size = _size(job_id, name, content_type)
    rng = random.Random(_seed(job_id, name))
    magic = _MAGIC.get(content_type, b"")
    sent = 0
    while sent < size:
        n = min(CHUNK, size - sent)
        chunk = rng.randbytes(n)
        if sent == 0 and magic:
            chunk = magic + chunk[len(magic) :]
        sent += n
        yield chunk


class MediaRoute:
    """ASGI handler for ``GET /media/jobs/{job_id}/{name}``; returns the status sent."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> int:
        headers = {k.decode("latin-1").lower(): v for k, v in scope["headers"]}
        leaked = tuple(name for name in _CREDENTIAL_HEADERS if name in headers)
        store = self.runtime.store
        if leaked:
            with store.lock:
                store.credential_leaks.append(CredentialLeak(scope["method"], "/media/...", leaked, request_id))
            return await _reply(scope, receive, send, 403)
        if scope["method"] != "GET":
            return await _reply(scope, receive, send, 405)
        job_id, _, name = scope["path"][len(MEDIA_PREFIX) + len("jobs/") :].partition("/")
        with store.lock:
            store.route_counts[MEDIA_ROUTE] += 1
            job = store.jobs.get(job_id)
            status = job_state(job, self.runtime.clock.now())[0] if job is not None else None
            outputs = job.result.get("outputs", []) if job is not None else []
        output = next((o for o in outputs if str(o.get("url", "")).rsplit("/", 1)[-1] == name), None)
        if status != "completed" or output is None:
            return await _reply(scope, receive, send, 404)
        content_type = str(output["content_type"])
        size = _size(job_id, name, content_type)
        response = StreamingResponse(
            _stream(job_id, name, content_type),
            200,
            {"Content-Length": str(size), "X-Request-Id": request_id},
            content_type,
        )
        await response(scope, receive, send)
        return 200


async def _stream(job_id: str, name: str, content_type: str) -> AsyncIterator[bytes]:
    for chunk in media_chunks(job_id, name, content_type):
        yield chunk


async def _reply(scope: Scope, receive: Receive, send: Send, status: int) -> int:
    await Response(b"", status)(scope, receive, send)
    return status
