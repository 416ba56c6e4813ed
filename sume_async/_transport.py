"""Sending requests: one path for API calls, the storage PUT and downloads.

The generated endpoint functions build the request arguments and parse the 2xx body;
everything between those two steps happens here. :class:`Requester` stands in for the
``httpx.AsyncClient`` that the generated code expects (it only ever calls
``.request(method, url, params=, json=, headers=)``), so the generated code never sees
an error response, never needs ``HTTPStatus(520)``, and auth applies even on a
caller-supplied httpx client.

:meth:`Requester.send` is the one send path, a chain of small steps:

- a slot: wait for one of ``max_concurrent_requests`` (the wait is not timed);
- one attempt under the total deadline (connect, send, and the *whole* body);
- the body read in chunks after decompression, refused once past the cap;
- the outcome as a ``SumeError``, whatever httpx, the network or the server did;
- the retry decision (:func:`~sume_async._retries.should_retry`), and whether the
  request may be sent again at all (:func:`~sume_async._retries.may_resend`: never a POST
  without an ``Idempotency-Key``, never a body that cannot be read twice).

Requests to hosts that are not Sume (``storage=True``: the presigned PUT, a job's media)
get no client auth and keep their URL out of logs and errors. A download streams its
2xx body to a ``consume`` step (the file on disk) inside the attempt, and follows
redirects by a ``redirect`` rule, each hop a fresh request without credentials.
"""

from __future__ import annotations

import contextlib
import logging
import math
import platform
import random
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar, overload

import anyio
import anyio.lowlevel
import httpx

from ._bodies import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES, framed_within, read_capped, read_error_body, with_body
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    EventLoopError,
    InvalidInputError,
    SumeError,
)
from ._http import RequestBuilder
from ._logs import logger, private_url
from ._options import Capture, current_call
from ._retries import RetryPolicy, may_resend, report_rate_limit, should_retry
from ._status_errors import status_error
from ._validation import is_loopback
from ._version import __version__

USER_AGENT = f"sume-async/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"

_NO_CONTEXT = contextlib.nullcontext()

_HTTP_CLIENT_CLOSED = (
    "The http_client given to this AsyncSume client has been closed; keep it open while the client is used."
)

#: Client auth (an httpx client's own ``auth=``) applies to API requests, never to storage.
_CLIENT_AUTH: Any = httpx.USE_CLIENT_DEFAULT

#: Headers that carry credentials: never sent to storage, never carried over a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})

T = TypeVar("T")

#: Reads a streamed 2xx response inside the attempt (slot held, deadline running); what it
#: returns, :meth:`Requester.send` returns. Network errors it lets through are the attempt's
#: (retried by the one rule); a ``SumeError`` it raises ends the send as itself.
Consume = Callable[[httpx.Response], Awaitable[T]]

#: Given a 3xx response and the hop number (1 for the first), the URL to follow; it raises a
#: ``SumeError`` to refuse (a scheme, too many hops, no ``Location``).
Redirect = Callable[[httpx.Response, int], httpx.URL]


#: Set when :meth:`Requester.request` hands a 2xx response to the generated code, so the
#: caller can tell the parse step's errors from everything before it.
response_received: ContextVar[bool] = ContextVar("response_received", default=False)


def total_deadline(timeout: httpx.Timeout | None) -> float | None:
    """The deadline of one attempt: the largest of the timeout's phases (``None``: no deadline)."""
    if timeout is None:
        return None
    phases = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t is not None]
    return max(phases) if phases else None


class SharedPool:
    """What a client and every ``with_options`` copy of it share: the httpx client, the
    bound on requests in flight, and whether the root client has been closed."""

    def __init__(self, http: httpx.AsyncClient, limiter: anyio.Semaphore, *, owns_http: bool) -> None:
        self.http = http
        self.limiter = limiter
        self.owns_http = owns_http
        self.closed: bool = False
        #: The event loop the pool's connections belong to (set by the first request).
        self.loop: anyio.lowlevel.EventLoopToken | None = None

    def check_loop(self) -> None:
        """``EventLoopError`` when used from another event loop than the first one."""
        token = anyio.lowlevel.current_token()
        if self.loop is None:
            self.loop = token
        elif token != self.loop:
            raise EventLoopError()

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            if self.owns_http:
                await self.http.aclose()


