"""Awaiting jobs: adaptive polling, one bounded scheduler, an overall deadline.

Every wait — one job or ten thousand — is a :class:`Schedule` (plain bookkeeping: which job
to poll next and when, what each answer means, when the deadline passed; no event loop)
driven by a :class:`JobWatch` (the async part: it sleeps until the next poll is due and sends
it through the client's :class:`~sume_async._poll_gate.PollGate`, which bounds the polls in
flight and their rate across all the client's waits, most overdue first).

Polling starts about a second after the job's creation (its ``created_at`` when known, so a
job reloaded by id is polled at once) and backs off geometrically, with jitter, up to a cap
that fits the job type: image jobs finish in seconds and are polled more often than
video-like jobs, which take minutes.

The plain ``async for`` loop keeps no background task: polling happens inside the caller's
``__anext__``/``wait_all`` call, in a task group that ends before the call returns, so
cancelling a wait (or breaking out of ``as_completed``) leaves nothing running. Only the
``async with`` form of :class:`JobStream` runs the scheduler in a task, for the block's length.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

import anyio
import attrs
from anyio.abc import TaskGroup

from . import _job_states as job_states
from . import _job_types as job_types
from ._durations import Durations
from ._errors import (
    ClientClosedError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    SumeError,
)
from ._generated.models import Job
from ._options import NotGiven
from ._poll_gate import PollGate
from ._retries import RetryPolicy, rate_limit_listener, should_retry

#: A wait's ``timeout``: seconds, ``None`` for no deadline, or ``NOT_GIVEN`` for the job types' default.
Timeout = float | None | NotGiven


def _positive(field: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise InvalidInputError(f"PollPolicy.{field}", "must be a finite number above 0")

    return check


def _jitter(instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise InvalidInputError("PollPolicy.jitter", "must be a number in [0, 1)")


def _factor(instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 1:
        raise InvalidInputError("PollPolicy.factor", "must be a finite number of at least 1")


@attrs.frozen
class PollPolicy:
    """How often to poll a job.

    Until the client has seen enough jobs of a type complete, the n-th poll comes
    ``min(cap, first * factor**n)`` seconds after the previous one, times a random factor in
    ``[1 - jitter, 1 + jitter]`` so that a batch created at once does not poll in lockstep.
    The cap is ``short_cap`` for image jobs and ``long_cap`` for the others. Afterwards the
    polls follow the learned durations (see ``max_lag``), never more than ``learned_cap``
    apart, and never so far apart that the wait's deadline would pass first.

    Attributes:
        first: Seconds before the second poll, above 0 (default 1).
        factor: How much each pause grows, at least 1 (default 1.5).
        short_cap: The longest pause for image jobs, above 0 (default 3 s).
        long_cap: The longest pause for the other jobs, above 0 (default 6 s).
        jitter: The random spread of each pause, from 0 to below 1 (default 0.2: ±20 %).
        error_delay: Seconds to wait after a poll failed for a transient reason (429, 5xx,
            network), above 0 (default 5).
        max_lag: Once durations are learned, the longest pause where completion is likely, above
            0 (default 4 s).
        learned_cap: The longest pause a learned duration may ask for, above 0 (default 30 s).
        time_scale: Client seconds per server second, above 0 (1 for the real API).
    """

    first: float = attrs.field(default=1.0, validator=_positive("first"))
    factor: float = attrs.field(default=1.5, validator=_factor)
    short_cap: float = attrs.field(default=3.0, validator=_positive("short_cap"))
    long_cap: float = attrs.field(default=6.0, validator=_positive("long_cap"))
    jitter: float = attrs.field(default=0.2, validator=_jitter)
    #: How long to wait after a poll failed for a transient reason (429, 5xx, network).
    error_delay: float = attrs.field(default=5.0, validator=_positive("error_delay"))
    #: Once the client has learned a job type's durations, polls come at most this far apart
    #: (and never further than ``long_cap``) where completion is likely, and further apart
    #: where it is not.
    max_lag: float = attrs.field(default=4.0, validator=_positive("max_lag"))
    #: The longest gap between two polls a learned schedule may leave, whatever it learned.
    learned_cap: float = attrs.field(default=30.0, validator=_positive("learned_cap"))
    #: Client seconds per server second, to read durations from the jobs' timestamps
    #: (1 for the real API; ``scaled(1 / speed)`` sets it for a sped-up mock).
    time_scale: float = attrs.field(default=1.0, validator=_positive("time_scale"))

    def interval(self, polls: int, job_type: str | None, rng: random.Random) -> float:
        """Seconds between poll number ``polls`` and the next, before durations are learned.

        Args:
            polls: Polls made so far (0 before the second).
            job_type: The job's type (``None`` when not known: the long cap applies).
            rng: The random source of the jitter.

        Returns:
            ``min(cap, first * factor**polls)``, times a random factor in ``[1 - jitter, 1 + jitter]``.
        """
        cap = self.short_cap if job_states.is_short(job_type) else self.long_cap
        # ``first * factor**polls`` overflows a float after ~1,750 polls: stop growing at the cap.
        if self.first >= cap or (self.factor > 1 and polls * math.log(self.factor) >= math.log(cap / self.first)):
            base = cap
        else:
            base = self.first * self.factor**polls
        return base * rng.uniform(1 - self.jitter, 1 + self.jitter)

    def scaled(self, factor: float) -> PollPolicy:
        """The same policy with every interval multiplied by ``factor``.

        Args:
            factor: The multiplier, such as ``1 / speed`` for a sped-up mock.

        Returns:
            A new policy.
        """
        return attrs.evolve(
            self,
            first=self.first * factor,
            short_cap=self.short_cap * factor,
            long_cap=self.long_cap * factor,
            error_delay=self.error_delay * factor,
            max_lag=self.max_lag * factor,
            learned_cap=self.learned_cap * factor,
            time_scale=self.time_scale * factor,
        )


def default_timeout(jobs: Sequence[Job | str]) -> float:
    """The longest default timeout of the jobs' types; a bare id or an unknown type counts as long."""
    if not jobs:
        return job_types.UNKNOWN.default_timeout
    return max(job_types.info(job_states.type_of(j) if isinstance(j, Job) else None).default_timeout for j in jobs)


