"""Proof under cancellation fuzzing: every batch wait ends with exactly the error it documents.

Seeded scenarios over ``wait_all``, ``as_completed`` (plain loop and ``async with`` form) and
``wait``, with and without ``return_exceptions``, on asyncio and trio: jobs finish after a few
polls, some fail, answers take 0-2 ms (or no time at all), and the wait is cancelled at a random
point: while the N-th poll is in flight (from inside the server), after the N-th outcome reached
the caller, after a random delay, or not at all; half the clients have a poll budget tight
enough that polls also wait in the client's gate when the cancel lands. Whatever happens, the caller sees one of

- the documented result (every job, in the documented order),
- the documented error, as itself (``JobFailedError`` for the first failed job when not
  ``return_exceptions``; ``APIResponseValidationError`` when the failed job's ``error`` is a string
  or a list, which the schema does not allow; ``ResponseMismatchError`` for a job whose poll
  was answered with another job's id), never wrapped in an ``ExceptionGroup`` and never a
  ``BrokenResourceError``, and never a job nobody asked for,
- or its own cancellation (the scope reports it caught the cancel);

and afterwards no poll is in flight and none starts.
"""

from __future__ import annotations

import random
from typing import Any

import anyio
import httpx
import pytest
from sdk_helpers import FAST_RETRY, KEY, job

from sume_async import (
    APIResponseValidationError,
    AsyncSume,
    Job,
    JobFailedError,
    PollPolicy,
    ResponseMismatchError,
    SumeError,
)

pytestmark = pytest.mark.anyio

SEEDS = 120
POLL = PollPolicy(first=0.001, factor=1.5, short_cap=0.003, long_cap=0.003, jitter=0.5, error_delay=0.002)
APIS = ("wait_all", "wait_all_exc", "as_completed", "as_completed_exc", "context", "context_exc", "wait")


class Server:
    """Job ``job_i`` ends after ``polls[i]`` polls, ``failed`` when listed in ``fails``."""

    def __init__(self, rng: random.Random, n: int, fails: set[str], misrouted: set[str] | None = None) -> None:
        self.rng = rng
        self.remaining = {f"job_{i}": rng.randint(1, 4) for i in range(n)}
        self.fails = fails
        #: Jobs whose polls are answered with another job (a batch mate or an outsider).
        self.misrouted = misrouted or set()
        self.malformed: set[str] = set()
        self.served = 0
        self.in_flight = 0
        self.on_request: Any = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        job_id = request.url.path.rsplit("/", 1)[-1]
        self.in_flight += 1
        try:
            self.served += 1
            if self.on_request is not None:
                self.on_request(self.served)
            delay = self.rng.choice([0.0, 0.0, 0.0005, 0.002])
            if delay:
                await anyio.sleep(delay)
        finally:
            self.in_flight -= 1
        self.remaining[job_id] -= 1
        if job_id in self.misrouted:
            other = self.rng.choice([*self.remaining, "job_outsider"])
            if other != job_id:
                return httpx.Response(200, json=job(other, self.rng.choice(["processing", "completed"])))
            self.misrouted.discard(job_id)  # drew itself: an honest answer after all
        if self.remaining[job_id] > 0:
            return httpx.Response(200, json=job(job_id, "processing"))
        if job_id in self.fails:
            # The error shapes a server may send: an object, a bare string, a list.
            error = self.rng.choice([{"code": "content_policy", "message": "Refused."}, "boom", ["a", "b"], None])
            if isinstance(error, str | list):
                self.malformed.add(job_id)
            return httpx.Response(200, json=job(job_id, "failed", error=error))
        return httpx.Response(200, json=job(job_id, "completed"))


