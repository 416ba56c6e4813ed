"""Seeded fault injection: rate limits, server errors, CDN pages, latency and dropped connections.

Faults are decided before authentication, the way a gateway or CDN in front of the real API
would behave. Each kind of fault is one entry of :data:`FAULT_KINDS`: the ``Faults`` attribute
holding its rate, the statuses it answers with and how its response looks. A new kind is one
entry there plus its ``rate_...`` keyword on :class:`Faults`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Literal

from ._errors import error_body

__all__ = ["FAULT_KINDS", "FaultDecision", "FaultKind", "FaultReply", "Faults", "RetryAfterFormat"]

RetryAfterFormat = Literal["seconds", "http-date"]

CDN_520_PAGE = (
    "<!DOCTYPE html><html><head><title>520: Web server is returning an unknown error</title></head>"
    "<body><h1>Web server is returning an unknown error</h1><p>Error code 520</p></body></html>"
)


@dataclass(frozen=True)
class FaultReply:
    """The response a fault sends instead of the API's."""

    status: int
    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


#: ``(faults, status, request_id) -> reply``; the ``Faults`` is the one governing the route.
Renderer = Callable[["Faults", int, str], FaultReply]


def _error_envelope(status: int, code: str, message: str, request_id: str, **headers: str) -> FaultReply:
    body = json.dumps(error_body(code, message, request_id), separators=(",", ":"), ensure_ascii=False).encode()
    return FaultReply(status, body, "application/json", {"X-Request-Id": request_id, **headers})


def _rate_limited(faults: Faults, status: int, request_id: str) -> FaultReply:
    return _error_envelope(
        status, "rate_limited", "Too many requests.", request_id, **{"Retry-After": faults.retry_after_value()}
    )


def _server_error(faults: Faults, status: int, request_id: str) -> FaultReply:
    if status == 500:
        return _error_envelope(status, "internal_error", "Internal server error.", request_id)
    return _error_envelope(status, "service_unavailable", "The service is temporarily unavailable.", request_id)


def _cdn_page(faults: Faults, status: int, request_id: str) -> FaultReply:
    # A CDN's own page: HTML, and no request id (the request never reached the API).
    return FaultReply(status, CDN_520_PAGE.encode(), "text/html")


@dataclass(frozen=True)
class FaultKind:
    """One kind of injected fault."""

    name: str
    rate: str  # the ``Faults`` attribute holding its probability per request
    statuses: tuple[int, ...]  # picked evenly; empty: no response at all
    render: Renderer | None  # ``None``: close the connection without a response


#: The 5xx statuses a ``rate_5xx`` fault picks from, evenly (storage PUT faults too).
SERVER_ERROR_STATUSES: tuple[int, ...] = (500, 502, 503)

#: Every kind of API fault, in draw order.
#:
#: The seeded-draw rule: every API request draws exactly four numbers from ``Faults``'s
#: generator, whatever happens, so one configuration and one request sequence always give the
#: same faults. ``pick`` falls into consecutive bands, one per entry below in this order, each
#: as wide as its rate (rates sum to at most 1; above them, no fault); ``detail`` chooses the
#: status among the kind's ``statuses``; ``latency`` places the delay in ``Faults.latency``;
#: ``after`` decides ``rate_drop_after_create`` on requests with no other fault. Appending a
#: kind keeps earlier configurations' sequences unchanged (its rate defaults to 0). Storage PUTs
#: are not API requests: ``storage_rate_5xx`` draws two numbers per PUT from a stream of its own.
FAULT_KINDS: tuple[FaultKind, ...] = (
    FaultKind("drop", "rate_drop", (), None),
    FaultKind("rate_limited", "rate_429", (429,), _rate_limited),
    FaultKind("server_error", "rate_5xx", SERVER_ERROR_STATUSES, _server_error),
    FaultKind("cdn_520", "rate_520", (520,), _cdn_page),
)


@dataclass(frozen=True)
class FaultDecision:
    """What the fault layer decided for one request."""

    kind: str = "none"
    status: int = 0
    reply: FaultReply | None = None
    latency: float = 0.0
    drop_after_create: bool = False

    @property
    def drops(self) -> bool:
        """Close the connection without a response (no reply to send)."""
        return self.kind != "none" and self.reply is None


NO_FAULT = FaultDecision()