def _timestamp(job: Job | str, field: str) -> float | None:
    """``job.<field>`` (a datetime) as POSIX seconds, or ``None``."""
    value = getattr(job, field, None)
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _age(job: Job | str, wall_now: float) -> float:
    """Seconds since the job was created, by its ``created_at`` (0 when unknown or in the future)."""
    created = _timestamp(job, "created_at")
    return 0.0 if created is None else max(0.0, wall_now - created)


def _fresh_start(job: Job | str, *, now: float, wall_now: float, policy: PollPolicy) -> float | None:
    """When a job the wait began with at client time ``now`` started, if it was fresh then.

    The job existed when the wait began (``now``): that much this client observed. Its
    ``created_at`` is only the server's word, so it is trusted no further than ``max_lag``
    either way: a job created up to ``max_lag`` before (or, skewed, after) the wait began
    started at most ``max_lag`` earlier. Any other job, old or behind a skewed clock or
    without ``created_at``, has no start the client can vouch for: ``None``.
    """
    created = _timestamp(job, "created_at")
    if created is None:
        return None
    age = (wall_now - created) * policy.time_scale
    if not -policy.max_lag <= age <= policy.max_lag:
        return None
    return now - max(0.0, age)


# ---------------------------------------------------------------- the bookkeeping


@attrs.define(eq=False)
class _Entry:
    due: float
    order: int
    index: int
    job_id: str
    job_type: str | None
    last_status: str | None = None
    polls: int = 0
    #: When the job started, on the client's clock (from ``created_at`` when known).
    started: float = 0.0
    #: The last time a poll saw it still running.
    seen_running: float = 0.0
    #: When it started by the client's own evidence (``_fresh_start``), or ``None``: not learned from.
    learn_from: float | None = None
    #: Whether ``learn_from`` was decided (at the first ``created_at`` seen).
    judged: bool = False

    def __lt__(self, other: _Entry) -> bool:
        return (self.due, self.order) < (other.due, other.order)


#: ``(index in the input, the job or the error that ended its wait)``.
_Outcome = tuple[int, Job | SumeError]


