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
    InvalidInputError,
    SumeError,
    status_error_class,
)
from ._logs import logger
from ._options import current_call
from ._retries import RetryPolicy, is_retryable_status, parse_retry_after
from ._version import __version__

USER_AGENT = f"sume-async/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"


class SharedPool:
    """What a client and every ``with_options`` copy of it share: the httpx client, the
    bound on requests in flight, and whether the root client has been closed."""

    def __init__(self, http: httpx.AsyncClient, limiter: anyio.Semaphore, *, owns_http: bool) -> None:
        self.http = http
        self.limiter = limiter
        self.owns_http = owns_http
        self.closed = False

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            if self.owns_http:
                await self.http.aclose()


class Requester:
    """Sends API requests for one :class:`~sume_async.AsyncSume`.

    ``pool.limiter`` bounds the requests in flight. Waiting for a slot here, rather than in
    httpx's pool, means thousands of concurrent callers queue without hitting the pool
    timeout, and the number of sockets never exceeds the bound. :meth:`derive` makes a
    requester with other options over the same pool (``AsyncSume.with_options``).
    """

    def __init__(
        self,
        *,
        pool: SharedPool,
        base_url: str,
        auth_headers: Mapping[str, str],
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.pool = pool
        self.http = pool.http
        self.limiter = pool.limiter
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.default_headers = dict(default_headers or {})
        self._auth_headers = dict(auth_headers)
        self._headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **self.default_headers,
            **auth_headers,
        }
        self._rng = random.Random()

    def derive(
        self,
        *,
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
        default_headers: Mapping[str, str],
    ) -> Requester:
        return Requester(
            pool=self.pool,
            base_url=self.base_url,
            auth_headers=self._auth_headers,
            timeout=timeout,
            retry=retry,
            default_headers=default_headers,
        )

    @property
    def closed(self) -> bool:
        return self.pool.closed

    def ensure_open(self) -> None:
        if self.pool.closed:
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
        call = current_call.get()
        timeout = self.timeout
        merged_headers = {**self._headers, **headers} if headers else self._headers
        if call is not None:
            if call.headers:
                merged_headers = {**self._headers, **call.headers, **(headers or {})}
            if call.query:
                params = _with_extra_query(params, call.query)
            if call.timeout is not False:
                timeout = call.timeout  # type: ignore[assignment]  # False means "not given"
        request = self.http.build_request(
            method.upper(),
            self.base_url + url,
            params=params,
            json=json,
            headers=merged_headers,
            timeout=timeout,
        )
        attempts = self.retry.max_retries + 1
        # The hot path does no logging work unless DEBUG is on: it is most of the overhead
        # the SDK adds over a bare httpx call.
        debug = logger.isEnabledFor(logging.DEBUG)
        capture = call.capture if call is not None else None
        timed = debug or capture is not None
        for attempt in range(1, attempts + 1):
            started = anyio.current_time() if timed else 0.0
            error: SumeError
            retry_after: float | None = None
            try:
                async with self.limiter:
                    self.ensure_open()  # checked once a slot is ours: close() may have run meanwhile
                    response = await self.http.send(request, follow_redirects=False)
            except httpx.TimeoutException as exc:
                error = APITimeoutError(method=request.method, path=_path(request), host=_host(request))
                error.__cause__ = exc  # API URLs carry no secrets; keep the detail for debugging
            except httpx.TransportError as exc:
                message = f"Connection error ({type(exc).__name__})."
                error = APIConnectionError(message, method=request.method, path=_path(request), host=_host(request))
                error.__cause__ = exc
            else:
                if response.is_success:
                    if debug:
                        _log_response(
                            request, response.status_code, response.headers.get("x-request-id"), attempt, started
                        )
                    if capture is not None:
                        capture.record(response, attempt, anyio.current_time() - started)
                    return response
                status = status_error(response)
                error, retry_after = status, status.retry_after
                if debug:
                    _log_response(request, response.status_code, status.request_id, attempt, started)
                if not is_retryable_status(response.status_code):
                    raise error
            if attempt == attempts:
                _log_give_up(request, error, attempt)
                raise error
            delay = self.retry.delay(attempt, retry_after, rng=self._rng)
            logger.info(
                "retrying %s %s in %.2fs (attempt %d of %d) after %s",
                request.method, _path(request), delay, attempt + 1, attempts, _describe(error),
            )  # fmt: skip
            await anyio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        await self.pool.aclose()


def _path(request: httpx.Request) -> str:
    """The encoded path as sent (ids stay visibly encoded), never the query."""
    return request.url.raw_path.split(b"?", 1)[0].decode("ascii", "replace")


def _host(request: httpx.Request) -> str:
    """``host:port`` of the request (the port even when it is the scheme's default)."""
    url = request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{port}"


def _with_extra_query(params: Mapping[str, Any] | None, extra: Mapping[str, str]) -> dict[str, Any]:
    if params:
        clash = next((key for key in extra if key in params), None)
        if clash is not None:
            raise InvalidInputError("extra_query", f"{clash!r} is set by this method; pass it as its argument")
        return {**params, **extra}
    return dict(extra)


def _log_give_up(request: httpx.Request, error: SumeError, attempts: int) -> None:
    request_id = error.request_id if isinstance(error, APIStatusError) else None
    logger.warning(
        "giving up on %s %s after %d attempt%s: %s request_id=%s",
        request.method, _path(request), attempts, "" if attempts == 1 else "s", _describe(error), request_id,
    )  # fmt: skip


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
