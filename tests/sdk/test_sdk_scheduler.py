"""The wait scheduler's bookkeeping, driven without an event loop (every time is passed in).

``Schedule`` (one wait's heap, deadline and outcomes) and ``PollBudget`` (the client's poll
rate) are plain objects: these tests step a simulated clock through them, so fairness and the
budget are proven exactly, with no timed assertion. ``PollGate``'s order is checked with tasks
that only wait on each other (no sleeping).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable

import anyio
import pytest
from sdk_helpers import job

from sume_async import InvalidInputError, Job, JobFailedError, JobTimeoutError, NotFoundError, PollPolicy
from sume_async._durations import Durations, LogNormal
from sume_async._poll_gate import PollBudget, PollGate
from sume_async._waiting import Schedule

FLAT = PollPolicy(first=1.0, factor=1.0, short_cap=1.0, long_cap=1.0, jitter=0.0, error_delay=5.0)
WALL = 1_800_000_000.0  # a fixed wall-clock instant for created_at arithmetic


def running(job_id: str) -> Job:
    return Job.from_dict(job(job_id, "processing"))


def schedule(jobs: list[Job | str], policy: PollPolicy = FLAT, **kwargs: object) -> Schedule:
    return Schedule(jobs, now=0.0, wall_now=WALL, timeout=None, policy=policy, rng=random.Random(0), **kwargs)  # type: ignore[arg-type]


# -- the poll policy


def test_poll_intervals_never_overflow_however_long_a_job_runs() -> None:
    rng = random.Random(0)
    policy = PollPolicy(jitter=0.0)
    assert [policy.interval(n, None, rng) for n in (1_750, 10_000, 10**9)] == [6.0, 6.0, 6.0]
    assert policy.interval(10**9, "image_generation", rng) == 3.0
    slow = PollPolicy(first=0.001, factor=1.000001, jitter=0.0)
    assert slow.interval(10**9, None, rng) == 6.0
    # A wait on a job still running after thousands of polls keeps its cap.
    plan = schedule(["job_1"], PollPolicy(jitter=0.0))
    now = 0.0
    for _ in range(3_000):
        entry = plan.pop()
        now = entry.due
        plan.polled(entry, running("job_1"), now)
    assert plan.next_due() == now + 3.0  # the job turned out to be an image job


@pytest.mark.parametrize(
    "field, value",
    [("first", 0), ("first", -1.0), ("first", float("nan")), ("factor", 0.5), ("short_cap", float("inf")),
     ("long_cap", "3"), ("jitter", 1.0), ("jitter", -0.1), ("error_delay", True), ("learned_cap", 0),
     ("learned_cap", float("inf"))],
)  # fmt: skip
def test_poll_policy_refuses_bad_values(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=f"PollPolicy.{field}"):
        PollPolicy(**{field: value})  # type: ignore[arg-type]


# -- one wait's schedule


def test_the_most_overdue_job_is_polled_first_and_outcomes_come_in_completion_order() -> None:
    plan = schedule(["job_a", "job_b", "job_c"])
    assert plan.next_due() == 1.0
    first = plan.pop()
    plan.polled(first, running(first.job_id), now=1.5)  # next due 2.5
    order = [plan.pop().job_id, plan.pop().job_id]
    assert order == ["job_b", "job_c"] and plan.next_due() == 2.5
    assert plan.take() is None and not plan.finished
    again = plan.pop()
    assert again.job_id == "job_a" and again.polls == 1


def test_answers_become_outcomes_reschedules_or_errors() -> None:
    plan = schedule(["job_a", "job_b", "job_c", "job_d"])
    a, b, c, d = (plan.pop() for _ in range(4))
    plan.polled(c, Job.from_dict(job("job_c", "completed")), now=1.0)
    plan.polled(b, Job.from_dict(job("job_b", "failed", error={"code": "policy", "message": "Refused."})), now=1.0)
    plan.poll_failed(d, NotFoundError(status_code=404, code="not_found", message="gone"), now=1.0)
    from sume_async import InternalServerError

    plan.poll_failed(a, InternalServerError(status_code=503, code=None, message="busy"), now=1.0)
    assert plan.next_due() == pytest.approx(6.0, rel=0.2)  # a transient error: polled again later
    outcomes = [plan.take() for _ in range(3)]
    assert [o[0] for o in outcomes if o] == [2, 1, 3]
    failed = outcomes[1][1]  # type: ignore[index]
    assert isinstance(failed, JobFailedError) and (failed.error_code, failed.error_message) == ("policy", "Refused.")
    assert isinstance(outcomes[2][1], NotFoundError)  # type: ignore[index]
    assert plan.pending == 1


@pytest.mark.parametrize("error", ["boom", ["a", "b"], 42, None, {"code": 7, "message": None}, {"code": "x"}])
def test_a_failed_job_with_any_error_shape_gives_job_failed_error(error: object) -> None:
    # The parser refuses such bodies (APIResponseValidationError); a Job built by hand may
    # still carry anything, and reading its error never raises.
    from sume_async import JobStatus

    failed = JobFailedError(Job(id="job_1", status=JobStatus.FAILED, error=error))  # type: ignore[arg-type]
    assert failed.job_id == "job_1" and failed.status == "failed"
    assert failed.error_code in (None, "x") and isinstance(failed.error_message, str | None)


def test_the_deadline_ends_every_job_left_in_input_order_with_its_last_status() -> None:
    plan = Schedule(["job_a", "job_b", "job_c"], now=0.0, wall_now=WALL, timeout=10.0, policy=FLAT)
    a = plan.pop()
    plan.polled(a, running("job_a"), now=1.0)
    in_flight = plan.pop()
    assert not plan.deadline_passed(9.99) and plan.deadline_passed(10.0)
    plan.expire()
    outcomes = [plan.take() for _ in range(3)]
    assert [o[0] for o in outcomes if o] == [0, 1, 2] and in_flight.job_id == "job_b"
    assert all(isinstance(o[1], JobTimeoutError) for o in outcomes if o)
    assert outcomes[0][1].last_status == "processing"  # type: ignore[index,union-attr]
    assert plan.finished and plan.pending == 0


def test_polling_is_scheduled_from_the_jobs_created_at() -> None:
    def created(seconds_ago: float) -> Job:
        when = dt.datetime.fromtimestamp(WALL - seconds_ago, dt.UTC)
        return Job.from_dict(job(f"job_{seconds_ago}", "processing", created_at=when.isoformat()))

    plan = schedule([created(3600), created(0.25), created(-30), "job_id_only"])
    dues = sorted((e.due, e.job_id) for e in (plan.pop() for _ in range(4)))
    # Reloaded an hour later: polled at once. 0.25 s old: 0.75 s to go. Clock skew (created "in
    # the future") or no created_at: a full first interval.
    assert dues == [(0.0, "job_3600"), (0.75, "job_0.25"), (1.0, "job_-30"), (1.0, "job_id_only")]


def test_a_fixed_interval_replaces_the_policy() -> None:
    plan = schedule(["job_a"], fixed_interval=0.25)
    entry = plan.pop()
    assert entry.due == 0.25
    plan.polled(entry, running("job_a"), now=7.0)
    assert plan.next_due() == 7.25


# -- the budget and fairness under overload


def test_the_budget_never_lets_more_than_its_rate_into_any_second() -> None:
    for per_second in (0.5, 1, 7.5, 40, 1000):
        budget = PollBudget(per_second)
        starts: list[float] = []
        t = 0.0
        while t < 20.0:
            if budget.delay(t) == 0:
                budget.spend(t)
                starts.append(t)
            else:
                t = min(t + 0.0007, t + budget.delay(t))  # wake at the time asked, or a little after
                continue
            t += 0.0003
        # Every window of one second, starting at each poll: never above the rate.
        j = 0
        for i, start in enumerate(starts):
            while j < len(starts) and starts[j] < start + 1.0:
                j += 1
            assert j - i <= max(1, int(per_second)), per_second
        # ...and the budget is used: at least 90% of it over the run.
        assert len(starts) >= 0.9 * per_second * 20 - 1, per_second


def test_an_unlimited_budget_never_delays() -> None:
    budget = PollBudget(None)
    for _ in range(10_000):
        assert budget.delay(0.0) == 0
        budget.spend(0.0)


def test_over_budget_the_most_overdue_job_goes_first_and_no_job_starves() -> None:
    """200 jobs that want a poll every second under a budget of 20/s: ten times too many."""
    jobs = [f"job_{i}" for i in range(200)]
    policy = PollPolicy(first=1.0, factor=1.0, short_cap=1.0, long_cap=1.0, jitter=0.1)
    plan = Schedule(jobs, now=0.0, wall_now=WALL, timeout=None, policy=policy, rng=random.Random(1))
    budget = PollBudget(20)
    t = 0.0
    polls: dict[str, list[float]] = defaultdict(list)
    lateness: list[float] = []
    while t < 120.0:
        due = plan.next_due()
        assert due is not None
        t = max(t, due, t + budget.delay(t))
        if budget.delay(t) > 0:
            continue
        budget.spend(t)
        entry = plan.pop()
        assert entry.due == min([entry.due] + [e.due for e in plan._heap])  # the most overdue
        lateness.append(t - entry.due)
        polls[entry.job_id].append(t)
        plan.polled(entry, running(entry.job_id), now=t)
    counts = Counter({k: len(v) for k, v in polls.items()})
    assert len(counts) == 200  # nobody starved
    assert max(counts.values()) - min(counts.values()) <= 1  # everyone gets the same share
    gaps = [b - a for times in polls.values() for a, b in itertools.pairwise(times)]
    assert max(gaps) <= 200 / 20 * 1.15  # each job's turn comes every ~N/budget seconds
    # Lateness grows smoothly to its steady state (N/budget minus the interval), never jumps.
    steady = 200 / 20 - 1.0
    assert max(lateness) <= steady * 1.15
    assert all(b - a <= 0.2 for a, b in itertools.pairwise(lateness))


def full_gate() -> tuple[PollGate, list[float], Callable[[float], Awaitable[None]]]:
    """A gate whose only slot is taken, the dues it admits, and a poll that queues for it."""
    gate = PollGate(1, PollBudget(None))
    gate.try_acquire(0.0)
    admitted: list[float] = []

    async def poll(due: float) -> None:
        await gate.acquire(due)
        admitted.append(due)

    return gate, admitted, poll


@pytest.mark.anyio
async def test_the_gate_admits_the_most_overdue_waiter_first_across_waits() -> None:
    gate, admitted, poll = full_gate()
    async with anyio.create_task_group() as tg:
        for due in (5.0, 3.0, 4.0, 1.0, 2.0):
            tg.start_soon(poll, due)
        while gate.waiting < 5:
            await anyio.sleep(0)
        for _ in range(5):
            gate.release()
            while gate.in_flight == 0 or len(admitted) < 5 - gate.waiting:
                await anyio.sleep(0)
    assert admitted == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert gate.try_acquire(9.0) is False  # the last one still holds the only slot
    gate.release()
    assert gate.in_flight == 0 and gate.waiting == 0


@pytest.mark.anyio
async def test_a_cancelled_gate_waiter_leaves_the_queue_and_passes_its_turn_on() -> None:
    gate, admitted, poll = full_gate()
    async with anyio.create_task_group() as tg:
        with anyio.CancelScope() as first:
            tg.start_soon(poll, 2.0)
            async with anyio.create_task_group() as inner:
                inner.start_soon(poll, 1.0)
                while gate.waiting < 2:
                    await anyio.sleep(0)
                inner.cancel_scope.cancel()
        assert not first.cancel_called and gate.waiting == 1
        gate.release()
    assert admitted == [2.0] and gate.in_flight == 1


# -- learned durations


def completed(job_id: str, seconds: float, type_: str = "image_generation") -> Job:
    created = dt.datetime.fromtimestamp(WALL, dt.UTC)
    updated = created + dt.timedelta(seconds=seconds)
    return Job.from_dict(
        job(job_id, "completed", type_=type_, created_at=created.isoformat(), updated_at=updated.isoformat())
    )


def test_a_learned_log_normal_polls_where_completion_is_likely() -> None:
    model = LogNormal(math.log(30.0), 0.3)  # most jobs take 17-55 s
    early = model.next_gap(0.0, max_lag=4.0)
    assert 10.0 < early <= 30.0  # nothing to see in the first seconds: wait for the likely region
    assert model.next_gap(28.0, max_lag=4.0) == 4.0  # in the thick of it: at most max_lag apart
    assert model.next_gap(200.0, max_lag=4.0) == 4.0  # far past every duration seen: the fixed cadence
    wide = LogNormal(math.log(30.0), 0.8)
    assert wide.next_gap(50.0, max_lag=4.0) == 4.0
    assert wide.next_gap(100.0, max_lag=4.0) == pytest.approx(30.0)  # the thin tail: up to the median
    narrow = LogNormal(math.log(2.0), 0.0)  # identical durations still get a little spread
    assert narrow.next_gap(0.0, max_lag=0.5) >= 0.5 and narrow.sigma > 0


def test_durations_are_learned_per_type_from_enough_sane_samples() -> None:
    durations = Durations()
    for seconds in [10.0] * 10 + [-1.0, 0.0, 1e9, float("nan")]:
        durations.record("image_generation", seconds)
    assert durations.model("image_generation") is None  # nonsense ignored; 10 samples are too few
    for seconds in [8.0, 12.0] * 10:
        durations.record("image_generation", seconds)
    for seconds in [40.0] * 25:
        durations.record("video_generation", seconds)
    image, video, pooled = (durations.model(t) for t in ("image_generation", "video_generation", None))
    assert image is not None and 9.0 < image.median < 11.0
    assert video is not None and video.median == pytest.approx(40.0)
    assert pooled is not None and image.median < pooled.median < video.median
    assert durations.model("face_swap") is None
    for _ in range(2_000):  # a bounded window that follows a service slowing down
        durations.record("video_generation", 80.0)
    assert durations.model("video_generation").median == pytest.approx(80.0)  # type: ignore[union-attr]


def simulate_batch(plan: Schedule, finish: dict[str, float]) -> tuple[float, list[float]]:
    """Run a schedule to the end against jobs finishing at ``finish``; polls per job and lags."""
    polls = 0
    lags: list[float] = []
    while (due := plan.next_due()) is not None:
        entry = plan.pop()
        polls += 1
        seconds = finish[entry.job_id]
        if due >= seconds:
            plan.polled(entry, completed(entry.job_id, seconds), now=due)
            lags.append(due - seconds)
        else:
            plan.polled(entry, Job.from_dict(job(entry.job_id, "processing")), now=due)
    return polls / len(finish), lags


def test_learned_durations_need_fewer_polls_at_a_bounded_lag() -> None:
    """Two batches of 400 image jobs (log-normal, median 12 s) on one client, clock stepped by hand."""
    rng = random.Random(4)
    durations = Durations()
    results = []
    for batch in range(2):
        finish = {f"job_{batch}_{i}": min(90.0, max(2.0, rng.lognormvariate(math.log(12.0), 0.5))) for i in range(400)}
        plan = Schedule(
            list(finish), now=0.0, wall_now=WALL, timeout=None, policy=PollPolicy(), rng=rng, durations=durations
        )
        results.append(simulate_batch(plan, finish))
    (cold_polls, _), (warm_polls, warm_lags) = results
    assert durations.model("image_generation") is not None
    assert warm_polls < cold_polls - 1.0  # the learned schedule skips the polls that find nothing
    assert sorted(warm_lags)[int(0.95 * len(warm_lags))] <= PollPolicy().max_lag
    assert max(warm_lags) <= 12.0  # never beyond the learned median


def test_a_scaled_policy_reads_timestamps_in_the_servers_seconds() -> None:
    """Freshness is judged in the server's seconds: 2 server seconds old is 0.02 s here, fresh."""
    durations = Durations()
    policy = PollPolicy().scaled(1 / 100)  # a mock 100 times faster than real time
    plan = Schedule(
        [f"job_{i}" for i in range(25)], now=0.0, wall_now=WALL + 2, timeout=None, policy=policy, durations=durations
    )
    for _ in range(25):
        entry = plan.pop()
        plan.polled(entry, Job.from_dict(job(entry.job_id, "processing")), now=0.4)
    for _ in range(25):
        entry = plan.pop()
        plan.polled(entry, completed(entry.job_id, 50.0), now=0.6)  # finished between 0.4 and 0.6
    model = durations.model("image_generation")
    assert model is not None and model.median == pytest.approx(0.52)  # from 0.02 s before the wait