class Schedule:
    """The bookkeeping of one wait, without an event loop: every time is passed in.

    Keeps the jobs in a heap by their next poll time; :meth:`pop` hands out the next one to
    poll, :meth:`polled`/:meth:`poll_failed` record what came back (a job finished, failed,
    or is polled again later), :meth:`expire` ends the jobs left when the deadline passed.
    Outcomes queue in completion order for :meth:`take`.
    """

    def __init__(
        self,
        jobs: Sequence[Job | str],
        *,
        now: float,
        wall_now: float,
        timeout: float | None,
        policy: PollPolicy,
        fixed_interval: float | None = None,
        rng: random.Random | None = None,
        durations: Durations | None = None,
    ) -> None:
        self.timeout = timeout
        self.deadline = None if timeout is None else now + timeout
        self._began, self._wall_began = now, wall_now
        self._policy = policy
        self._fixed = fixed_interval
        self._rng = rng or random.Random()
        self._durations = durations
        self._heap: list[_Entry] = []
        self._in_flight: set[_Entry] = set()
        self._ready: deque[_Outcome] = deque()
        #: An error that ends the whole wait, not one job's (the client was closed).
        self.fatal: SumeError | None = None
        order = itertools.count()
        for index, job in enumerate(jobs):
            if isinstance(job, Job):
                entry = _Entry(0.0, next(order), index, job.id, job_states.type_of(job), job_states.status_of(job))
            else:
                entry = _Entry(0.0, next(order), index, job, None)
            if isinstance(job, Job):
                self._judge(entry, job)
            # Counted from the job's creation when known: a job created long ago is polled at once.
            age = _age(job, wall_now) * policy.time_scale
            entry.started = entry.seen_running = now - age
            entry.due = now + max(0.0, self._interval(entry, entry.started) - age)
            self._heap.append(entry)
        heapq.heapify(self._heap)
        self.pending = len(self._heap)

    # -- what to poll next

    def next_due(self) -> float | None:
        """When the next poll is due (``None``: nothing left to poll, maybe some in flight)."""
        return self._heap[0].due if self._heap else None

    def pop(self) -> _Entry:
        """The most overdue job, now counted as in flight."""
        entry = heapq.heappop(self._heap)
        self._in_flight.add(entry)
        return entry

    def requeue_in_flight(self) -> None:
        """Polls cut short (deadline, cancellation, a stop) go back in the queue as they were."""
        for entry in self._in_flight:
            heapq.heappush(self._heap, entry)
        self._in_flight.clear()

    @property
    def finished(self) -> bool:
        """Nothing left to poll nor in flight."""
        return not self._heap and not self._in_flight

    # -- what came back

    def polled(self, entry: _Entry, job: Job, now: float) -> None:
        self._in_flight.discard(entry)
        entry.polls += 1
        if not entry.judged:  # a bare id: the first answer with a created_at says if it was fresh
            self._judge(entry, job)
        entry.last_status = job_states.status_of(job)
        entry.job_type = job_states.type_of(job) or entry.job_type
        if not job_states.is_terminal(job):
            entry.seen_running = now
            entry.due = now + self._interval(entry, now)
            heapq.heappush(self._heap, entry)
        elif job_states.is_failed(job):
            self._ready.append((entry.index, JobFailedError(job)))
        else:
            self._learn(entry, job, now)
            self._ready.append((entry.index, job))

    def poll_failed(self, entry: _Entry, error: SumeError, now: float, *, not_before: float | None = None) -> None:
        """A poll ended in ``error``; a transient one is polled again after ``error_delay``,
        and never before ``not_before`` (the end of the client's ``Retry-After`` pause).
        """
        self._in_flight.discard(entry)
        if isinstance(error, ClientClosedError):
            self.fatal = error
            self._in_flight.add(entry)  # as if cut short: the wait ends here
        elif should_retry(error):  # the one retry decision: network, 408, 429, 5xx
            entry.due = now + self._policy.error_delay * self._rng.uniform(0.8, 1.2)
            if not_before is not None:
                entry.due = max(entry.due, not_before)
            heapq.heappush(self._heap, entry)
        else:
            self._ready.append((entry.index, error))

    # -- the deadline

    def deadline_passed(self, now: float) -> bool:
        return self.deadline is not None and now >= self.deadline

    def expire(self) -> None:
        """End every job still waiting with ``JobTimeoutError``, in input order."""
        self.requeue_in_flight()
        for entry in sorted(self._heap, key=lambda e: e.index):
            error = JobTimeoutError(entry.job_id, last_status=entry.last_status, timeout=self.timeout)
            self._ready.append((entry.index, error))
        self._heap.clear()

    # -- outcomes

    @property
    def has_outcome(self) -> bool:
        return bool(self._ready)

    def take(self) -> _Outcome | None:
        """The next outcome in completion order, if any."""
        if not self._ready:
            return None
        self.pending -= 1
        return self._ready.popleft()

    def _interval(self, entry: _Entry, now: float) -> float:
        """Seconds from ``now`` to the entry's next poll."""
        if self._fixed is not None:
            return self._fixed
        policy = self._policy
        model = None if self._durations is None else self._durations.model(entry.job_type)
        if model is None:
            return policy.interval(entry.polls, entry.job_type, self._rng)
        # Never later than the learned gap (jitter only brings polls forward), where completion
        # is likely never further apart than the fixed schedule's longest interval, and never
        # more than ``learned_cap`` apart, whatever was learned.
        lag = min(policy.max_lag, policy.long_cap)
        gap = model.next_gap(now - entry.started, lag, policy.learned_cap) * self._rng.uniform(1 - policy.jitter / 2, 1)
        if self.deadline is not None and now + gap >= self.deadline:
            # A learned gap never skips the rest of the wait: the fixed schedule polls instead.
            gap = min(gap, policy.interval(entry.polls, entry.job_type, self._rng))
        return gap

    def _judge(self, entry: _Entry, job: Job) -> None:
        """Decide ``entry.learn_from`` once a ``created_at`` of the job is known."""
        if _timestamp(job, "created_at") is not None:
            entry.judged = True
            entry.learn_from = _fresh_start(job, now=self._began, wall_now=self._wall_began, policy=self._policy)

    def _learn(self, entry: _Entry, job: Job, now: float) -> None:
        """Teach the client how long this job took, from what this client saw on its own clock.

        Only a job that was fresh when the wait began (``learn_from``) is learned from: it
        finished between the last poll that saw it running (or its start) and ``now``, so it
        took about the middle of that. The job's ``updated_at`` is never read: an old job, a
        skewed clock or a server that touches ``updated_at`` later would teach days.
        """
        if self._durations is None or entry.learn_from is None:
            return
        start = entry.learn_from
        seconds = (max(entry.seen_running, start) + now) / 2 - start
        self._durations.record(entry.job_type, seconds)


