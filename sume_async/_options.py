"""Per-call and per-client request options: extra headers, extra query, timeout.

Resource methods take ``**options: Unpack[RequestOptions]``. They reach
:meth:`Requester.request <sume_async._transport.Requester.request>` through one
context variable, :data:`current_call`, set only around a call that carries options
(or asks for its raw response); the normal path reads it once and finds ``None``.

Headers that carry the SDK's guarantees cannot be replaced: auth (``Authorization``,
``X-Api-Key``) comes from the client's key, ``Idempotency-Key`` from ``idempotency_key=``,
and framing headers from httpx. Passing one raises :class:`InvalidInputError` instead of
being silently ignored or, worse, silently applied.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any, TypedDict

import attrs
import httpx

from . import _validation as validation
from ._errors import InvalidInputError

#: Headers no option can set: auth, the create's idempotency key, HTTP framing.
PROTECTED_HEADERS = frozenset(
    {"authorization", "x-api-key", "idempotency-key", "host", "content-length", "transfer-encoding", "connection"}
)

QueryValue = str | int | float | bool


class NotGiven:
    """Marks an argument that was not passed: its default applies. ``None`` is then a value of its own
    (``timeout=None``: no deadline), so the two never mean the same thing anywhere in the SDK.
    Compare with ``isinstance(value, NotGiven)``; it pickles back to :data:`NOT_GIVEN`."""

    def __reduce__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class RequestOptions(TypedDict, total=False):
    """Options every API method accepts (as in the Stainless SDKs' per-request options)."""

    #: Headers added to this call's requests (on top of ``default_headers``).
    extra_headers: Mapping[str, str]
    #: Query parameters added to this call's requests; may not repeat one the method sets.
    extra_query: Mapping[str, QueryValue]
    #: Per-request timeout for this call, seconds or an ``httpx.Timeout``; ``None`` waits forever.
    timeout: float | httpx.Timeout | None


@attrs.define
class Capture:
    """Filled by the requester for ``with_raw_response``: the call's final response."""

    response: httpx.Response | None = None
    attempts: int = 0
    elapsed: float = 0.0

    def record(self, response: httpx.Response, attempts: int, elapsed: float) -> None:
        self.response, self.attempts, self.elapsed = response, attempts, elapsed


@attrs.frozen
class CallContext:
    """What one call adds to its requests, and where its raw response goes."""

    headers: Mapping[str, str] | None = None
    query: Mapping[str, str] | None = None
    #: ``False`` when not given: ``None`` is a valid timeout (no limit).
    timeout: httpx.Timeout | bool | None = False
    capture: Capture | None = None


#: The options of the call running in this task, if it has any.
current_call: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar("sume_async_call", default=None)


def check_headers(name: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    """Header names and values a request may carry; protected names are refused."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise InvalidInputError(name, "must be a mapping of header names to strings")
    checked: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not key or not all(_is_token_char(ch) for ch in key):
            raise InvalidInputError(name, f"{key!r} is not a valid header name")
        if key.lower() in PROTECTED_HEADERS:
            raise InvalidInputError(name, f"{key!r} is set by the SDK and cannot be overridden{_hint(key)}")
        if not isinstance(value, str) or not all(ch == "\t" or 0x20 <= ord(ch) <= 0x7E for ch in value):
            raise InvalidInputError(name, f"the value of {key!r} must be a string of visible ASCII characters")
        checked[key] = value
    return checked


def check_query(name: str, query: Mapping[str, QueryValue] | None) -> dict[str, str]:
    if query is None:
        return {}
    if not isinstance(query, Mapping):
        raise InvalidInputError(name, "must be a mapping of parameter names to values")
    checked: dict[str, str] = {}
    for key, value in query.items():
        if not isinstance(key, str) or not key:
            raise InvalidInputError(name, f"{key!r} is not a valid parameter name")
        if isinstance(value, bool):
            checked[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            checked[key] = str(value)
        else:
            raise InvalidInputError(name, f"the value of {key!r} must be a str, int, float or bool")
    return checked


def check_timeout(timeout: Any) -> httpx.Timeout | None:
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(validation.number("timeout", timeout, minimum=0.001))


def context_for(options: RequestOptions) -> CallContext:
    """The :class:`CallContext` of a call's options, keeping a raw-response capture in place."""
    unknown = set(options) - set(RequestOptions.__annotations__)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "is not a request option")
    outer = current_call.get()
    headers = check_headers("extra_headers", options.get("extra_headers"))
    query = check_query("extra_query", options.get("extra_query"))
    timeout: httpx.Timeout | bool | None = check_timeout(options["timeout"]) if "timeout" in options else False
    return CallContext(
        headers=headers or None, query=query or None, timeout=timeout, capture=outer.capture if outer else None
    )


def _hint(key: str) -> str:
    if key.lower() == "idempotency-key":
        return " (pass idempotency_key= to the create instead)"
    if key.lower() in ("authorization", "x-api-key"):
        return " (use api_key= and auth= on the client)"
    return ""


_TOKEN_EXTRA = frozenset("!#$%&'*+-.^_`|~")


def _is_token_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _TOKEN_EXTRA)