def test_the_client_budget_is_validated_and_scaled_with_the_policy() -> None:
    from sume_async import AsyncSume

    for bad in (0, -1, float("nan"), "10", True):
        with pytest.raises(InvalidInputError, match="max_polls_per_second"):
            AsyncSume("sume_live_x", max_polls_per_second=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="poll_policy"):
        AsyncSume("sume_live_x", poll_policy="fast")  # type: ignore[arg-type]
    assert AsyncSume("sume_live_x").jobs._poll_gate.budget.per_second == 50
    assert AsyncSume("sume_live_x", max_polls_per_second=None).jobs._poll_gate.budget.per_second is None
    fast = AsyncSume("sume_live_x", max_polls_per_second=20, poll_policy=PollPolicy().scaled(0.01))
    assert fast.jobs._poll_gate.budget.per_second == pytest.approx(2000)


# -- learned waits cannot be poisoned (a simulated clock: every time is passed in)

HOUR = 3_600.0
DAY = 24 * HOUR


def _stamp(wall: float) -> str:
    return dt.datetime.fromtimestamp(wall, dt.UTC).isoformat()


def drive(
    plan: Schedule, finish: dict[str, float], created: dict[str, float] | None = None, updated: float | None = None
) -> tuple[list[object], list[float]]:
    """Step ``plan`` to its end: job ``j`` is done ``finish[j]`` client seconds after 0.

    Answers carry ``created_at`` (a wall time, from ``created``) and, once done, ``updated_at``
    (``updated`` seconds after creation, when given). The outcomes and every poll's time.
    """
    outcomes: list[object] = []
    polls: list[float] = []
    for _ in range(10_000):
        while (outcome := plan.take()) is not None:
            outcomes.append(outcome[1])
        due = plan.next_due()
        if due is None:
            break
        if plan.deadline_passed(due):
            plan.expire()
            continue
        entry = plan.pop()
        polls.append(due)
        extra: dict[str, str] = {}
        if created is not None:
            extra["created_at"] = _stamp(created[entry.job_id])
        done = due >= finish[entry.job_id]
        if done and created is not None and updated is not None:
            extra["updated_at"] = _stamp(created[entry.job_id] + updated)
        plan.polled(entry, Job.from_dict(job(entry.job_id, "completed" if done else "processing", **extra)), now=due)
    return outcomes, polls