# ---------------------------------------------------------------- the driver


class JobWatch:
    """Runs a :class:`Schedule`: sleeps until a poll is due, polls through the gate.

    Two modes: :meth:`next_outcome` (pull: polls only while the caller waits for the next
    outcome) and :meth:`drain` (continuous: hands each outcome to a callback at once).
    ``fixed_interval`` replaces the adaptive schedule with a constant one. ``retry`` (the
    client's) turns a poll's ``Retry-After`` into the pause of the whole gate.
    """

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[Job]],
        jobs: Sequence[Job | str],
        *,
        timeout: float | None,
        gate: PollGate,
        policy: PollPolicy,
        fixed_interval: float | None = None,
        rng: random.Random | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._fetch = fetch
        self._retry = retry or RetryPolicy()
        self._jobs = jobs
        self._gate = gate
        self._timeout = timeout
        self._policy = policy
        self._fixed = fixed_interval
        self._rng = rng
        self._schedule: Schedule | None = None
        self._wake = anyio.Event()

    @property
    def size(self) -> int:
        return len(self._jobs)

    def _start(self) -> Schedule:
        if self._schedule is None:
            self._schedule = Schedule(
                self._jobs,
                now=anyio.current_time(),
                wall_now=time.time(),
                timeout=self._timeout,
                policy=self._policy,
                fixed_interval=self._fixed,
                rng=self._rng,
                durations=self._gate.durations,
            )
        return self._schedule

    async def next_outcome(self) -> _Outcome:
        """Pull mode: poll until the next job finishes; ``StopAsyncIteration`` when none is left.

        Nothing runs between calls: polling happens inside this call only.
        """
        schedule = self._start()
        if not schedule.has_outcome and schedule.pending:
            await self._pump(schedule, None)
        outcome = schedule.take()
        if outcome is None:
            raise StopAsyncIteration
        return outcome

    async def drain(self, emit: Callable[[_Outcome], bool]) -> None:
        """Continuous mode: poll until every job is reported, passing each outcome to ``emit``.

        ``emit`` returns ``False`` to stop the wait (polls in flight are cancelled). An error
        that ends the whole wait (the client was closed) is raised.
        """
        schedule = self._start()
        await self._pump(schedule, emit)

    async def collect(self, *, return_exceptions: bool) -> list[Job | SumeError]:
        """Every job's outcome, in input order (``wait_all``)."""
        results: list[Job | SumeError | None] = [None] * self.size
        failure: list[SumeError] = []

        def keep(outcome: _Outcome) -> bool:
            index, value = outcome
            if _should_raise(value, return_exceptions):
                failure.append(cast(SumeError, value))
                return False
            results[index] = value
            return True

        await self.drain(keep)
        if failure:
            raise failure[0]
        return [r for r in results if r is not None]

    async def _pump(self, schedule: Schedule, emit: Callable[[_Outcome], bool] | None) -> None:
        """Poll until an outcome is ready (pull mode) or, with ``emit``, until none is left."""
        stopped = False
        deadline = math.inf if schedule.deadline is None else schedule.deadline
        try:
            with anyio.CancelScope(deadline=deadline):
                async with anyio.create_task_group() as tg:
                    cutoff: float | None = None
                    while schedule.fatal is None:
                        now = anyio.current_time()
                        if emit is not None:
                            if not _emit_ready(schedule, emit):
                                stopped = True
                                tg.cancel_scope.cancel()
                                break
                            if schedule.finished:
                                break
                        elif schedule.has_outcome:
                            # A result is in: start only the polls already due by now (if the
                            # gate lets them through at once), then hand the result over.
                            cutoff = now if cutoff is None else cutoff
                            due = schedule.next_due()
                            if due is None or due > cutoff or not self._gate.try_acquire(due):
                                break
                            tg.start_soon(self._poll, schedule, schedule.pop())
                            continue
                        due = schedule.next_due()
                        if due is None:
                            # Everything left is being polled right now; wait for a result.
                            await self._wait_for_wake(math.inf)
                            continue
                        if due > now:
                            await self._wait_for_wake(due - now)
                            continue
                        await self._gate.acquire(due)
                        tg.start_soon(self._poll, schedule, schedule.pop())
                    # In pull mode the task group lets the polls in flight finish; their
                    # results are kept for the next call.
        finally:
            schedule.requeue_in_flight()
        if schedule.fatal is not None:
            raise schedule.fatal
        if stopped:
            return
        if schedule.deadline_passed(anyio.current_time()) and (emit is not None or not schedule.has_outcome):
            # In pull mode a result already in hand is handed over first; the next call expires.
            schedule.expire()
            if emit is not None:
                _emit_ready(schedule, emit)

    async def _wait_for_wake(self, delay: float) -> None:
        with anyio.move_on_after(delay):
            await self._wake.wait()
        if self._wake.is_set():
            self._wake = anyio.Event()

    async def _poll(self, schedule: Schedule, entry: _Entry) -> None:
        # Never let an error escape into the task group: it would reach the caller wrapped in
        # an ExceptionGroup instead of as the SumeError it is.
        token = rate_limit_listener.set(self._rate_limited)  # this task's requests only
        try:
            job = await self._fetch(entry.job_id)
        except SumeError as exc:
            schedule.poll_failed(entry, exc, anyio.current_time(), not_before=self._gate.paused_until)
        else:
            schedule.polled(entry, job, anyio.current_time())
        finally:
            rate_limit_listener.reset(token)
            self._gate.release()
            self._wake.set()

    def _rate_limited(self, retry_after: float | None) -> None:
        """A poll got a 429: with ``Retry-After``, no poll of the client starts for that long (jittered)."""
        if retry_after is not None:
            self._gate.slow_down(self._retry.retry_after_delay(retry_after, rng=self._rng))


