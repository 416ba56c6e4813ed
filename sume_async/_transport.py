"""Sending one API request: auth, timeout, the concurrency bound, retries, errors, logs.

The generated endpoint functions build the request arguments and parse the 2xx body;
everything between those two steps happens here. :class:`Requester` stands in for the
``httpx.AsyncClient`` that the generated code expects (it only ever calls
``.request(**kwargs)``), so the generated code never sees an error response, never
needs ``HTTPStatus(520)``, and auth applies even on a caller-supplied httpx client.
"""

from __future__ import annotations

import json
import logging
import platform
import random
from collections.abc import Mapping
from typing import Any

import anyio
import httpx

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    SumeError,
    status_error_class,
)
from ._logs import logger
from ._retries import RetryPolicy, is_retryable_status, parse_retry_after
from ._version import __version__

USER_AGENT = f"sume-async/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"


class Requester:
    """Sends API requests for one :class:`~sume_async.AsyncSume`.

    ``limiter`` bounds the requests in flight. Waiting for a slot here, rather than in
    httpx's pool, means thousands of concurrent callers queue without hitting the pool
    timeout, and the number of sockets never exceeds the bound.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        auth_headers: Mapping[str, str],
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
        limiter: anyio.Semaphore,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.limiter = limiter
        self.closed = False
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **auth_headers}
        self._rng = random.Random()

    def ensure_open(self) -> None:
        if self.closed:
            raise ClientClosedError()

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        **_: Any,
    ) -> httpx.Response:
        """Send, retrying what is safe to retry; return only a 2xx response."""
        request = self.http.build_request(
            method.upper(),
            self.base_url + url,
            params=params,
            json=json,
            headers={**self._headers, **(headers or {})},
            timeout=self.timeout,
        )
        attempts = self.retry.max_retries + 1
        # The hot path does no logging work unless DEBUG is on: it is most of the overhead
        # the SDK adds over a bare httpx call.
        debug = logger.isEnabledFor(logging.DEBUG)
        for attempt in range(1, attempts + 1):
            started = anyio.current_time() if debug else 0.0
            error: SumeError
            retry_after: float | None = None
            try:
                async with self.limiter:
                    self.ensure_open()  # checked once a slot is ours: close() may have run meanwhile
                    response = await self.http.send(request, follow_redirects=False)
            except httpx.TimeoutException as exc:
                error = APITimeoutError(method=request.method, path=_path(request))
                error.__cause__ = exc  # API URLs carry no secrets; keep the detail for debugging
            except httpx.TransportError as exc:
                message = f"Connection error ({type(exc).__name__})."
                error = APIConnectionError(message, method=request.method, path=_path(request))
                error.__cause__ = exc
            else:
                if response.is_success:
                    if debug:
                        _log_response(
                            request, response.status_code, response.headers.get("x-request-id"), attempt, started
                        )
                    return response
                status = status_error(response)
                error, retry_after = status, status.retry_after
                if debug:
                    _log_response(request, response.status_code, status.request_id, attempt, started)
                if not is_retryable_status(response.status_code):
                    raise error
            if attempt == attempts:
                raise error
            delay = self.retry.delay(attempt, retry_after, rng=self._rng)
            logger.info(
                "retrying %s %s in %.2fs (attempt %d of %d) after %s",
                request.method, _path(request), delay, attempt + 1, attempts, _describe(error),
            )  # fmt: skip
            await anyio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self, *, close_http: bool) -> None:
        self.closed = True
        if close_http:
            await self.http.aclose()


def _path(request: httpx.Request) -> str:
    """The encoded path as sent (ids stay visibly encoded), never the query."""
    return request.url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")


def _log_response(request: httpx.Request, status: int, request_id: str | None, attempt: int, started: float) -> None:
    logger.debug(
        "%s %s -> %d request_id=%s attempt=%d elapsed=%.3fs",
        request.method, _path(request), status, request_id, attempt, anyio.current_time() - started,
    )  # fmt: skip


def _describe(error: SumeError) -> str:
    if isinstance(error, APIStatusError):
        return f"status {error.status_code}"
    return type(error).__name__


def status_error(response: httpx.Response) -> APIStatusError:
    """An ``APIStatusError`` from any non-2xx response, envelope or not."""
    code: str | None = None
    message = f"HTTP {response.status_code} from the Sume API"
    details: Mapping[str, Any] | None = None
    request_id = response.headers.get("x-request-id")
    body = _json_or_none(response)
    if isinstance(body, Mapping):
        envelope = body.get("error")
        if isinstance(envelope, Mapping):
            code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
            if isinstance(envelope.get("message"), str):
                message = envelope["message"]
            if isinstance(envelope.get("details"), Mapping):
                details = envelope["details"]
        if isinstance(body.get("request_id"), str):
            request_id = body["request_id"]
    elif 300 <= response.status_code < 400:
        message = "Unexpected redirect from the Sume API; it was not followed"
    elif response.content:
        message += " (body is not the JSON error envelope)"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return status_error_class(response.status_code)(
        status_code=response.status_code,
        code=code,
        message=message,
        details=details,
        request_id=request_id,
        retry_after=retry_after,
    )


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content or len(response.content) > 1_000_000:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
