"""The one request the SDK builds itself: the presigned PUT to the storage host.

The PUT is built from scratch (not from the client's defaults) so it carries exactly
the presign's ``required_headers`` and ``Content-Length``: no Sume ``Authorization``
or ``X-Api-Key``, no cookies, no client-level auth. It goes through the same send path
as API requests (slot, retry decision, typed errors), as a storage request: redirects
are not followed, so the bytes and headers can never be sent on to another host, and
its URL never reaches a log. Errors never mention the signed URL or the object key.

The presign answer is checked before anything is sent: the upload URL follows the
same https rule as ``base_url``, and the headers must be header-safe text. Of its headers,
credentials and the framing headers (:data:`~sume_async._options.FRAMING_HEADERS`:
``Transfer-Encoding``, ``Connection``, ``Content-Length``, ...) are dropped: the SDK frames
the body itself, with exactly one ``Content-Length``, so the object stored is the bytes sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from typing import Any

import anyio
import httpx

from . import _validation as validation
from ._errors import APIConnectionError, APIResponseValidationError, APIStatusError, InvalidInputError, UploadError
from ._logs import logger
from ._options import FRAMING_HEADERS
from ._transport import CREDENTIAL_HEADERS, Requester
from ._upload_source import UploadSource

#: ``on_progress(sent_bytes, total_bytes)``; called as chunks go out.
ProgressCallback = Callable[[int, int], object]

#: Per-phase limits of the PUT. There is no total deadline (a large file takes as long as
#: it takes); a stalled network is caught by the write/read timeouts, a stalled source by
#: ``SOURCE_STALL_TIMEOUT``.
UPLOAD_TIMEOUT = httpx.Timeout(60.0, read=300.0)

#: How long the source may take to produce its next chunk before the upload fails.
SOURCE_STALL_TIMEOUT = 300.0

#: What the storage PUT is called in logs and errors: never its URL.
_LABEL = "<storage>"


def storage_target(
    upload_url: Any, required_headers: Any, *, allow_insecure_http: bool, local_network: bool = False
) -> tuple[httpx.URL, dict[str, str]]:
    """The presign's URL and headers, checked; ``APIResponseValidationError`` when they are unusable.

    As for downloads, a loopback, link-local or private address is a target only for a client
    on a loopback ``base_url`` (``local_network``: a local mock).
    """
    try:
        url = validation.service_url("upload_url", upload_url, allow_insecure_http=allow_insecure_http)
    except InvalidInputError as exc:
        raise APIResponseValidationError(f"Sume returned an unusable upload target ({exc.problem})") from None
    if not local_network and validation.is_local_address(url.host):
        raise APIResponseValidationError(
            "Sume returned an unusable upload target (a loopback, link-local or private address)"
        )
    if not isinstance(required_headers, Mapping):
        raise APIResponseValidationError("Sume returned upload headers that are not an object")
    headers: dict[str, str] = {}
    for name, value in required_headers.items():
        if not (_header_safe(name) and name and isinstance(value, str) and _header_safe(value, allow_space=True)):
            raise APIResponseValidationError("Sume returned an upload header that is not header-safe text")
        if name.lower() in _NOT_FORWARDED:
            logger.debug("storage header %r from the presign answer is not forwarded", name.lower())
        else:
            headers[name] = value
    return url, headers


#: Presign headers the PUT never carries: credentials, and framing that the SDK sets itself.
_NOT_FORWARDED = CREDENTIAL_HEADERS | FRAMING_HEADERS


def _header_safe(value: Any, *, allow_space: bool = False) -> bool:
    """Visible ASCII (and inner spaces for a value): what HTTP/1.1 sends as is, with no surrounding space."""
    low = 0x20 if allow_space else 0x21
    return (
        isinstance(value, str)
        and len(value) <= 8_192
        and value == value.strip(" ")
        and all(low <= ord(ch) <= 0x7E for ch in value)
    )


async def put_object(
    requester: Requester,
    *,
    upload_url: Any,
    required_headers: Any,
    source: UploadSource,
    on_progress: ProgressCallback | None = None,
    timeout: httpx.Timeout = UPLOAD_TIMEOUT,
    stall_timeout: float | None = None,
) -> None:
    """Stream ``source`` to ``upload_url``; retried (by the send path) when the source can be read again.

    Shares the client's connection pool and its bound on requests in flight, but none of
    its headers or auth.
    """
    url, headers = storage_target(
        upload_url,
        required_headers,
        allow_insecure_http=requester.allow_insecure_http,
        local_network=requester.local_network,
    )
    headers["Content-Length"] = str(source.size)
    # A request given a ``stream`` gets no default headers from httpx, so name the host here.
    headers["Host"] = url.netloc.decode("ascii")
    extensions = {"timeout": timeout.as_dict()}
    stall = SOURCE_STALL_TIMEOUT if stall_timeout is None else stall_timeout

    def build() -> httpx.Request:
        body = _Body(_counted(source, on_progress, stall))
        return httpx.Request("PUT", url, headers=headers, stream=body, extensions=extensions)

    try:
        response = await requester.send(build, label=_LABEL, storage=True, replayable=source.replayable, deadline=None)
    except APIStatusError as exc:
        if 300 <= exc.status_code < 400:
            raise UploadError(
                "Storage answered with a redirect; it was not followed", status_code=exc.status_code
            ) from None
        raise UploadError("Storage rejected the upload", status_code=exc.status_code) from None
    except APIConnectionError as exc:
        # The error names no URL: ``_LABEL`` stands in for it.
        raise UploadError(f"Upload failed: {exc}") from None
    logger.debug("storage PUT %d bytes -> %d", source.size, response.status_code)


class _Body(httpx.AsyncByteStream):
    """The request body: our own chunk generator, handed to httpx as is so that the send path can close it."""

    def __init__(self, chunks: AsyncGenerator[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncGenerator[bytes]:
        return self._chunks

    async def aclose(self) -> None:
        await self._chunks.aclose()


async def _counted(
    source: UploadSource, on_progress: ProgressCallback | None, stall_timeout: float
) -> AsyncGenerator[bytes]:
    """The source's chunks, checked against the declared size, timed and reported as they go."""
    sent = 0
    if on_progress is not None:
        on_progress(0, source.size)
    async with aclosing(source.stream()) as chunks:
        while True:
            with anyio.move_on_after(stall_timeout) as waiting:
                chunk = await anext(chunks, None)
            if waiting.cancelled_caught:
                raise UploadError(f"The source produced no data for {stall_timeout:g} s")
            if chunk is None:
                break
            sent += len(chunk)
            if sent > source.size:
                raise UploadError(f"The source yielded more than the declared {source.size} bytes")
            yield chunk
            if on_progress is not None:
                on_progress(sent, source.size)
    if sent != source.size:
        raise UploadError(f"The source ended after {sent} of the declared {source.size} bytes")
