"""Awaiting jobs: adaptive polling, one bounded scheduler, an overall deadline.

Every wait — one job or ten thousand — runs through :class:`JobWatch`. It keeps the
jobs in a heap ordered by their next poll time and polls the due ones with at most
``max_concurrent_polls`` requests in flight (a bound shared by all the client's
waits), so a large batch never opens a connection per job.

Polling starts about a second after creation and backs off geometrically, with
jitter, up to a cap that fits the job type: image jobs finish in seconds and are
polled more often than video-like jobs, which take minutes.

There are no background tasks. The scheduler runs inside the caller's
``__anext__``/``wait`` call, in a task group that ends before the call returns, so
cancelling a wait (or breaking out of ``as_completed``) leaves nothing running.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Generic, Self, TypeVar, cast

import anyio
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from sume_api_client.models import Job

from . import _job_states as job_states
from . import _job_types as job_types
from ._errors import APIConnectionError, APIStatusError, ClientClosedError, JobFailedError, JobTimeoutError, SumeError


class _Default:
    """Marker for "use the timeout that fits the job types"."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = _Default()
Timeout = float | None | _Default


@attrs.frozen
class PollPolicy:
    """How often to poll a job.

    The n-th poll comes ``min(cap, first * factor**n)`` seconds after the previous one,
    times a random factor in ``[1 - jitter, 1 + jitter]`` so that a batch created at
    once does not poll in lockstep.
    """

    first: float = 1.0
    factor: float = 1.5
    short_cap: float = 3.0
    long_cap: float = 6.0
    jitter: float = 0.2
    #: How long to wait after a poll failed for a transient reason (429, 5xx, network).
    error_delay: float = 5.0

    def interval(self, polls: int, job_type: str | None, rng: random.Random) -> float:
        cap = self.short_cap if job_states.is_short(job_type) else self.long_cap
        base = min(cap, self.first * self.factor**polls)
        return base * rng.uniform(1 - self.jitter, 1 + self.jitter)

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy with every interval multiplied by ``factor``."""
        return attrs.evolve(
            self,
            first=self.first * factor,
            short_cap=self.short_cap * factor,
            long_cap=self.long_cap * factor,
            error_delay=self.error_delay * factor,
        )


def default_timeout(jobs: Sequence[Job | str]) -> float:
    """The longest default timeout of the jobs' types; a bare id or an unknown type counts as long."""
    if not jobs:
        return job_types.UNKNOWN.default_timeout
    return max(job_types.info(job_states.type_of(j) if isinstance(j, Job) else None).default_timeout for j in jobs)


@attrs.define(eq=False)
class _Entry:
    due: float
    order: int
    index: int
    job_id: str
    job_type: str | None
    last_status: str | None = None
    polls: int = 0

    def __lt__(self, other: _Entry) -> bool:
        return (self.due, self.order) < (other.due, other.order)


#: Index of an outcome that ends the whole wait (the client was closed), not one job's.
FATAL = -1

#: ``(index in the input, the job or the error that ended its wait)``.
Outcome = tuple[int, Job | SumeError]


