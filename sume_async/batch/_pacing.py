"""Creation pacing: at most ``max_in_flight`` unfinished jobs, and one pause for everyone on 429.

:class:`Pacer` is the seam a distributed engine replaces (a cluster-wide semaphore): the
runner only calls :meth:`Pacer.acquire` before a create (or a wait by id) and
:meth:`Pacer.release` once the row's jobs are terminal.
"""

from __future__ import annotations

import random
from typing import Protocol

import anyio

from .._retries import spread_retry_after

__all__ = ["LocalPacer", "Pacer", "RateLimitGate"]


class Pacer(Protocol):
    """Bounds the jobs in flight; ``n`` is the number of jobs a row makes (avatars for Face Swap)."""

    async def acquire(self, n: int) -> None: ...
    async def release(self, n: int) -> None: ...


class LocalPacer:
    """A counting limit for one process. A row wanting more than the limit runs alone."""

    def __init__(self, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        self.limit = max_in_flight
        self.in_flight: int = 0
        self._changed = anyio.Event()

    async def acquire(self, n: int) -> None:
        while self.in_flight and self.in_flight + n > self.limit:
            await self._changed.wait()
        self.in_flight += n

    async def release(self, n: int) -> None:
        self.in_flight = max(0, self.in_flight - n)
        changed, self._changed = self._changed, anyio.Event()
        changed.set()


class RateLimitGate:
    """After a 429 that outlived the client's own retries, every create waits out one shared pause."""

    def __init__(self, *, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._until = 0.0
        self._strikes = 0

    async def wait(self) -> None:
        delay = self._until - anyio.current_time()
        if delay > 0:
            await anyio.sleep(delay)

    def limited(self, retry_after: float | None) -> None:
        """Record a 429: pause creates for ``retry_after`` (never shortened, jittered) or a jittered backoff."""
        self._strikes += 1
        backoff = min(self.cap, self.base * 2 ** min(self._strikes - 1, 16)) * self._rng.uniform(0.8, 1.2)
        told = 0.0 if retry_after is None else spread_retry_after(min(retry_after, self.cap), floor=0.0, rng=self._rng)
        delay = max(told, backoff)
        self._until = max(self._until, anyio.current_time() + delay)

    def succeeded(self) -> None:
        self._strikes = 0
