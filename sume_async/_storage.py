"""The one request the SDK builds itself: the presigned PUT to the storage host.

The PUT is built from scratch (not from the client's defaults) so it carries exactly
the presign's ``required_headers`` and ``Content-Length``: no Sume ``Authorization``
or ``X-Api-Key``, no cookies, no client-level auth. Redirects are not followed, so
the bytes and headers can never be sent on to another host. Errors never mention the
signed URL or the object key.
"""

from __future__ import annotations

import random
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing

import anyio
import httpx

from ._errors import UploadError
from ._logs import logger
from ._retries import is_retryable_status
from ._transport import Requester
from ._upload_source import UploadSource

#: ``on_progress(sent_bytes, total_bytes)``; called as chunks go out.
ProgressCallback = Callable[[int, int], object]

_CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})

UPLOAD_TIMEOUT = httpx.Timeout(60.0, read=300.0)


async def put_object(
    requester: Requester,
    *,
    upload_url: str,
    required_headers: Mapping[str, str],
    source: UploadSource,
    on_progress: ProgressCallback | None = None,
    timeout: httpx.Timeout = UPLOAD_TIMEOUT,
) -> None:
    """Stream ``source`` to ``upload_url``; retry when the source can be read again.

    Shares the client's connection pool and its bound on requests in flight, but none of
    its headers or auth.
    """
    headers = {k: v for k, v in required_headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "host")}
    headers["Content-Length"] = str(source.size)
    url = httpx.URL(upload_url)
    # A request given a ``stream`` gets no default headers from httpx, so name the host here.
    headers["Host"] = url.netloc.decode("ascii")
    retry = requester.retry
    attempts = retry.max_retries + 1 if source.replayable else 1
    rng = random.Random()
    for attempt in range(1, attempts + 1):
        body = _Body(_counted(source, on_progress))
        request = httpx.Request(
            "PUT", upload_url, headers=headers, stream=body, extensions={"timeout": timeout.as_dict()}
        )
        started = anyio.current_time()
        try:
            async with requester.limiter:
                requester.ensure_open()
                response = await requester.http.send(request, auth=None, follow_redirects=False)
        except httpx.TransportError as exc:
            requester.ensure_open()  # closed mid-upload: say so, do not retry
            failure = UploadError(f"Upload failed: {type(exc).__name__}")
            retryable = True
        else:
            elapsed = anyio.current_time() - started
            logger.debug(
                "storage PUT %d bytes -> %d attempt=%d elapsed=%.3fs",
                source.size, response.status_code, attempt, elapsed,
            )  # fmt: skip
            if response.is_success:
                return
            if response.is_redirect:
                raise UploadError(
                    "Storage answered with a redirect; it was not followed", status_code=response.status_code
                )
            failure = UploadError("Storage rejected the upload", status_code=response.status_code)
            retryable = is_retryable_status(response.status_code)
        finally:
            # httpx does not close a request body it did not finish (a cancel, an error):
            # close it here so the source's file is closed now, not at garbage collection.
            with anyio.CancelScope(shield=True):
                await body.aclose()
        if not retryable or attempt == attempts:
            raise failure
        delay = retry.delay(attempt, rng=rng)
        logger.info("retrying storage PUT in %.2fs (attempt %d of %d)", delay, attempt + 1, attempts)
        await anyio.sleep(delay)


class _Body(httpx.AsyncByteStream):
    """The request body: our own chunk generator, handed to httpx as is so that we can close it."""

    def __init__(self, chunks: AsyncGenerator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncGenerator[bytes]:
        return self._chunks

    async def aclose(self) -> None:
        await self._chunks.aclose()


async def _counted(source: UploadSource, on_progress: ProgressCallback | None) -> AsyncGenerator[bytes]:
    """The source's chunks, checked against the declared size and reported as they go."""
    sent = 0
    if on_progress is not None:
        on_progress(0, source.size)
    async with aclosing(source.stream()) as chunks:
        async for chunk in chunks:
            sent += len(chunk)
            if sent > source.size:
                raise UploadError(f"The source yielded more than the declared {source.size} bytes")
            yield chunk
            if on_progress is not None:
                on_progress(sent, source.size)
    if sent != source.size:
        raise UploadError(f"The source ended after {sent} of the declared {source.size} bytes")