class JobWatch:
    """Polls a set of jobs until each is terminal or the deadline passes.

    Outcomes come out in completion order as ``(input index, job or error)``.
    ``fixed_interval`` replaces the adaptive schedule with a constant one.
    """

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[Job]],
        jobs: Sequence[Job | str],
        *,
        timeout: float | None,
        poll_slots: anyio.Semaphore,
        policy: PollPolicy,
        fixed_interval: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._fetch = fetch
        self._slots = poll_slots
        self._policy = policy
        self._fixed = fixed_interval
        self._rng = rng or random.Random()
        self._timeout = timeout
        self._deadline: float | None = None
        self._heap: list[_Entry] = []
        self._ready: deque[Outcome] = deque()
        self._polling: set[_Entry] = set()
        self._started = False
        #: An error that ends the whole wait, not one job's (the client was closed).
        self._fatal: SumeError | None = None
        self._wake = anyio.Event()
        order = itertools.count()
        self._pending = 0
        for index, job in enumerate(jobs):
            if isinstance(job, Job):
                entry = _Entry(0.0, next(order), index, job.id, job_states.type_of(job), job_states.status_of(job))
            else:
                entry = _Entry(0.0, next(order), index, job, None)
            self._heap.append(entry)
            self._pending += 1

    @property
    def pending(self) -> int:
        """Jobs not yet reported."""
        return self._pending

    def _start_clock(self) -> None:
        now = anyio.current_time()
        self._deadline = None if self._timeout is None else now + self._timeout
        for entry in self._heap:
            entry.due = now + self._next_interval(entry)
        heapq.heapify(self._heap)

    def _next_interval(self, entry: _Entry) -> float:
        if self._fixed is not None:
            return self._fixed
        return self._policy.interval(entry.polls, entry.job_type, self._rng)

    def _ensure_started(self) -> None:
        if not self._started:
            self._start_clock()
            self._started = True

    async def next_outcome(self) -> Outcome:
        """Pull mode: poll until the next job finishes; ``StopAsyncIteration`` when none is left.

        Nothing runs between calls: polling happens inside this call only.
        """
        self._ensure_started()
        if not self._ready and self._pending:
            await self._pump()
        if not self._ready:
            raise StopAsyncIteration
        self._pending -= 1
        return self._ready.popleft()

    async def run(self, send: MemoryObjectSendStream[Outcome]) -> None:
        """Continuous mode: poll until every job is reported, sending each outcome at once.

        Meant to run as a task for as long as the caller consumes ``send``'s other end;
        an error that ends the whole wait is sent as ``(FATAL, error)``.
        """
        self._ensure_started()
        async with send:
            try:
                await self._pump(emit=send.send_nowait)
            except ClientClosedError as exc:
                send.send_nowait((FATAL, exc))
                return
            while self._ready:
                send.send_nowait(self._ready.popleft())

    async def _pump(self, emit: Callable[[Outcome], None] | None = None) -> None:
        """Poll until an outcome is ready (pull mode) or, with ``emit``, until none is left."""
        remaining = math.inf if self._deadline is None else self._deadline - anyio.current_time()
        try:
            with anyio.move_on_after(remaining):
                async with anyio.create_task_group() as tg:
                    cutoff: float | None = None
                    while self._fatal is None:
                        now = anyio.current_time()
                        if emit is not None:
                            while self._ready:
                                emit(self._ready.popleft())
                            if not self._heap and not self._polling:
                                break
                        elif self._ready:
                            # A result is in: start only the polls already due by now, so
                            # they are not delayed by the caller, then hand the result over.
                            cutoff = now if cutoff is None else cutoff
                            if not self._heap or self._heap[0].due > cutoff:
                                break
                        if not self._heap:
                            # Everything left is being polled right now; wait for a result.
                            await self._wait_for_wake(math.inf)
                            continue
                        if self._heap[0].due > now:
                            await self._wait_for_wake(self._heap[0].due - now)
                            continue
                        await self._slots.acquire()
                        entry = heapq.heappop(self._heap)
                        self._polling.add(entry)
                        tg.start_soon(self._poll, entry)
                    # The task group lets the polls in flight finish; their results are
                    # kept for the next call.
        finally:
            # Polls cut short by the deadline or a cancellation go back in the queue.
            for entry in self._polling:
                heapq.heappush(self._heap, entry)
            self._polling.clear()
        if self._fatal is not None:
            raise self._fatal
        deadline_passed = self._deadline is not None and anyio.current_time() >= self._deadline
        # In pull mode a result already in hand is handed over first; the next call expires.
        if self._heap and deadline_passed and (emit is not None or not self._ready):
            self._expire()

    async def _wait_for_wake(self, delay: float) -> None:
        with anyio.move_on_after(delay):
            await self._wake.wait()
        if self._wake.is_set():
            self._wake = anyio.Event()

    async def _poll(self, entry: _Entry) -> None:
        try:
            job = await self._fetch(entry.job_id)
        except ClientClosedError as exc:
            self._fatal = exc
        except SumeError as exc:
            # Never let an error escape into the task group: it would reach the caller
            # wrapped in an ExceptionGroup instead of as the SumeError it is.
            self._polling.discard(entry)
            if _is_transient(exc):
                entry.due = anyio.current_time() + self._policy.error_delay * self._rng.uniform(0.8, 1.2)
                heapq.heappush(self._heap, entry)
            else:
                self._ready.append((entry.index, exc))
        else:
            self._polling.discard(entry)
            entry.polls += 1
            entry.last_status = job_states.status_of(job)
            entry.job_type = job_states.type_of(job) or entry.job_type
            if not job_states.is_terminal(job):
                entry.due = anyio.current_time() + self._next_interval(entry)
                heapq.heappush(self._heap, entry)
            elif job_states.is_failed(job):
                self._ready.append((entry.index, JobFailedError(job)))
            else:
                self._ready.append((entry.index, job))
        finally:
            self._slots.release()
            self._wake.set()

    def _expire(self) -> None:
        for entry in sorted(self._heap, key=lambda e: e.index):  # stable, input order
            self._ready.append(
                (entry.index, JobTimeoutError(entry.job_id, last_status=entry.last_status, timeout=self._timeout))
            )
        self._heap.clear()


def _is_transient(exc: SumeError) -> bool:
    """Worth polling again later: network trouble, 408, 429, 5xx (after the request's own retries)."""
    if isinstance(exc, APIStatusError):
        return exc.status_code in (408, 429) or exc.status_code >= 500
    return isinstance(exc, APIConnectionError)


T = TypeVar("T")


class JobStream(Generic[T]):
    """Jobs in the order they finish; returned by ``sume.jobs.as_completed``.

    Two ways to use it::

        async for job in sume.jobs.as_completed(jobs):      # polls while you wait for the next one
            ...

        async with sume.jobs.as_completed(jobs) as finished:  # polls all through the block
            async for job in finished:
                ...

    The plain loop keeps no task running between iterations (break out, and nothing is
    left behind). The ``async with`` form runs the scheduler in a task for the length of
    the block, so polling goes on while your loop body works: lower detection lag for
    big batches. Leaving the block stops it.
    """

    def __init__(self, watch: JobWatch, *, return_exceptions: bool) -> None:
        self._watch = watch
        self._return_exceptions = return_exceptions
        self._receive: MemoryObjectReceiveStream[Outcome] | None = None
        self._tg: TaskGroup | None = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._receive is None:
            index, outcome = await self._watch.next_outcome()
        else:
            try:
                index, outcome = await self._receive.receive()
            except anyio.EndOfStream:
                raise StopAsyncIteration from None
        if isinstance(outcome, SumeError) and (index == FATAL or not self._return_exceptions):
            raise outcome
        return cast(T, outcome)

    async def __aenter__(self) -> Self:
        if self._tg is not None:
            raise RuntimeError("this stream is already open")
        send, self._receive = anyio.create_memory_object_stream[Outcome](math.inf)
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._watch.run, send)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._tg is not None and self._receive is not None
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            # The task group wraps an error raised in the block (a JobFailedError from this
            # stream, or the caller's own); let it out as itself, not as a group.
            if exc is not None and all(error is exc for error in group.exceptions):
                return False
            raise
        finally:
            self._receive.close()