def _check_rate(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return value


class Faults:
    """Fault injection settings plus their seeded random source.

    Attributes may be changed while a test runs (e.g. ``faults.rate_drop_after_create = 0`` before
    a retry); the random sequence continues from where it was.

    ``rate_drop`` closes the TCP connection without a response. Over a real socket (``serve()``)
    the transport is aborted; in-process (``httpx.ASGITransport``) the app raises
    :class:`~sume_async.testing._errors.ConnectionDropped`, an ``httpx.RemoteProtocolError``,
    which ASGITransport passes to the caller just as httpx reports a server disconnect.

    ``latency`` is a range of *real* seconds slept before a request is handled (whatever the
    mock's clock). ``retry_after_seconds`` is the delay a 429 announces, as seconds or, with
    ``retry_after="http-date"``, as an HTTP date that far in the future.

    ``routes`` maps a route template, as ``"POST /images/generations"`` or just
    ``"/jobs/{jobId}"`` (any method), to a ``Faults`` that replaces this one for that route.
    ``storage_rate_5xx`` applies to the storage PUT route only (the API rates never do).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        rate_429: float = 0.0,
        retry_after: RetryAfterFormat = "seconds",
        retry_after_seconds: int = 1,
        rate_5xx: float = 0.0,
        rate_520: float = 0.0,
        latency: tuple[float, float] = (0.0, 0.0),
        rate_drop: float = 0.0,
        rate_drop_after_create: float = 0.0,
        storage_rate_5xx: float = 0.0,
        routes: Mapping[str, Faults] | None = None,
    ) -> None:
        if retry_after not in ("seconds", "http-date"):
            raise ValueError("retry_after must be 'seconds' or 'http-date'")
        if retry_after_seconds < 0:
            raise ValueError("retry_after_seconds must be >= 0")
        low, high = (float(latency[0]), float(latency[1]))
        if low < 0 or high < low:
            raise ValueError("latency must be a (low, high) range with 0 <= low <= high")
        self.seed = seed
        self.rate_429: float = _check_rate("rate_429", rate_429)
        self.retry_after: RetryAfterFormat = retry_after
        self.retry_after_seconds: int = int(retry_after_seconds)
        self.rate_5xx: float = _check_rate("rate_5xx", rate_5xx)
        self.rate_520: float = _check_rate("rate_520", rate_520)
        self.latency: tuple[float, float] = (low, high)
        self.rate_drop: float = _check_rate("rate_drop", rate_drop)
        self.rate_drop_after_create: float = _check_rate("rate_drop_after_create", rate_drop_after_create)
        self.storage_rate_5xx: float = _check_rate("storage_rate_5xx", storage_rate_5xx)
        self.routes: dict[str, Faults] = dict(routes or {})
        if sum(getattr(self, kind.rate) for kind in FAULT_KINDS) > 1.0 + 1e-9:
            raise ValueError(f"{' + '.join(kind.rate for kind in FAULT_KINDS)} must not exceed 1")
        self._rng = random.Random(seed)
        self._storage_rng = random.Random(f"storage:{seed}")

    def for_route(self, route_key: str) -> Faults:
        """The ``Faults`` that governs ``route_key`` ("METHOD /template")."""
        override = self.routes.get(route_key)
        if override is None:
            override = self.routes.get(route_key.partition(" ")[2])
        return override if override is not None else self

    def decide(self, route_key: str, *, is_create: bool, request_id: str) -> FaultDecision:
        """Draw the faults for one API request (callers serialise calls; not thread-safe alone)."""
        return self.for_route(route_key)._draw(is_create=is_create, request_id=request_id)

    def decide_storage(self) -> int | None:
        """A 5xx status for this storage PUT, or ``None`` to let it through."""
        pick, which = self._storage_rng.random(), self._storage_rng.random()
        if pick < self.storage_rate_5xx:
            return SERVER_ERROR_STATUSES[int(which * len(SERVER_ERROR_STATUSES))]
        return None

    def _draw(self, *, is_create: bool, request_id: str) -> FaultDecision:
        # Always four draws (see FAULT_KINDS), so the sequence does not depend on which fault fired.
        pick, detail, lat, after = (self._rng.random() for _ in range(4))
        low, high = self.latency
        latency = low + (high - low) * lat
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += getattr(self, kind.rate)
            if pick < edge:
                status = kind.statuses[int(detail * len(kind.statuses))] if kind.statuses else 0
                reply = kind.render(self, status, request_id) if kind.render is not None else None
                return FaultDecision(kind.name, status, reply, latency)
        return FaultDecision(latency=latency, drop_after_create=is_create and after < self.rate_drop_after_create)

    def retry_after_value(self) -> str:
        """The ``Retry-After`` a 429 announces: seconds, or an HTTP date that far ahead."""
        if self.retry_after == "seconds":
            return str(self.retry_after_seconds)
        # An HTTP date is about the client's real clock, not simulated time. Round up so the
        # date is never earlier than the promised delay.
        return formatdate(int(time.time()) + 1 + self.retry_after_seconds, usegmt=True)

    def __repr__(self) -> str:
        active = {
            name: getattr(self, name)
            for name in (*(kind.rate for kind in FAULT_KINDS), "rate_drop_after_create", "storage_rate_5xx")
            if getattr(self, name)
        }
        parts = [f"seed={self.seed}", *(f"{k}={v}" for k, v in active.items())]
        if self.latency != (0.0, 0.0):
            parts.append(f"latency={self.latency}")
        if self.routes:
            parts.append(f"routes={sorted(self.routes)}")
        return f"Faults({', '.join(parts)})"