def _plan(jobs: list[Job | str], durations: Durations, *, wall: float = WALL, timeout: float | None = None) -> Schedule:
    return Schedule(
        jobs, now=0.0, wall_now=wall, timeout=timeout, policy=PollPolicy(), rng=random.Random(1), durations=durations
    )


def test_waiting_on_jobs_that_finished_long_ago_teaches_nothing() -> None:
    """The issue's case: old jobs taught durations of days; then a 1 s job timed out after 0 polls."""
    durations = Durations()
    old = [
        Job.from_dict(
            job(f"old_{i}", "completed", created_at=_stamp(WALL - 3 * DAY), updated_at=_stamp(WALL - 1 * DAY))
        )
        for i in range(60)
    ]
    outcomes, _ = drive(_plan(list(old), durations), {j.id: 0.0 for j in old})
    assert len(outcomes) == 60
    ids = [f"old_id_{i}" for i in range(60)]  # the same, reloaded by id
    drive(_plan(list(ids), durations), dict.fromkeys(ids, 0.0), dict.fromkeys(ids, WALL - 3 * DAY), updated=2 * DAY)
    assert durations.model("image_generation") is None and durations.model(None) is None
    outcomes, polls = drive(_plan(["job_new"], durations, timeout=10.0), {"job_new": 1.0})
    assert [type(o).__name__ for o in outcomes] == ["Job"] and polls[-1] <= 1.0 + PollPolicy().short_cap


