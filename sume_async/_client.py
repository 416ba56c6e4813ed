"""``AsyncSume``: the entry point, holding configuration and the resources."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

import anyio
import httpx

from ._bodies import DEFAULT_MAX_RESPONSE_BYTES
from ._config import ClientConfig
from ._endpoint_caller import EndpointCaller
from ._errors import InvalidInputError
from ._http import sdk_client
from ._logs import configure_from_env, install_library_filters
from ._options import NOT_GIVEN, NotGiven
from ._poll_gate import PollBudget, PollGate
from ._retries import RetryPolicy
from ._transport import Requester, SharedPool
from ._waiting import PollPolicy

if TYPE_CHECKING:  # imported on first use: `import sume_async` stays light (the resources load the models)
    from ._raw_views import AsyncSumeWithRawResponse
    from .resources.account import Account, Credits
    from .resources.assets import Assets
    from .resources.avatars import Avatars
    from .resources.brand import Brand
    from .resources.generation import Ads, FaceSwap, Images, ReferenceAnalysis, Videos
    from .resources.jobs import Jobs
    from .resources.uploads import Uploads

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
#: Requests in flight (and connections in the pool). Chosen by ``python -m benchmarks pool``:
#: 200 concurrent callers over loopback got the most calls per second at 8-16 connections and
#: far less CPU per call than at 64 (httpcore scans its pool on every request); 16 leaves room
#: for a real network's round trips.
DEFAULT_MAX_CONCURRENT_REQUESTS = 16
#: Polls in flight: half the requests, so waits never crowd out creates and downloads.
DEFAULT_MAX_CONCURRENT_POLLS = 8
#: Status polls per second across all waits of a client: enough for thousands of jobs in
#: flight, and well under what a rate-limited API allows (creates and downloads need room too).
DEFAULT_MAX_POLLS_PER_SECOND = 50.0


class AsyncSume:
    """Async client for the Sume Public API; use it as ``async with AsyncSume() as sume:``.

    Args:
        api_key: a workspace key (``sume_live_...``); defaults to ``$SUME_API_KEY``.
        base_url: defaults to ``$SUME_API_BASE_URL``, then production. Must be https,
            except for loopback hosts (a local mock) or with ``allow_insecure_http=True``.
        auth: ``"bearer"`` (``Authorization: Bearer``), or ``"x-api-key"`` for legacy keys.
        timeout: the deadline of each request attempt, in seconds: connect, send and the whole
            response body (default 60 s; ``APITimeoutError`` when it passes). An
            ``httpx.Timeout`` sets httpx's per-phase limits as well, and its largest phase is
            the deadline. ``None``: no deadline.
        max_retries: retries of a failed request (connection errors, 408, 429, 5xx).
        http_client: your own ``httpx.AsyncClient`` (proxies, transports, limits); auth still
            applies, and it is not closed with this client.
        transport: an httpx transport for the client the SDK creates (``httpx.MockTransport``,
            ``httpx.ASGITransport`` for an app in-process); closed with this client.
        max_concurrent_requests: requests in flight at once; extra callers wait their turn
            instead of timing out in the connection pool. Keep it at or below your
            client's ``max_connections``.
        max_concurrent_polls: status polls in flight at once across all job waits.
        max_polls_per_second: status polls started per second across all job waits (``None``:
            no limit). When the waits want more, the most overdue job is polled first. Counted
            in the server's seconds: with ``poll_policy=PollPolicy().scaled(1 / speed)`` for a
            sped-up mock, the budget is ``speed`` times larger in real time.
        poll_policy: how job waits space their polls.
        retry_policy: backoff settings; when given, it replaces ``max_retries``.
        default_headers: headers sent with every request (not auth or ``Idempotency-Key``).
        allow_insecure_http: permit a plain-http, non-loopback ``base_url`` and upload URL
            (never in production). Media are downloaded over plain http, and from (or uploaded
            to) loopback, link-local and private addresses, only by a client on a loopback
            ``base_url`` (a local mock).
        max_response_bytes: the largest response body accepted, after decompression (default
            16 MiB); a larger one is refused while it streams in (``APIResponseValidationError``).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        auth: Literal["bearer", "x-api-key"] = "bearer",
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        max_concurrent_polls: int = DEFAULT_MAX_CONCURRENT_POLLS,
        max_polls_per_second: float | None = DEFAULT_MAX_POLLS_PER_SECOND,
        poll_policy: PollPolicy | None = None,
        retry_policy: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        config = ClientConfig.from_arguments(
            api_key=api_key,
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrent_requests=max_concurrent_requests,
            max_concurrent_polls=max_concurrent_polls,
            max_polls_per_second=max_polls_per_second,
            poll_policy=poll_policy,
            retry_policy=retry_policy,
            default_headers=default_headers,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidInputError("http_client", "must be an httpx.AsyncClient")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise InvalidInputError("transport", "must be an httpx.AsyncBaseTransport")
        if http_client is not None and transport is not None:
            raise InvalidInputError("transport", "give either http_client or transport, not both")
        http = http_client or sdk_client(
            transport=transport,
            limits=httpx.Limits(
                max_connections=config.max_concurrent_requests,
                max_keepalive_connections=config.max_concurrent_requests,
            ),
            timeout=DEFAULT_TIMEOUT,
            follow_redirects=False,
        )
        install_library_filters()
        configure_from_env()
        limiter = anyio.Semaphore(config.max_concurrent_requests, fast_acquire=True)
        budget = PollBudget(config.max_polls_per_second, time_scale=config.poll_policy.time_scale)
        self._setup(
            config,
            SharedPool(http, limiter, owns_http=http_client is None),
            owns_pool=True,
            poll_gate=PollGate(config.max_concurrent_polls, budget),
        )

    def _setup(self, config: ClientConfig, pool: SharedPool, *, owns_pool: bool, poll_gate: PollGate) -> None:
        """Bind the client to ``config`` over ``pool``; waits share ``poll_gate``. Resources are built on first use."""
        self._config = config
        self._owns_pool = owns_pool
        self._poll_gate = poll_gate
        self._requester = Requester(
            pool=pool,
            base_url=config.base_url,
            auth_headers=config.auth_headers,
            timeout=config.timeout,
            retry=config.retry_policy,
            default_headers=config.default_headers,
            max_response_bytes=config.max_response_bytes,
            allow_insecure_http=config.allow_insecure_http,
        )
        self._caller = EndpointCaller(self._requester)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def auth(self) -> Literal["bearer", "x-api-key"]:
        return self._config.auth

    @property
    def poll_policy(self) -> PollPolicy:
        """How job waits space their polls."""
        return self._config.poll_policy

    # The resources: each module (and the generated endpoints and models it uses) is imported
    # the first time its attribute is read, so `import sume_async` does not pay for all of them.

    @functools.cached_property
    def account(self) -> Account:
        from .resources.account import Account

        return Account(self._caller)

    @functools.cached_property
    def credits(self) -> Credits:
        from .resources.account import Credits

        return Credits(self._caller)

    @functools.cached_property
    def brand(self) -> Brand:
        from .resources.brand import Brand

        return Brand(self._caller)

    @functools.cached_property
    def avatars(self) -> Avatars:
        from .resources.avatars import Avatars

        return Avatars(self._caller)

    @functools.cached_property
    def jobs(self) -> Jobs:
        from .resources.jobs import Jobs

        return Jobs(self._caller, poll_gate=self._poll_gate, poll_policy=self.poll_policy)

    @functools.cached_property
    def images(self) -> Images:
        from .resources.generation import Images

        return Images(self._caller)

    @functools.cached_property
    def videos(self) -> Videos:
        from .resources.generation import Videos

        return Videos(self._caller)

    @functools.cached_property
    def ads(self) -> Ads:
        from .resources.generation import Ads

        return Ads(self._caller)

    @functools.cached_property
    def face_swap(self) -> FaceSwap:
        from .resources.generation import FaceSwap

        return FaceSwap(self._caller)

    @functools.cached_property
    def reference_analysis(self) -> ReferenceAnalysis:
        from .resources.generation import ReferenceAnalysis

        return ReferenceAnalysis(self._caller)

    @functools.cached_property
    def uploads(self) -> Uploads:
        from .resources.uploads import Uploads

        return Uploads(self._caller)

    @functools.cached_property
    def assets(self) -> Assets:
        from .resources.assets import Assets

        return Assets(self._caller, self.uploads)

    @property
    def timeout(self) -> httpx.Timeout | None:
        """The per-request timeout of this client."""
        return self._config.timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._config.retry_policy

    @property
    def max_retries(self) -> int:
        return self._config.retry_policy.max_retries

    @property
    def default_headers(self) -> Mapping[str, str]:
        """The headers added to every request (a copy; auth is not included)."""
        return dict(self._config.default_headers)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        poll_policy: PollPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> AsyncSume:
        """A client with other options over the same connection pool and concurrency bounds.

        ``sume.with_options(timeout=5, max_retries=0).jobs.get(job_id)`` is cheap: no new
        httpx client, no new sockets; ``max_concurrent_requests`` and
        ``max_concurrent_polls`` stay shared with this client. ``default_headers`` are
        added to this client's. Options not given are kept. The new client lives as long
        as this one: closing this client closes it too, and its own ``close()`` does
        nothing (the pool belongs to the client that made it).

        Spends no credits and sends no request.

        Args:
            timeout: Per-request timeout in seconds, or an ``httpx.Timeout``; ``None`` waits
                forever (default: this client's).
            max_retries: Retries of a failed request, 0 to 20 (default: this client's).
            retry_policy: A whole :class:`~sume_async.RetryPolicy` (wins over ``max_retries``).
            poll_policy: How the new client's waits poll (:class:`~sume_async.PollPolicy`).
            default_headers: Headers added to this client's on every request.

        Returns:
            The new client.

        Raises:
            InvalidInputError: An option is outside its allowed values.
        """
        config = self._config.with_options(
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            poll_policy=poll_policy,
            default_headers=default_headers,
        )
        derived = object.__new__(AsyncSume)
        derived._setup(config, self._requester.pool, owns_pool=False, poll_gate=self._poll_gate)
        return derived

    @functools.cached_property
    def with_raw_response(self) -> AsyncSumeWithRawResponse:
        """The same calls, returning a :class:`RawResponse` (result, status, headers, request_id)."""
        from ._raw_views import AsyncSumeWithRawResponse

        return AsyncSumeWithRawResponse(self)

    @property
    def is_closed(self) -> bool:
        return self._requester.closed

    async def close(self) -> None:
        """Close the client, and the httpx client if this object created it. Idempotent.

        On a client from :meth:`with_options` this does nothing: the client it came from
        owns the pool.
        """
        if self._owns_pool:
            await self._requester.aclose()

    async def __aenter__(self) -> Self:
        self._requester.ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = " closed" if self.is_closed else ""
        return f"<AsyncSume base_url={self.base_url!r} auth={self.auth!r} api_key=<redacted>{state}>"
