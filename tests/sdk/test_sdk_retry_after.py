"""Retry-After under a 429 storm: honoured as a floor, with jitter, by the whole client's polls.

Unit checks of the one delay rule (``RetryPolicy.retry_after_delay``) and of the poll budget's
pause, then raw loopback servers (``hostile_server.py``) that answer a poll with a 429: the
times asserted are lower bounds only (the server's clock, from the moment it sent the 429),
which a slow machine can only make easier to meet.
"""

from __future__ import annotations

import random

import anyio
import pytest
from hostile_server import hostile_server, json_response
from sdk_helpers import FAST_POLL, KEY, envelope, job

from sume_async import AsyncSume, RateLimitError, RetryPolicy
from sume_async._poll_gate import PollBudget, PollGate
from sume_async._retries import RETRY_AFTER_SPREAD, spread_retry_after
from sume_async._waiting import JobWatch, Schedule

RETRY_AFTER = 0.3


def test_retry_after_is_a_floor_with_jitter_and_still_capped() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, max_retry_after=60)
    rng = random.Random(1)
    delays = [policy.delay(1, retry_after=2, rng=rng) for _ in range(200)]
    assert all(2 <= d <= 2 * (1 + RETRY_AFTER_SPREAD) for d in delays)
    assert len({round(d, 3) for d in delays}) > 100  # callers told "2 s" do not all come back at once
    capped = [policy.delay(1, retry_after=3600, rng=rng) for _ in range(50)]
    assert all(60 <= d <= 60 * (1 + RETRY_AFTER_SPREAD) for d in capped) and len(set(capped)) > 1
    zero = [policy.retry_after_delay(0, rng=rng) for _ in range(50)]  # "0" is not "all at once" either
    assert all(0 <= d <= 0.5 * RETRY_AFTER_SPREAD for d in zero) and len(set(zero)) > 1
    assert spread_retry_after(-5, floor=0.0) == 0.0


def test_a_pause_holds_every_poll_of_the_budget_limited_or_not() -> None:
    for per_second in (None, 50.0):
        budget = PollBudget(per_second)
        assert budget.delay(10.0) == 0.0
        budget.pause(12.5)
        budget.pause(11.0)  # an earlier pause does not shorten the current one
        assert budget.delay(10.0) == pytest.approx(2.5) and budget.delay(13.0) == 0.0


def test_a_failed_poll_is_not_due_before_the_pause_ends() -> None:
    from sume_async import PollPolicy

    policy = PollPolicy(first=1.0, factor=1.0, short_cap=1.0, long_cap=1.0, jitter=0.0, error_delay=0.5)
    plan = Schedule(["job_1"], now=0.0, wall_now=0.0, timeout=None, policy=policy, rng=random.Random(0))
    entry = plan.pop()
    error = RateLimitError(status_code=429, code="rate_limited", message="slow down", retry_after=30.0)
    plan.poll_failed(entry, error, 1.0, not_before=31.2)
    assert plan.next_due() == 31.2


def test_one_polls_retry_after_pauses_the_whole_gate_for_that_long_with_jitter() -> None:
    now = [100.0]
    pauses = []
    for seed in range(20):
        gate = PollGate(4, PollBudget(None), clock=lambda: now[0])
        watch = JobWatch(
            lambda _id: None,  # type: ignore[arg-type, return-value]
            ["job_1"],
            timeout=None,
            gate=gate,
            policy=FAST_POLL,
            rng=random.Random(seed),
            retry=RetryPolicy(initial_delay=0.5, max_retry_after=60),
        )
        watch._rate_limited(None)  # no Retry-After: the entry's own backoff, no pause for all
        assert gate.paused_until == float("-inf")
        watch._rate_limited(8.0)
        pauses.append(gate.paused_until - now[0])
    assert all(8.0 <= p <= 8.0 * (1 + RETRY_AFTER_SPREAD) for p in pauses) and len(set(pauses)) > 10


def client(base_url: str, retries: int, **kwargs: object) -> AsyncSume:
    return AsyncSume(
        KEY,
        base_url=base_url,
        retry_policy=RetryPolicy(max_retries=retries, initial_delay=0.001, max_delay=0.005),
        poll_policy=FAST_POLL,  # polls 5-20 ms apart: many would fit in the Retry-After
        max_polls_per_second=None,
        **kwargs,  # type: ignore[arg-type]
    )


def rate_limited() -> list[bytes | float | None]:
    return json_response(429, envelope("rate_limited"), {"Retry-After": str(RETRY_AFTER)})  # type: ignore[return-value]


@pytest.mark.anyio
async def test_after_the_transport_gives_up_the_next_poll_still_waits_out_retry_after() -> None:
    arrivals: list[float] = []

    def script(line: str, index: int) -> list[bytes | float | None]:
        arrivals.append(anyio.current_time())
        if index == 0:
            return rate_limited()
        return json_response(200, job("job_1", "completed" if index >= 2 else "processing"))  # type: ignore[return-value]

    with anyio.fail_after(10):
        async with hostile_server(script) as server, client(server.base_url, retries=0) as sume:
            done = await sume.jobs.wait("job_1", timeout=None)
    assert done.status == "completed" and len(arrivals) == 3
    assert arrivals[1] - arrivals[0] >= RETRY_AFTER  # not the 5 ms error delay


@pytest.mark.anyio
@pytest.mark.parametrize("retries", [0, 1])
async def test_a_429_seen_by_one_poll_slows_every_other_wait_of_the_client(retries: int) -> None:
    """job_a's first poll gets a 429 (retried by the transport, or not); job_b's wait must hold off too."""
    limited_at: list[float] = []
    job_b: list[float] = []

    def script(line: str, index: int) -> list[bytes | float | None]:
        now = anyio.current_time()
        if line.endswith("/job_a"):
            if not limited_at:
                limited_at.append(now)
                return rate_limited()
            return json_response(200, job("job_a", "completed"))  # type: ignore[return-value]
        job_b.append(now)
        # job_b goes on running until the pause is over (or after 500 polls: bounded if it is not honoured).
        over = bool(limited_at) and now >= limited_at[0] + RETRY_AFTER
        return json_response(200, job("job_b", "completed" if over or len(job_b) > 500 else "processing"))  # type: ignore[return-value]

    with anyio.fail_after(10):
        async with (
            hostile_server(script) as server,
            client(server.base_url, retries, max_concurrent_polls=2) as sume,
            anyio.create_task_group() as tg,
        ):
            for job_id in ("job_a", "job_b"):
                tg.start_soon(_wait, sume, job_id)
    assert limited_at
    during = [t for t in job_b if limited_at[0] < t < limited_at[0] + RETRY_AFTER]
    # At most the one job_b poll that was already on its way when the 429 went out.
    assert len(during) <= 1, f"{len(during)} polls of another wait inside the Retry-After"


async def _wait(sume: AsyncSume, job_id: str) -> None:
    await sume.jobs.wait(job_id, timeout=None)  # a 429 is transient: it never ends a wait


@pytest.mark.anyio
async def test_the_batch_create_pause_spreads_a_retry_after_too() -> None:
    from sume_async.batch._pacing import RateLimitGate

    ends = []
    for seed in range(20):
        gate = RateLimitGate(base=0.001, cap=60.0, rng=random.Random(seed))
        before = anyio.current_time()
        gate.limited(5.0)
        ends.append(gate._until - before)
    assert all(5.0 <= e <= 5.0 * (1 + RETRY_AFTER_SPREAD) + 0.1 for e in ends) and len({round(e, 4) for e in ends}) > 10