class Requester:
    """Sends requests for one :class:`~sume_async.AsyncSume`.

    ``limiter`` bounds the requests in flight. Waiting for a slot here, rather than in
    httpx's pool, means thousands of concurrent callers queue without hitting the pool
    timeout, and the number of sockets never exceeds the bound.
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
    ) -> None:
        self.pool = pool
        self.http: httpx.AsyncClient = pool.http
        self.limiter: anyio.Semaphore = pool.limiter
        self.base_url: str = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self.allow_insecure_http = allow_insecure_http
        #: A loopback ``base_url`` (a local mock): only then may media and storage URLs be plain
        #: http or point at loopback, link-local or private addresses.
        self.local_network: bool = is_loopback(httpx.URL(self.base_url).host)
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self._auth_headers = dict(auth_headers)
        # Case-insensitive merge: a default header "user-agent" replaces the SDK's, never doubles it.
        headers = httpx.Headers(
            {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
        )
        headers.update(self.default_headers)
        headers.update(auth_headers)
        self._builder = RequestBuilder(pool.http, headers, timeout)
        self._rng = random.Random()
        self.deadline: float | None = total_deadline(timeout)

    @property
    def closed(self) -> bool:
        return self.pool.closed

    def ensure_open(self) -> None:
        if self.pool.closed:
            raise ClientClosedError()
        if self.http.is_closed:  # a caller's http_client, closed by its owner
            raise ClientClosedError(_HTTP_CLIENT_CLOSED)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An API request: send, retrying what is safe to retry; return only a 2xx response."""
        call = current_call.get()
        timeout: httpx.Timeout | bool | None = False  # False: the client's
        if call is not None:
            if call.headers:
                headers = {**call.headers, **headers} if headers else call.headers
            if call.query:
                params = _with_extra_query(params, call.query)
            timeout = call.timeout
        try:
            request = self._builder.build(
                method.upper(), self.base_url + url, params=params, json=json, headers=headers, timeout=timeout
            )
        except (TypeError, ValueError, UnicodeError) as exc:  # NaN in a body, a non-ASCII header
            raise InvalidInputError("request", f"cannot be encoded ({type(exc).__name__})") from None
        response = await self.send(
            lambda: request,
            label=_path(request),
            deadline=self.deadline if isinstance(timeout, bool) else total_deadline(timeout),
            capture=call.capture if call is not None else None,
        )
        response_received.set(True)
        return response

    @overload
    async def send(
        self,
        build: Callable[[], httpx.Request],
        *,
        label: str,
        deadline: float | None,
        storage: bool = False,
        replayable: bool = True,
        capture: Capture | None = None,
        consume: None = None,
        redirect: Redirect | None = None,
    ) -> httpx.Response: ...

    @overload
    async def send(
        self,
        build: Callable[[], httpx.Request],
        *,
        label: str,
        deadline: float | None,
        storage: bool = False,
        consume: Consume[T],
        redirect: Redirect | None = None,
    ) -> T: ...

    async def send(
        self,
        build: Callable[[], httpx.Request],
        *,
        label: str,
        deadline: float | None,
        storage: bool = False,
        replayable: bool = True,
        capture: Capture | None = None,
        consume: Consume[Any] | None = None,
        redirect: Redirect | None = None,
    ) -> Any:
        """The one send path: attempts of ``build()``, retried while the error says so and resending is safe.

        ``deadline`` bounds each attempt whole (``None``: only httpx's per-phase timeouts).
        ``storage`` requests (a host that is not Sume) get no client auth, and their URL is
        kept out of httpx's logs and errors (``label`` names the request instead).
        ``replayable=False``: the body can be read only once, so there is no second attempt.
        ``consume``: the 2xx body is streamed to it and its result returned (the response
        is not read here). ``redirect``: 3xx answers are followed by this rule (at most as
        many hops as it allows), each as a new request without credential headers; without
        it a redirect is an ``APIStatusError``.
        """
        attempts = self.retry.max_retries + 1
        attempt = 0
        while True:
            attempt += 1
            request = build()
            started = anyio.current_time() if capture is not None else 0.0
            try:
                response, consumed = await self._attempt(
                    request, label, attempt, storage=storage, deadline=deadline, consume=consume, redirect=redirect
                )
            except SumeError as error:
                report_rate_limit(error)  # a poll's 429 slows the client's poll gate, retried or not
                transient = should_retry(error)
                if (
                    attempt >= attempts
                    or not transient
                    or not replayable
                    or not may_resend(request.method, request.headers)
                ):
                    if transient:
                        _log_give_up(request.method, label, error, attempt)
                    raise
                retry_after = error.retry_after if isinstance(error, APIStatusError) else None
                delay = self.retry.delay(attempt, retry_after, rng=self._rng)
                logger.info(
                    "retrying %s %s in %.2fs (attempt %d of %d) after %s",
                    request.method, label, delay, attempt + 1, attempts, _describe(error),
                )  # fmt: skip
            else:
                if capture is not None:
                    capture.record(response, attempt, anyio.current_time() - started)
                return response if consume is None else consumed
            await anyio.sleep(delay)  # outside the except block: no exception context carried on

    async def _attempt(
        self,
        request: httpx.Request,
        label: str,
        attempt: int,
        *,
        storage: bool,
        deadline: float | None,
        consume: Consume[Any] | None,
        redirect: Redirect | None,
    ) -> tuple[httpx.Response, Any]:
        """One try: a slot, then the exchange under the deadline.

        A 2xx response (and what ``consume`` made of it), or a ``SumeError``.
        """
        self.pool.check_loop()
        # The hot path does no logging work unless DEBUG is on: it is most of the overhead
        # the SDK adds over a bare httpx call.
        debug = logger.isEnabledFor(logging.DEBUG)
        try:
            async with self.limiter:
                self.ensure_open()  # checked once a slot is ours: close() may have run meanwhile
                started = anyio.current_time() if debug else 0.0
                try:
                    # anyio.fail_after, without its two generator context managers per attempt.
                    scope = anyio.CancelScope(
                        deadline=math.inf if deadline is None else anyio.current_time() + deadline
                    )
                    with scope:
                        response, consumed = await self._exchange(
                            request, storage=storage, consume=consume, redirect=redirect
                        )
                    if scope.cancelled_caught:
                        raise TimeoutError
                except SumeError:
                    raise
                except RuntimeError:
                    # httpx refuses to send on a closed client with a bare RuntimeError.
                    self.ensure_open()
                    raise
                except (TimeoutError, httpx.TimeoutException) as exc:
                    self.ensure_open()
                    # API URLs carry no secrets: keep the cause for debugging, but not for storage.
                    raise APITimeoutError(**_where(request, label, storage)) from (None if storage else exc)
                except (httpx.HTTPError, httpx.StreamError, OSError) as exc:
                    # Connection trouble, a protocol violation, an undecodable body, ...
                    self.ensure_open()  # closed mid-request: say so, do not retry
                    message = f"Connection error ({type(exc).__name__})."
                    raise APIConnectionError(message, **_where(request, label, storage)) from (None if storage else exc)
        finally:
            # httpx does not close a request body it did not finish (a cancel, an error):
            # close it here so a source's file is closed now, not at garbage collection.
            # (An in-memory body, the API's JSON, holds nothing to release.)
            if isinstance(request.stream, httpx.AsyncByteStream) and type(request.stream) is not httpx.ByteStream:
                with anyio.CancelScope(shield=True):
                    await request.stream.aclose()
        if response.is_success:
            if debug:
                _log_response(
                    request.method, label, response.status_code, response.headers.get("x-request-id"), attempt, started
                )
            return response, consumed
        status = status_error(response)
        if debug:
            _log_response(request.method, label, response.status_code, status.request_id, attempt, started)
        raise status

    async def _exchange(
        self, request: httpx.Request, *, storage: bool, consume: Consume[Any] | None, redirect: Redirect | None
    ) -> tuple[httpx.Response, Any]:
        """Send ``request`` (following redirects by ``redirect``) and read its body, decompressed, up to the cap.

        With ``consume``, a 2xx body is handed to it instead, the response still open.
        """
        hops = 0
        while True:
            with private_url(request.url) if storage else _NO_CONTEXT:
                response = await self.http.send(
                    request, stream=True, follow_redirects=False, auth=None if storage else _CLIENT_AUTH
                )
            try:
                if redirect is not None and response.is_redirect:
                    hops += 1
                    request = _redirected(request, redirect(response, hops))
                    continue
                if response.is_success and consume is not None:
                    return response, await consume(response)
                if response.is_success and not storage and framed_within(response, self.max_response_bytes):
                    await response.aread()  # a plain body whose Content-Length is within the cap: as is
                    return response, None
                if response.is_success and not storage:
                    body = await read_capped(response, self.max_response_bytes)
                else:  # an error body, or storage's answer to a PUT: only a small, tolerant read
                    body = await read_error_body(response)
            finally:
                await response.aclose()
            return with_body(response, body), None

    async def aclose(self) -> None:
        await self.pool.aclose()


