"""The doctor's transport: every exchange the SDK makes, kept for checking against the snapshot.

The doctor drives an ordinary ``AsyncSume`` (auth, retries, typed errors, the SDK's own
parsing) whose transport is a :class:`Recorder` around the real one. Each response body is
read whole (up to a cap), kept decoded for the checks, and handed on unchanged, so the SDK
sees exactly what the server sent.

``rewrite_next`` changes the query of the next request: the doctor's deliberately invalid
request (``limit=0``) is sent through the same path as every other, although the SDK itself
refuses to build it.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ._contract import Exchange

__all__ = ["MAX_RECORDED_BYTES", "Recorder"]

#: The most of one body the doctor keeps (the SDK's own cap is larger; the doctor asks for small pages).
MAX_RECORDED_BYTES = 4 * 1024 * 1024


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport | None, *, base_path: str) -> None:
        #: Where requests go; set before the first request when not given here.
        self.inner = inner
        self.base_path = base_path.rstrip("/")
        self.exchanges: list[Exchange] = []
        self._rewrite: dict[str, str] | None = None

    def rewrite_next(self, query: Mapping[str, str]) -> None:
        """Send the next request with these query parameters replaced."""
        self._rewrite = dict(query)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._rewrite is not None:
            url = request.url
            for key, value in self._rewrite.items():
                url = url.copy_set_param(key, value)
            self._rewrite = None
            request = httpx.Request(
                request.method, url, headers=request.headers, stream=request.stream, extensions=request.extensions
            )
        if self.inner is None:
            raise httpx.ConnectError("the doctor's transport was not set up", request=request)
        response = await self.inner.handle_async_request(request)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > MAX_RECORDED_BYTES:
                    break
                chunks.append(chunk)
        finally:
            await response.aclose()
        raw = b"".join(chunks)
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=self._path(request.url),
                status=response.status_code,
                headers=httpx.Headers(response.headers),
                body=_decoded(response, raw) if size <= MAX_RECORDED_BYTES else None,
                query=dict(request.url.params),
            )
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            extensions=response.extensions,
            request=request,
        )

    def _path(self, url: httpx.URL) -> str:
        path = url.path
        return path[len(self.base_path) :] if self.base_path and path.startswith(self.base_path) else path

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()


def _decoded(response: httpx.Response, raw: bytes) -> bytes | None:
    """``raw`` with its Content-Encoding undone (``None`` when it cannot be)."""
    try:
        return httpx.Response(response.status_code, headers=response.headers, content=raw).read()
    except (httpx.DecodingError, ValueError):
        return None
