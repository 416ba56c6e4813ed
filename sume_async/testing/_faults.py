"""Seeded fault injection: rate limits, server errors, CDN pages, latency and dropped connections.

Every request draws the same number of random numbers from a seeded generator, whatever the
outcome, so a given ``Faults`` configuration and request sequence always produce the same
faults. Faults are decided before authentication, the way a gateway or CDN in front of the
real API would behave.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Literal

__all__ = ["FaultDecision", "Faults", "RetryAfterFormat"]

RetryAfterFormat = Literal["seconds", "http-date"]
FaultKind = Literal["none", "drop", "rate_limited", "server_error", "cdn_520"]

#: The 5xx statuses a ``rate_5xx`` fault picks from, evenly.
SERVER_ERROR_STATUSES: tuple[int, ...] = (500, 502, 503)


@dataclass(frozen=True)
class FaultDecision:
    """What the fault layer decided for one request."""

    kind: FaultKind = "none"
    status: int = 0
    retry_after: str | None = None
    latency: float = 0.0
    drop_after_create: bool = False


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
        self.rate_429 = _check_rate("rate_429", rate_429)
        self.retry_after: RetryAfterFormat = retry_after
        self.retry_after_seconds = int(retry_after_seconds)
        self.rate_5xx = _check_rate("rate_5xx", rate_5xx)
        self.rate_520 = _check_rate("rate_520", rate_520)
        self.latency = (low, high)
        self.rate_drop = _check_rate("rate_drop", rate_drop)
        self.rate_drop_after_create = _check_rate("rate_drop_after_create", rate_drop_after_create)
        self.storage_rate_5xx = _check_rate("storage_rate_5xx", storage_rate_5xx)
        self.routes: dict[str, Faults] = dict(routes or {})
        if self.rate_drop + self.rate_429 + self.rate_5xx + self.rate_520 > 1.0 + 1e-9:
            raise ValueError("rate_drop + rate_429 + rate_5xx + rate_520 must not exceed 1")
        self._rng = random.Random(seed)
        self._storage_rng = random.Random(f"storage:{seed}")

    def for_route(self, route_key: str) -> Faults:
        """The ``Faults`` that governs ``route_key`` ("METHOD /template")."""
        override = self.routes.get(route_key)
        if override is None:
            override = self.routes.get(route_key.partition(" ")[2])
        return override if override is not None else self

    def decide(self, route_key: str, *, is_create: bool) -> FaultDecision:
        """Draw the faults for one API request (callers serialise calls; not thread-safe alone)."""
        return self.for_route(route_key)._draw(is_create=is_create)

    def decide_storage(self) -> int | None:
        """A 5xx status for this storage PUT, or ``None`` to let it through."""
        pick, which = self._storage_rng.random(), self._storage_rng.random()
        if pick < self.storage_rate_5xx:
            return SERVER_ERROR_STATUSES[int(which * len(SERVER_ERROR_STATUSES))]
        return None

    def _draw(self, *, is_create: bool) -> FaultDecision:
        # Always four draws, so the sequence does not depend on which fault fired.
        pick, detail, lat, after = (self._rng.random() for _ in range(4))
        low, high = self.latency
        latency = low + (high - low) * lat
        drop_after = is_create and after < self.rate_drop_after_create
        edge = self.rate_drop
        if pick < edge:
            return FaultDecision("drop", latency=latency)
        edge += self.rate_429
        if pick < edge:
            return FaultDecision("rate_limited", 429, self._retry_after_value(), latency)
        edge += self.rate_5xx
        if pick < edge:
            status = SERVER_ERROR_STATUSES[int(detail * len(SERVER_ERROR_STATUSES))]
            return FaultDecision("server_error", status, latency=latency)
        edge += self.rate_520
        if pick < edge:
            return FaultDecision("cdn_520", 520, latency=latency)
        return FaultDecision(latency=latency, drop_after_create=drop_after)

    def _retry_after_value(self) -> str:
        if self.retry_after == "seconds":
            return str(self.retry_after_seconds)
        # An HTTP date is about the client's real clock, not simulated time. Round up so the
        # date is never earlier than the promised delay.
        return formatdate(int(time.time()) + 1 + self.retry_after_seconds, usegmt=True)

    def __repr__(self) -> str:
        active = {
            name: getattr(self, name)
            for name in (
                "rate_429",
                "rate_5xx",
                "rate_520",
                "rate_drop",
                "rate_drop_after_create",
                "storage_rate_5xx",
            )
            if getattr(self, name)
        }
        parts = [f"seed={self.seed}", *(f"{k}={v}" for k, v in active.items())]
        if self.latency != (0.0, 0.0):
            parts.append(f"latency={self.latency}")
        if self.routes:
            parts.append(f"routes={sorted(self.routes)}")
        return f"Faults({', '.join(parts)})"
