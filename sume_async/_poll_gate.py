"""The client-wide gate every job poll passes: a bound on polls in flight and a rate budget.

:class:`PollBudget` is plain bookkeeping (times are passed in), so tests drive it without an
event loop. :class:`PollGate` adds the waiting: callers queue by how overdue their poll is,
so when the budget or the bound cannot keep up, the most overdue poll goes first, across
every wait of the client, and no job is starved (a job's due time never moves while it waits,
and every newer one is later). A 429 with ``Retry-After`` seen by any poll pauses the whole
budget that long, with jitter (:meth:`PollGate.slow_down`): no poll of any wait starts before.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Callable

import anyio

from ._durations import Durations

#: Polls may start this much ahead of an even spacing (a fraction of one second's budget).
_BURST_FRACTION = 0.05


class PollBudget:
    """At most ``per_second`` polls start in any window of one second, spread evenly.

    Two rules, both exact: an even pacing (one poll every ``1 / per_second`` seconds, with a
    small burst allowance so a late wake-up can catch up), and a sliding window that never
    lets more than ``per_second`` starts into any one second. ``per_second=None``: no limit.
    ``time_scale`` (client seconds per server second) turns a budget in the server's seconds
    into the client's: ``0.01`` for a mock running 100 times faster than real time.
    """

    def __init__(self, per_second: float | None, *, time_scale: float = 1.0) -> None:
        if per_second is not None:
            per_second = per_second / time_scale
        self.per_second = per_second
        if per_second is None:
            self._spacing = 0.0
            self._limit = 0
        else:
            self._spacing = 1.0 / per_second
            self._limit = max(1, math.floor(per_second))
        burst = max(1, math.floor(self._limit * _BURST_FRACTION))
        self._tolerance = (burst - 1) * self._spacing
        self._next = -math.inf  # when the next poll is due on an even spacing
        self._starts: deque[float] = deque()  # starts of the last second, oldest first
        #: No poll starts before this (a server's ``Retry-After``); ``-inf``: no pause.
        self.paused_until: float = -math.inf

    def pause(self, until: float) -> None:
        """Start no poll before ``until`` (a later pause wins; an earlier one changes nothing)."""
        self.paused_until = max(self.paused_until, until)

    def delay(self, now: float) -> float:
        """Seconds until a poll may start (0: now)."""
        paused = self.paused_until - now
        if self.per_second is None:
            return max(paused, 0.0)
        wait = max(self._next - self._tolerance - now, paused)
        starts = self._starts
        while starts and starts[0] <= now - 1.0:
            starts.popleft()
        if len(starts) >= self._limit:
            wait = max(wait, starts[0] + 1.0 - now)
        return max(wait, 0.0)

    def spend(self, now: float) -> None:
        """Record a poll started at ``now`` (after :meth:`delay` said 0)."""
        if self.per_second is None:
            return
        self._next = max(self._next, now) + self._spacing
        self._starts.append(now)


class _Waiter:
    __slots__ = ("due", "event", "order")

    def __init__(self, due: float, order: int) -> None:
        self.due = due
        self.order = order
        self.event = anyio.Event()

    def __lt__(self, other: _Waiter) -> bool:
        return (self.due, self.order) < (other.due, other.order)


class PollGate:
    """Admits polls: at most ``max_in_flight`` at once, within ``budget``, most overdue first.

    No task runs in the background: a caller that cannot go yet waits in :meth:`acquire`,
    and whoever frees capacity (a release, the head taking its turn, a waiter leaving) wakes
    the waiter now at the head of the queue.
    """

    def __init__(
        self, max_in_flight: int, budget: PollBudget, *, clock: Callable[[], float] = anyio.current_time
    ) -> None:
        self.max_in_flight = max_in_flight
        self.budget = budget
        #: What the client's waits learned about job durations (they share it, as the gate).
        self.durations: Durations = Durations()
        self._clock = clock
        self._in_flight = 0
        self._waiters: list[_Waiter] = []
        self._order = itertools.count()

    @property
    def in_flight(self) -> int:
        """Polls admitted and not yet released."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers queued in :meth:`acquire`."""
        return len(self._waiters)

    def try_acquire(self, due: float) -> bool:
        """Admit a poll due at ``due`` now if nothing more overdue waits and the limits allow."""
        if self._in_flight >= self.max_in_flight:
            return False
        if self._waiters and self._waiters[0].due <= due:
            return False
        now = self._clock()
        if self.budget.delay(now) > 0:
            return False
        self._admit(now)
        return True

    async def acquire(self, due: float) -> None:
        """Wait for the turn of a poll due at ``due``; pair with :meth:`release`."""
        if self.try_acquire(due):
            return
        waiter = _Waiter(due, next(self._order))
        heapq.heappush(self._waiters, waiter)
        try:
            while True:
                delay = math.inf
                if self._waiters[0] is waiter and self._in_flight < self.max_in_flight:
                    now = self._clock()
                    delay = self.budget.delay(now)
                    if delay <= 0:
                        heapq.heappop(self._waiters)
                        self._admit(now)
                        self._wake_head()
                        return
                with anyio.move_on_after(delay):
                    await waiter.event.wait()
                waiter.event = anyio.Event()
        except BaseException:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                heapq.heapify(self._waiters)
            self._wake_head()
            raise

    def slow_down(self, seconds: float) -> None:
        """Start no poll, of any wait, for ``seconds`` from now (a 429's ``Retry-After``, jittered)."""
        self.budget.pause(self._clock() + seconds)

    @property
    def paused_until(self) -> float:
        """When the current pause ends (``-inf``: none)."""
        return self.budget.paused_until

    def release(self) -> None:
        self._in_flight -= 1
        self._wake_head()

    def _admit(self, now: float) -> None:
        self._in_flight += 1
        self.budget.spend(now)

    def _wake_head(self) -> None:
        if self._waiters:
            self._waiters[0].event.set()
