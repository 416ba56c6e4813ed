"""``AsyncSume``: the entry point, holding configuration and the resources."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Literal, Self

import anyio
import httpx

from . import _validation as validation
from ._download import is_loopback
from ._endpoint_caller import EndpointCaller
from ._errors import InvalidInputError
from ._logs import install_library_filters
from ._retries import RetryPolicy
from ._transport import Requester
from ._waiting import PollPolicy
from .resources.account import Account, Credits
from .resources.assets import Assets
from .resources.avatars import Avatars
from .resources.brand import Brand
from .resources.generation import Ads, FaceSwap, Images, ReferenceAnalysis, Videos
from .resources.jobs import Jobs
from .resources.uploads import Uploads

DEFAULT_BASE_URL = "https://www.sume.so/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_CONCURRENT_REQUESTS = 64
DEFAULT_MAX_CONCURRENT_POLLS = 32


class AsyncSume:
    """Async client for the Sume Public API; use it as ``async with AsyncSume() as sume:``.

    Args:
        api_key: a workspace key (``sume_live_...``); defaults to ``$SUME_API_KEY``.
        base_url: defaults to ``$SUME_API_BASE_URL``, then production. Must be https,
            except for loopback hosts (a local mock) or with ``allow_insecure_http=True``.
        auth: ``"bearer"`` (``Authorization: Bearer``), or ``"x-api-key"`` for legacy keys.
        timeout: per-request timeout, seconds or an ``httpx.Timeout`` (default 60 s).
        max_retries: retries of a failed request (connection errors, 408, 429, 5xx).
        http_client: your own ``httpx.AsyncClient`` (proxies, transports, limits); auth still
            applies, and it is not closed with this client.
        max_concurrent_requests: requests in flight at once; extra callers wait their turn
            instead of timing out in the connection pool. Keep it at or below your
            client's ``max_connections``.
        max_concurrent_polls: status polls in flight at once across all job waits.
        poll_policy: how job waits space their polls.
        retry_policy: backoff settings; when given, it replaces ``max_retries``.
        allow_insecure_http: permit a plain-http, non-loopback ``base_url`` (never in production).
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
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        max_concurrent_polls: int = DEFAULT_MAX_CONCURRENT_POLLS,
        poll_policy: PollPolicy | None = None,
        retry_policy: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("SUME_API_KEY")
        if not key:
            raise InvalidInputError("api_key", "missing: pass api_key=... or set SUME_API_KEY")
        key = validation.text("api_key", key, max_length=1_000)
        if not all(0x21 <= ord(ch) <= 0x7E for ch in key):
            raise InvalidInputError("api_key", "must be visible ASCII characters only")
        url = base_url or os.environ.get("SUME_API_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = _check_base_url(url, allow_insecure_http=allow_insecure_http)
        if auth == "bearer":
            auth_headers = {"Authorization": f"Bearer {key}"}
        elif auth == "x-api-key":
            auth_headers = {"X-Api-Key": key}
        else:
            raise InvalidInputError("auth", 'must be "bearer" or "x-api-key"')
        self.auth = auth
        validation.integer("max_retries", max_retries, minimum=0, maximum=20)
        validation.integer("max_concurrent_requests", max_concurrent_requests, minimum=1)
        validation.integer("max_concurrent_polls", max_concurrent_polls, minimum=1)

        request_timeout: httpx.Timeout | None
        if timeout is None or isinstance(timeout, httpx.Timeout):
            request_timeout = timeout
        else:
            request_timeout = httpx.Timeout(validation.number("timeout", timeout, minimum=0.001))
        self._owns_http = http_client is None
        http = http_client or httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=max_concurrent_requests,
                max_keepalive_connections=max_concurrent_requests,
            ),
            timeout=DEFAULT_TIMEOUT,
            follow_redirects=False,
        )
        install_library_filters()
        self._requester = Requester(
            http=http,
            base_url=self.base_url,
            auth_headers=auth_headers,
            timeout=request_timeout,
            retry=retry_policy or RetryPolicy(max_retries=max_retries),
            limiter=anyio.Semaphore(max_concurrent_requests, fast_acquire=True),
        )
        caller = EndpointCaller(self._requester)
        self.account = Account(caller)
        self.credits = Credits(caller)
        self.brand = Brand(caller)
        self.avatars = Avatars(caller)
        self.jobs = Jobs(
            caller,
            poll_slots=anyio.Semaphore(max_concurrent_polls, fast_acquire=True),
            poll_policy=poll_policy or PollPolicy(),
        )
        self.images = Images(caller)
        self.videos = Videos(caller)
        self.ads = Ads(caller)
        self.face_swap = FaceSwap(caller)
        self.reference_analysis = ReferenceAnalysis(caller)
        self.uploads = Uploads(caller)
        self.assets = Assets(caller, self.uploads)

    @property
    def is_closed(self) -> bool:
        return self._requester.closed

    async def close(self) -> None:
        """Close the client, and the httpx client if this object created it. Idempotent."""
        if not self._requester.closed:
            await self._requester.aclose(close_http=self._owns_http)

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


def _check_base_url(url: str, *, allow_insecure_http: bool) -> str:
    """https only, except for loopback hosts or an explicit opt-in; no credentials or query."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidInputError("base_url", "is not a valid URL") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise InvalidInputError("base_url", "must be an absolute https:// URL")
    if parsed.userinfo or parsed.query or parsed.fragment:
        raise InvalidInputError("base_url", "must not carry credentials, a query or a fragment")
    if parsed.scheme == "http" and not (allow_insecure_http or is_loopback(parsed.host)):
        raise InvalidInputError(
            "base_url", "must use https (plain http is allowed only for loopback hosts or allow_insecure_http=True)"
        )
    return str(parsed).rstrip("/")
