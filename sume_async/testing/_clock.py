"""Simulated time for the mock server.

Job lifecycles, upload URL expiry and the idempotency window all run on *simulated* seconds so
that a test can jump a 40 s video job to ``completed`` instantly (``ManualClock``) and a demo can
run a realistic pipeline quickly (``ScaledClock`` with ``speed=100``). Timestamps in responses are
``epoch + simulated seconds``, so they stay consistent with the lifecycle they describe.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "ScaledClock", "isoformat", "wall_time"]

#: Where a ``ManualClock`` starts by default: fixed, so snapshots and ids are reproducible.
DEFAULT_MANUAL_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """What the mock needs from a clock: monotonic simulated seconds and their wall-time origin."""

    @property
    def epoch(self) -> datetime:
        """Wall time (UTC) that corresponds to ``now() == 0``."""
        ...

    def now(self) -> float:
        """Simulated seconds since the clock started; never decreases."""
        ...


class ManualClock:
    """A clock that only moves when a test calls :meth:`advance`.

    Thread-safe, because ``serve()`` runs the app in a server thread while the test advances
    the clock from its own thread.
    """

    def __init__(self, start: datetime = DEFAULT_MANUAL_EPOCH) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._epoch = start.astimezone(UTC)
        self._now = 0.0
        self._lock = threading.Lock()

    @property
    def epoch(self) -> datetime:
        return self._epoch

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move simulated time forward by ``seconds`` (must be >= 0: time never runs backwards)."""
        if seconds < 0:
            raise ValueError("a ManualClock cannot go backwards")
        with self._lock:
            self._now += float(seconds)

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now():.3f})"


class ScaledClock:
    """Real monotonic time multiplied by ``speed`` simulated seconds per real second.

    ``speed=100`` makes a 6 s image job finish after 60 ms of real time. The epoch is the wall
    time at construction so timestamps look current.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError("speed must be > 0")
        self.speed: float = float(speed)
        self._epoch = datetime.now(UTC)
        self._start = time.monotonic()

    @property
    def epoch(self) -> datetime:
        return self._epoch

    def now(self) -> float:
        return (time.monotonic() - self._start) * self.speed

    def __repr__(self) -> str:
        return f"ScaledClock(speed={self.speed})"


def wall_time(clock: Clock, seconds: float) -> datetime:
    """The wall time of simulated instant ``seconds`` on ``clock``."""
    return clock.epoch + timedelta(seconds=seconds)


def isoformat(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds and a ``Z`` suffix, the form the API uses."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