def _emit_ready(schedule: Schedule, emit: Callable[[_Outcome], bool]) -> bool:
    """Hand every ready outcome to ``emit``; ``False`` as soon as it asks to stop."""
    while (outcome := schedule.take()) is not None:
        if not emit(outcome):
            return False
    return True


def _should_raise(value: Job | SumeError, return_exceptions: bool) -> bool:
    """The one rule of batch waits: an error ends the wait unless the caller asked to collect it."""
    return isinstance(value, SumeError) and not return_exceptions


# ---------------------------------------------------------------- as_completed

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
        self._tg: TaskGroup | None = None
        # The ``async with`` form: outcomes the task found, and how the task ended.
        self._buffer: deque[_Outcome] = deque()
        self._arrived = anyio.Event()
        self._ended = False
        self._error: SumeError | None = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._tg is None:
            _, outcome = await self._watch.next_outcome()
        else:
            while not self._buffer:
                if self._ended:
                    if self._error is not None:
                        raise self._error
                    raise StopAsyncIteration
                await self._arrived.wait()
                self._arrived = anyio.Event()
            _, outcome = self._buffer.popleft()
        if _should_raise(outcome, self._return_exceptions):
            raise cast(SumeError, outcome)
        return cast(T, outcome)

    def _deliver(self, outcome: _Outcome) -> bool:
        self._buffer.append(outcome)
        self._arrived.set()
        return True

    async def _run(self) -> None:
        # The task never raises (only its cancellation goes through): the error that ends
        # the wait is kept for the reader, who raises it as itself.
        try:
            await self._watch.drain(self._deliver)
        except SumeError as exc:
            self._error = exc
        finally:
            self._ended = True
            self._arrived.set()

    async def __aenter__(self) -> Self:
        if self._tg is not None:
            raise RuntimeError("this stream is already open")
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._run)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        # The block's own exception (a JobFailedError from this stream, or the caller's) is
        # not handed to the task group, which would wrap it in a group: it goes on as itself.
        await self._tg.__aexit__(None, None, None)
        return None
