"""Raw responses: a call's parsed result together with its HTTP status and headers.

``sume.with_raw_response.jobs.get(job_id)`` runs ``sume.jobs.get(job_id)`` and returns a
:class:`RawResponse` (as openai-python's ``with_raw_response``). The wrapper puts a
``Capture`` in the call's context; the requester stores the final 2xx response there.
Calls made without the wrapper carry no capture and pay nothing for the feature.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar

import attrs
import httpx

from ._options import CallContext, Capture, current_call

T = TypeVar("T")
P = ParamSpec("P")


@attrs.frozen(repr=False)
class RawResponse(Generic[T]):
    """The parsed result of one API call and the HTTP response it came from."""

    #: The value the plain call returns (``Job``, ``Avatar``, ...).
    parsed: T
    #: The final (2xx) ``httpx.Response``; its body has been read.
    http_response: httpx.Response
    #: How many times the request was retried before it succeeded.
    retries_taken: int
    #: Time from sending the final attempt to reading its whole response.
    elapsed: timedelta

    def parse(self) -> T:
        """The parsed result (as ``LegacyAPIResponse.parse()`` in the Stainless SDKs)."""
        return self.parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` Sume gave this request: quote it when asking for support."""
        value: str | None = self.http_response.headers.get("x-request-id")
        return value

    @property
    def idempotent_replayed(self) -> bool:
        """True when a create was answered from its ``Idempotency-Key`` (nothing new was paid)."""
        value: str = self.http_response.headers.get("idempotent-replayed", "")
        return value.lower() == "true"

    @property
    def method(self) -> str:
        return self.http_response.request.method

    def __repr__(self) -> str:
        return (
            f"<RawResponse [{self.status_code}] {self.method} request_id={self.request_id!r} "
            f"parsed={type(self.parsed).__name__}>"
        )


def to_raw_response(method: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, RawResponse[T]]]:
    """Wrap an API method so that it returns a :class:`RawResponse` of its result."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        capture = Capture()
        token = current_call.set(CallContext(capture=capture))
        try:
            parsed = await method(*args, **kwargs)
        finally:
            current_call.reset(token)
        if capture.response is None:  # pragma: no cover: every wrapped method sends a request
            raise AssertionError(f"{method.__qualname__} sent no request")
        return RawResponse(parsed, capture.response, capture.attempts - 1, timedelta(seconds=capture.elapsed))

    return wrapped