def _redirected(request: httpx.Request, url: httpx.URL) -> httpx.Request:
    """The next hop of a bodiless request: a GET of ``url`` with the same headers, minus credentials."""
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in CREDENTIAL_HEADERS | {"host"}]
    headers.append(("Host", url.netloc.decode("ascii")))
    return httpx.Request("GET", url, headers=headers, extensions=request.extensions)


def _where(request: httpx.Request, label: str, storage: bool) -> dict[str, str]:
    """Where a failed request went: storage errors name neither URL nor host; API errors do."""
    return {"method": request.method, "path": label, "host": "" if storage else _host(request)}


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


def _log_give_up(method: str, label: str, error: SumeError, attempts: int) -> None:
    request_id = error.request_id if isinstance(error, APIStatusError) else None
    logger.warning(
        "giving up on %s %s after %d attempt%s: %s request_id=%s",
        method, label, attempts, "" if attempts == 1 else "s", _describe(error), request_id,
    )  # fmt: skip


def _log_response(method: str, label: str, status: int, request_id: str | None, attempt: int, started: float) -> None:
    logger.debug(
        "%s %s -> %d request_id=%s attempt=%d elapsed=%.3fs",
        method, label, status, request_id, attempt, anyio.current_time() - started,
    )  # fmt: skip


def _describe(error: SumeError) -> str:
    if isinstance(error, APIStatusError):
        return f"status {error.status_code}"
    return type(error).__name__
