"""A client's configuration: every option of ``AsyncSume``, validated once, in one frozen object.

``AsyncSume.__init__`` builds it with :meth:`ClientConfig.from_arguments` (reading
``SUME_API_KEY`` and ``SUME_API_BASE_URL`` when the arguments are not given), and
``AsyncSume.with_options`` derives a copy with :meth:`ClientConfig.with_options`, checked by
the same rules; nothing is set on a client twice, and a client never holds an option that
was not checked. What it does not hold is what a client *shares* with its ``with_options``
copies: the httpx client, the concurrency bounds and the poll gate (``SharedPool``,
``PollGate``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import httpx

from . import _validation as validation
from ._errors import InvalidInputError
from ._options import NOT_GIVEN, NotGiven, check_headers, check_timeout
from ._retries import RetryPolicy
from ._waiting import PollPolicy

__all__ = ["DEFAULT_BASE_URL", "ClientConfig"]

DEFAULT_BASE_URL = "https://www.sume.so/api/v1"

Auth = Literal["bearer", "x-api-key"]


@attrs.frozen(kw_only=True)
class ClientConfig:
    """The options of one :class:`~sume_async.AsyncSume`, each already checked."""

    api_key: str = attrs.field(repr=False)
    base_url: str
    auth: Auth
    timeout: httpx.Timeout | None
    retry_policy: RetryPolicy
    poll_policy: PollPolicy
    default_headers: Mapping[str, str]
    max_concurrent_requests: int
    max_concurrent_polls: int
    max_polls_per_second: float | None
    allow_insecure_http: bool
    max_response_bytes: int

    @classmethod
    def from_arguments(
        cls,
        *,
        api_key: Any,
        base_url: Any,
        auth: Any,
        timeout: Any,
        max_retries: Any,
        max_concurrent_requests: Any,
        max_concurrent_polls: Any,
        max_polls_per_second: Any,
        poll_policy: Any,
        retry_policy: Any,
        default_headers: Any,
        allow_insecure_http: Any,
        max_response_bytes: Any,
    ) -> ClientConfig:
        """``AsyncSume(...)``'s arguments, checked (``InvalidInputError`` naming the first bad one)."""
        # A value from the environment is named by its variable: that is what the user must fix.
        key_field = "api_key" if api_key is not None else "SUME_API_KEY"
        key = api_key if api_key is not None else os.environ.get("SUME_API_KEY")
        if not key:
            raise InvalidInputError("api_key", "missing: pass api_key=... or set SUME_API_KEY")
        key = validation.text(key_field, key, max_length=1_000)
        if not all(0x21 <= ord(ch) <= 0x7E for ch in key):
            raise InvalidInputError(key_field, "must be visible ASCII characters only")
        validation.boolean("allow_insecure_http", allow_insecure_http)
        from_env = not base_url and bool(os.environ.get("SUME_API_BASE_URL"))
        url = base_url or os.environ.get("SUME_API_BASE_URL") or DEFAULT_BASE_URL
        checked_url = _check_base_url(
            url, allow_insecure_http=allow_insecure_http, field="SUME_API_BASE_URL" if from_env else "base_url"
        )
        if auth not in ("bearer", "x-api-key"):
            raise InvalidInputError("auth", 'must be "bearer" or "x-api-key"')
        validation.integer("max_retries", max_retries, minimum=0, maximum=20)
        validation.integer("max_concurrent_requests", max_concurrent_requests, minimum=1)
        validation.integer("max_concurrent_polls", max_concurrent_polls, minimum=1)
        validation.integer("max_response_bytes", max_response_bytes, minimum=1024)
        rate = None
        if max_polls_per_second is not None:
            rate = validation.number("max_polls_per_second", max_polls_per_second, minimum=0.01)
        return cls(
            api_key=key,
            base_url=checked_url,
            auth=auth,
            timeout=check_timeout(timeout),
            retry_policy=_retry_policy(retry_policy) or RetryPolicy(max_retries=max_retries),
            poll_policy=_poll_policy(poll_policy) or PollPolicy(),
            default_headers=check_headers("default_headers", default_headers),
            max_concurrent_requests=max_concurrent_requests,
            max_concurrent_polls=max_concurrent_polls,
            max_polls_per_second=rate,
            allow_insecure_http=allow_insecure_http,
            max_response_bytes=max_response_bytes,
        )

    def with_options(
        self,
        *,
        timeout: Any = NOT_GIVEN,
        max_retries: Any = None,
        retry_policy: Any = None,
        poll_policy: Any = None,
        default_headers: Any = None,
    ) -> ClientConfig:
        """A copy with these options changed (checked as ``from_arguments`` checks them); the rest kept.

        ``retry_policy`` replaces the policy; else ``max_retries`` changes only its retry
        count. ``default_headers`` are added to this configuration's.
        """
        retry = _retry_policy(retry_policy)
        if retry is None and max_retries is not None:
            count = validation.integer("max_retries", max_retries, minimum=0, maximum=20)
            retry = attrs.evolve(self.retry_policy, max_retries=count)
        return attrs.evolve(
            self,
            timeout=self.timeout if isinstance(timeout, NotGiven) else check_timeout(timeout),
            retry_policy=retry or self.retry_policy,
            poll_policy=_poll_policy(poll_policy) or self.poll_policy,
            default_headers={**self.default_headers, **check_headers("default_headers", default_headers)},
        )

    @property
    def auth_headers(self) -> dict[str, str]:
        """The headers that carry the key, by ``auth``."""
        if self.auth == "x-api-key":
            return {"X-Api-Key": self.api_key}
        return {"Authorization": f"Bearer {self.api_key}"}


def _retry_policy(value: Any) -> RetryPolicy | None:
    if value is not None and not isinstance(value, RetryPolicy):
        raise InvalidInputError("retry_policy", "must be a RetryPolicy")
    return value


def _poll_policy(value: Any) -> PollPolicy | None:
    if value is not None and not isinstance(value, PollPolicy):
        raise InvalidInputError("poll_policy", "must be a PollPolicy")
    return value


def _check_base_url(url: str, *, allow_insecure_http: bool, field: str) -> str:
    """https only, except for loopback hosts or an explicit opt-in; no credentials, query or fragment."""
    parsed = validation.service_url(field, url, allow_insecure_http=allow_insecure_http)
    if parsed.query or parsed.fragment:
        raise InvalidInputError(field, "must not carry credentials, a query or a fragment")
    return str(parsed).rstrip("/")
