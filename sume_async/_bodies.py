"""Response bodies: decoded as they arrive, under a cap, never buffered whole first.

httpx's own decoders inflate each network chunk whole (64 KiB of gzip can become 64 MiB
at once), so a cap checked after them comes too late; here zlib's ``max_length`` bounds
every step. The SDK asks only for the encodings in :data:`ACCEPT_ENCODING`.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from ._errors import APIResponseValidationError

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "ERROR_BODY_BYTES",
    "BodyTooLarge",
    "BodyUndecodable",
    "Inflater",
    "decoded_body",
    "framed_within",
    "read_capped",
    "read_error_body",
    "with_body",
]

#: The default cap on a response body, after decompression. Sume's largest answers (a
#: page of 100 jobs with results) are far below it.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

#: How much of an error (non-2xx) body is read: an error envelope is small, the rest of
#: a CDN's HTML page is not needed.
ERROR_BODY_BYTES = 64 * 1024

#: The encodings :class:`_Inflater` decodes under the cap (httpx would offer br/zstd too when installed).
ACCEPT_ENCODING = "gzip, deflate"

_GZIP = 16 + zlib.MAX_WBITS


class BodyUndecodable(Exception):
    """The body is not what its ``Content-Encoding`` says (or an encoding the SDK did not ask for)."""


class Inflater:
    """Decodes a body as it arrives, never producing more than ``limit`` bytes from one input.

    gzip is a series of members (RFC 1952, 2.2): each is decoded, not only the first, and
    zero padding after one is skipped, as :mod:`gzip` does. deflate is a zlib stream or, as
    many servers send it and httpx reads it, a raw deflate stream: its first two bytes tell
    (a zlib header is a multiple of 31 with method 8). Bytes after the end of a deflate
    stream, or a last gzip member cut short, make the body undecodable: never dropped.
    """

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self._gzip = encoding in ("gzip", "x-gzip")
        #: deflate: the first bytes, held until there are two to tell zlib from raw deflate.
        self._head: bytes | None = None
        self._zlib: Any = None
        if encoding in ("", "identity"):
            pass
        elif self._gzip:
            self._zlib = zlib.decompressobj(_GZIP)
        elif encoding == "deflate":
            self._head = b""
        else:
            raise BodyUndecodable(encoding)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if self._head is not None:
            data = self._decide(self._head + data)
        if self._zlib is None:
            if self._head is None:  # identity
                yield data
            return
        try:
            while data:
                if self._zlib.eof:
                    data = self._after_stream(data)
                    continue
                out = self._zlib.decompress(data, max(limit, 0) + 1)
                data = self._zlib.unused_data if self._zlib.eof else self._zlib.unconsumed_tail
                if out:
                    yield out
        except zlib.error:
            raise BodyUndecodable("corrupt") from None

    def _decide(self, data: bytes) -> bytes:
        """deflate: pick zlib or raw deflate once two bytes are in; until then, keep them."""
        if len(data) < 2:
            self._head = data
            return b""
        self._head = None
        cmf, flg = data[0], data[1]
        is_zlib = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
        self._zlib = zlib.decompressobj() if is_zlib else zlib.decompressobj(-zlib.MAX_WBITS)
        return data

    def _after_stream(self, data: bytes) -> bytes:
        """Bytes after a complete stream: another gzip member (after any zero padding), or corruption."""
        if not self._gzip:
            raise BodyUndecodable("data after the end of the deflate stream")
        rest = data.lstrip(b"\0")
        if rest:
            self._zlib = zlib.decompressobj(_GZIP)
        return rest

    def finish(self) -> None:
        if self._head is not None or (self._zlib is not None and not self._zlib.eof):
            raise BodyUndecodable("truncated")


async def decoded_body(response: httpx.Response, cap: int) -> AsyncIterator[bytes]:
    """The body's decoded chunks: ``BodyTooLarge`` as soon as they pass ``cap`` bytes in all."""
    try:
        content = response.content  # read already: an in-memory transport such as httpx.MockTransport
    except httpx.ResponseNotRead:
        pass
    else:
        if len(content) > cap:
            raise BodyTooLarge()
        yield content
        return
    inflater = Inflater(response.headers.get("content-encoding", ""))
    size = 0
    async for raw in response.aiter_raw():
        for chunk in inflater.feed(raw, cap - size):
            size += len(chunk)
            if size > cap:
                raise BodyTooLarge()
            yield chunk
    inflater.finish()


class BodyTooLarge(Exception):
    """The decoded body passed its cap."""


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body of a 2xx response; refused as soon as it grows past ``cap`` bytes."""
    declared = response.headers.get("content-length", "")
    try:
        if declared.isdigit() and int(declared) > cap:
            raise BodyTooLarge()
        return b"".join([chunk async for chunk in decoded_body(response, cap)])
    except BodyTooLarge:
        message = f"Sume returned a body larger than max_response_bytes ({cap} bytes); it was not read"
    except BodyUndecodable:
        message = "Sume returned a body that cannot be decoded as its Content-Encoding says"
    raise APIResponseValidationError(
        message, status_code=response.status_code, request_id=response.headers.get("x-request-id")
    )


async def read_error_body(response: httpx.Response) -> bytes:
    """Enough of an error body for its envelope; one too large or unreadable counts as empty."""
    try:
        return b"".join([chunk async for chunk in decoded_body(response, ERROR_BODY_BYTES)])
    except (BodyTooLarge, BodyUndecodable):
        return b""


def with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """A closed, fully read response with the decoded ``body``, for the generated parser."""
    received = response.headers
    headers: httpx.Headers | list[tuple[str, str]] = received
    if "content-encoding" in received or received.get("content-length") != str(len(body)):
        headers = [(k, v) for k, v in received.multi_items() if k not in ("content-encoding", "content-length")]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )


def framed_within(response: httpx.Response, cap: int) -> bool:
    """A body with no ``Content-Encoding`` and a ``Content-Length`` of at most ``cap``.

    HTTP framing stops such a body at its declared length, so httpx can read it whole
    without the capped, step-by-step inflation that compressed or unframed bodies need.
    """
    headers = response.headers
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) <= cap and "content-encoding" not in headers