async def run_api(sume: AsyncSume, api: str, ids: list[str], cancel_after_outcomes: int | None, scope: Any) -> Any:
    """Run one batch wait; cancels ``scope`` once ``cancel_after_outcomes`` outcomes came out."""
    seen: list[Any] = []

    def got(outcome: Any) -> None:
        seen.append(outcome)
        if cancel_after_outcomes is not None and len(seen) >= cancel_after_outcomes:
            scope.cancel()

    exc = api.endswith("_exc")
    if api.startswith("wait_all"):
        result = await sume.jobs.wait_all(ids, timeout=None, return_exceptions=exc)
        got(result)
        return result
    if api == "wait":
        result = await sume.jobs.wait(ids[0], timeout=None)
        got(result)
        return [result]
    if api.startswith("as_completed"):
        async for outcome in sume.jobs.as_completed(ids, timeout=None, return_exceptions=exc):
            got(outcome)
        return seen
    async with sume.jobs.as_completed(ids, timeout=None, return_exceptions=exc) as finished:
        async for outcome in finished:
            got(outcome)
            if len(seen) % 3 == 0:
                await anyio.sleep(0)  # the caller works while the scheduler polls on
    return seen


async def one_scenario(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 12)
    ids = [f"job_{i}" for i in range(n)]
    fails = {i for i in ids if rng.random() < 0.25}
    api = APIS[seed % len(APIS)]
    if api == "wait":
        ids = ids[:1]
    misrouted = {i for i in ids if random.Random(f"{seed}-{i}").random() < 0.08}
    server = Server(random.Random(seed + 1000), n, fails, misrouted)
    how = rng.choice(["in_flight", "outcomes", "delay", "none"])
    http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    sume = AsyncSume(
        KEY,
        http_client=http,
        retry_policy=FAST_RETRY,
        poll_policy=POLL,
        max_concurrent_polls=3,
        # Unlimited, or a budget tight enough that polls queue in the gate when the cancel lands.
        max_polls_per_second=rng.choice([None, 400.0]),
    )
    outcome: Any = None
    error: BaseException | None = None
    async with sume:
        with anyio.CancelScope() as scope:
            if how == "in_flight":
                target = rng.randint(1, 3 * n)

                def on_request(served: int) -> None:
                    if served == target:
                        scope.cancel()

                server.on_request = on_request
            elif how == "delay":
                scope.deadline = anyio.current_time() + rng.uniform(0, 0.02)
            try:
                outcome = await run_api(sume, api, ids, rng.randint(1, n) if how == "outcomes" else None, scope)
            except Exception as exc:  # the point is to see what comes out
                error = exc
        served = server.served
        await anyio.sleep(0.01)
        assert server.in_flight == 0, f"seed {seed}: a poll is still running after the wait ended"
        assert server.served == served, f"seed {seed}: polling went on after the wait ended"
    context = f"seed {seed} ({api}, {how}, {n} jobs, {len(fails)} failing): {error!r}"
    if error is not None:
        assert not isinstance(error, BaseExceptionGroup), context
        assert not api.endswith("_exc"), context
        if isinstance(error, ResponseMismatchError):
            assert error.asked in server.misrouted, context
            return
        if isinstance(error, APIResponseValidationError):
            assert server.malformed, context
            return
        assert isinstance(error, JobFailedError), context
        assert error.job_id in fails, context
        assert error.error_code in (None, "content_policy"), context
        return
    if scope.cancelled_caught:
        return
    assert outcome is not None, context
    assert len(outcome) == len(ids), context

    def ident(o: Any) -> str | None:
        return getattr(o, "job_id", getattr(o, "id", None))

    if api.startswith("wait_all") or api == "wait":
        for job_id, o in zip(ids, outcome, strict=True):
            assert ident(o) in (job_id, None), context
    named = [ident(o) for o in outcome if ident(o) is not None]
    assert len(set(named)) == len(named) and set(named) <= set(ids), context
    for o in outcome:
        assert isinstance(o, Job | SumeError), context
        if isinstance(o, ResponseMismatchError):
            assert o.asked in server.misrouted, context
        elif isinstance(o, APIResponseValidationError):
            assert server.malformed, context
        elif isinstance(o, SumeError):
            assert isinstance(o, JobFailedError) and o.job_id in fails, context
        else:
            assert o.id not in fails, context
    if not api.endswith("_exc") and api != "wait":
        assert not fails and not server.misrouted, context


async def test_batch_waits_end_with_their_documented_error_under_cancellation_fuzzing() -> None:
    for seed in range(SEEDS):
        with anyio.fail_after(10):
            await one_scenario(seed)