@pytest.mark.parametrize("skew", [-6 * HOUR, -60.0, 60.0, 6 * HOUR])
def test_a_skewed_server_clock_teaches_nothing(skew: float) -> None:
    """Fresh 10 s jobs whose server clock is off by more than max_lag: no start the client can vouch for."""
    durations = Durations()
    ids = [f"job_{i}" for i in range(40)]
    drive(_plan(list(ids), durations), dict.fromkeys(ids, 10.0), dict.fromkeys(ids, WALL + skew), updated=2 * DAY)
    assert durations.model("image_generation") is None


@pytest.mark.parametrize("skew", [-1.0, 0.0, 1.0])
def test_learning_uses_the_clients_own_clock_never_updated_at(skew: float) -> None:
    """Within max_lag of skew, 10 s jobs teach about 10 s, though updated_at claims two days."""
    durations = Durations()
    ids = [f"job_{i}" for i in range(40)]
    drive(_plan(list(ids), durations), dict.fromkeys(ids, 10.0), dict.fromkeys(ids, WALL + skew), updated=2 * DAY)
    model = durations.model("image_generation")
    assert model is not None and 9.0 <= model.median <= 10.0 + PollPolicy().short_cap / 2 + 1.0


def test_whatever_was_learned_no_gap_passes_the_cap_nor_skips_the_deadline() -> None:
    policy = PollPolicy()
    for poison in (DAY, HOUR, 500.0):
        durations = Durations()
        for _ in range(600):
            durations.record("image_generation", poison)  # as if learned, somehow
        fresh = Job.from_dict(job("job_1", "queued", created_at=_stamp(WALL)))
        outcomes, polls = drive(_plan([fresh], durations), {"job_1": 1.0})
        assert isinstance(outcomes[0], Job) and polls[0] <= policy.learned_cap
        gaps = [b - a for a, b in itertools.pairwise([0.0, *polls])]
        assert max(gaps) <= policy.learned_cap
        # A short deadline: the learned gap would skip it, so the fixed schedule polls instead.
        outcomes, polls = drive(_plan([fresh], durations, timeout=5.0), {"job_1": 1.0})
        assert isinstance(outcomes[0], Job) and polls, f"{poison}: {outcomes}"
        late = [f"job_{i}" for i in range(5)]
        outcomes, polls = drive(_plan(list(late), durations, timeout=5.0), dict.fromkeys(late, 60.0))
        assert all(isinstance(o, JobTimeoutError) for o in outcomes) and len(polls) >= 5  # polled, then timed out


def test_learned_gaps_stay_under_the_cap_for_any_model() -> None:
    rng = random.Random(5)
    for _ in range(2_000):
        model = LogNormal(rng.uniform(-5, 15), rng.uniform(0, 4))
        cap, lag = rng.uniform(0.01, 100), rng.uniform(0.01, 100)
        gap = model.next_gap(rng.choice([0.0, rng.uniform(0, 1e6)]), lag, cap)
        assert 0 < gap <= cap


def test_a_scaled_policy_scales_the_learned_cap_too() -> None:
    assert PollPolicy().scaled(0.01).learned_cap == pytest.approx(PollPolicy().learned_cap * 0.01)
