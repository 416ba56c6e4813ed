"""The one request the SDK builds itself: the presigned PUT to the storage host.

The PUT is built from scratch (not from the client's defaults) so it carries exactly
the presign's ``required_headers`` and ``Content-Length``: no Sume ``Authorization``
or ``X-Api-Key``, no cookies, no client-level auth. Redirects are not followed, so
the bytes and headers can never be sent on to another host. Errors never mention the
signed URL or the object key.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Mapping

import anyio
import httpx

from .errors import UploadError
from .logs import logger
from .retries import RetryPolicy, is_retryable_status
from .upload_source import UploadSource

#: ``on_progress(sent_bytes, total_bytes)``; called as chunks go out.
ProgressCallback = Callable[[int, int], object]

_CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})

UPLOAD_TIMEOUT = httpx.Timeout(60.0, read=300.0)


async def put_object(
    http: httpx.AsyncClient,
    *,
    upload_url: str,
    required_headers: Mapping[str, str],
    source: UploadSource,
    retry: RetryPolicy,
    limiter: anyio.Semaphore,
    on_progress: ProgressCallback | None = None,
    timeout: httpx.Timeout = UPLOAD_TIMEOUT,
) -> None:
    """Stream ``source`` to ``upload_url``; retry when the source can be read again."""
    headers = {k: v for k, v in required_headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
    headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
    headers["Content-Length"] = str(source.size)
    attempts = retry.max_retries + 1 if source.replayable else 1
    rng = random.Random()
    for attempt in range(1, attempts + 1):
        request = httpx.Request(
            "PUT",
            upload_url,
            headers=headers,
            content=_counted(source, on_progress),
            extensions={"timeout": timeout.as_dict()},
        )
        started = anyio.current_time()
        try:
            async with limiter:
                response = await http.send(request, auth=None, follow_redirects=False)
        except UploadError:
            raise
        except httpx.TransportError as exc:
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
        if not retryable or attempt == attempts:
            raise failure
        delay = retry.delay(attempt, rng=rng)
        logger.info("retrying storage PUT in %.2fs (attempt %d of %d)", delay, attempt + 1, attempts)
        await anyio.sleep(delay)


async def _counted(source: UploadSource, on_progress: ProgressCallback | None) -> AsyncIterator[bytes]:
    """The source's chunks, checked against the declared size and reported as they go."""
    sent = 0
    if on_progress is not None:
        on_progress(0, source.size)
    async for chunk in source.stream():
        sent += len(chunk)
        if sent > source.size:
            raise UploadError(f"The source yielded more than the declared {source.size} bytes")
        yield chunk
        if on_progress is not None:
            on_progress(sent, source.size)
    if sent != source.size:
        raise UploadError(f"The source ended after {sent} of the declared {source.size} bytes")
