"""Proof under load: thousands of concurrent calls through one client over real loopback sockets.

- 5,000 concurrent calls (``account.me`` and ``jobs.get``, spawned in one task group) through
  one client with ``max_concurrent_requests=8`` all succeed, each reaching the server exactly
  once, while the server never sees more than 8 sockets open at once. The process's open-file
  limit is lowered for the run, so a client that opened a socket per call would die with
  "too many open files" instead of passing.
- 2,000 concurrent ``jobs.wait`` calls sharing one client with ``max_concurrent_polls=4`` (and the
  default, much larger, request bound) all see their job queued, then completed, while the
  server never sees more than 4 sockets open at once.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
import httpx
import pytest

from sume_async import AsyncSume, Job, PollPolicy, RetryPolicy, SumeError
from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume, serve

pytestmark = pytest.mark.anyio

N_CALLS = 5_000
POOL = 8
N_WAITS = 2_000
POLL_BOUND = 4
NO_RETRY = RetryPolicy(max_retries=0)  # no faults here: a retry would only hide a failure


async def wait_until(predicate: Callable[[], bool], *, interval: float = 0.01) -> None:
    """Poll ``predicate`` until true; the caller bounds it with ``fail_after``."""
    while not predicate():
        await anyio.sleep(interval)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@contextmanager
def scarce_file_descriptors(headroom: int) -> Iterator[int]:
    """Lower the soft open-file limit to what is open now plus ``headroom``; restore it after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = open_fds() + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def pool_connections(sume: AsyncSume) -> list[object]:
    """The httpx pool's connections (httpx internals: a test-only look)."""
    return list(sume._requester.http._transport._pool.connections)  # type: ignore[attr-defined]


async def test_5000_concurrent_calls_stay_within_the_pool(anyio_backend: str) -> None:
    mock = MockSume(credits=1_000_000)
    results: list[object] = []
    errors: list[BaseException] = []
    try:
        with anyio.fail_after(120):
            async with serve(mock) as base_url:
                async with AsyncSume(DEFAULT_API_KEY, base_url=base_url, retry_policy=NO_RETRY) as setup:
                    jobs = [await setup.images.generate(prompt=f"load {i}") for i in range(5)]
                await wait_until(lambda: mock.open_connections == 0)
                mock.reset_peak()
                mock.reset_logs()
                assert mock.peak_connections == 0

                async with AsyncSume(
                    DEFAULT_API_KEY, base_url=base_url, retry_policy=NO_RETRY, max_concurrent_requests=POOL
                ) as sume:

                    async def call(i: int) -> None:
                        try:
                            if i % 2:
                                results.append(await sume.jobs.get(jobs[i % len(jobs)]))
                            else:
                                results.append(await sume.account.me())
                        except Exception as exc:  # checked below: must not happen at all
                            errors.append(exc)

                    # A client that opened a socket per call needs two descriptors per call here
                    # (the server shares the process): far above this limit.
                    with scarce_file_descriptors(headroom=400) as limit:
                        assert limit < N_CALLS
                        async with anyio.create_task_group() as tg:
                            for i in range(N_CALLS):
                                tg.start_soon(call, i)

                    assert sume._requester.limiter.value == POOL  # every slot given back
                    conns = pool_connections(sume)
                    assert len(conns) <= POOL
                    assert all(c.is_idle() or c.is_closed() for c in conns)  # type: ignore[attr-defined]
                    peak = mock.peak_connections
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()

    assert not errors, sorted({type(e).__qualname__ for e in errors})
    assert len(results) == N_CALLS
    counts = mock.route_counts
    assert counts["GET /me"] == N_CALLS // 2 and counts["GET /jobs/{jobId}"] == N_CALLS // 2  # one request each
    assert all(r.status == 200 for r in mock.requests)
    assert 1 < peak <= POOL, peak


async def test_2000_concurrent_waits_share_the_poll_bound(anyio_backend: str) -> None:
    clock = ManualClock()  # jobs stay queued until the test completes them
    mock = MockSume(clock=clock, credits=1_000_000)
    outcomes: dict[int, Job | BaseException] = {}
    try:
        with anyio.fail_after(150):
            async with serve(mock) as base_url:
                # Set-up only: the jobs are created in-process (fast), the waits go over the socket.
                async with (
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app)) as in_process,
                    AsyncSume(
                        DEFAULT_API_KEY,
                        base_url="http://testserver/api/v1",
                        http_client=in_process,
                        allow_insecure_http=True,
                        retry_policy=NO_RETRY,
                    ) as creator,
                ):
                    jobs: list[Job] = [None] * N_WAITS  # type: ignore[list-item]

                    async def create(i: int) -> None:
                        jobs[i] = await creator.images.generate(prompt=f"wait load {i}")

                    async with anyio.create_task_group() as tg:
                        for i in range(N_WAITS):
                            tg.start_soon(create, i)
                await wait_until(lambda: mock.open_connections == 0)
                assert len(mock.jobs) == N_WAITS
                mock.reset_peak()
                mock.reset_logs()

                async with AsyncSume(
                    DEFAULT_API_KEY,
                    base_url=base_url,
                    retry_policy=NO_RETRY,
                    max_concurrent_polls=POLL_BOUND,  # the request bound stays at its default, 16
                    max_polls_per_second=None,  # the bound in flight is what this proves
                    poll_policy=PollPolicy(first=0.05, factor=1.5, short_cap=0.2, long_cap=0.2, error_delay=0.2),
                ) as sume:

                    async def wait(i: int) -> None:
                        try:
                            outcomes[i] = await sume.jobs.wait(jobs[i], timeout=None)
                        except Exception as exc:
                            outcomes[i] = exc

                    def polled_jobs() -> int:
                        return len({r.path for r in mock.requests if r.route == "GET /jobs/{jobId}"})

                    async with anyio.create_task_group() as tg:
                        for i in range(N_WAITS):
                            tg.start_soon(wait, i)
                        # Every wait has polled and seen its job queued: all 2,000 are in flight.
                        await wait_until(lambda: polled_jobs() == N_WAITS, interval=0.1)
                        assert not outcomes
                        mock.complete_all()

                    assert sume.jobs._poll_gate.in_flight == 0
                    assert sume._requester.limiter.value == 16
                    peak = mock.peak_connections
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()

    errors = [o for o in outcomes.values() if isinstance(o, BaseException)]
    assert not errors, sorted({type(e).__qualname__ for e in errors})
    assert all(isinstance(e, SumeError) for e in errors)
    assert [outcomes[i].id for i in range(N_WAITS)] == [j.id for j in jobs]  # type: ignore[union-attr]
    assert all(str(outcomes[i].status) == "completed" for i in range(N_WAITS))  # type: ignore[union-attr]
    polls = mock.route_counts["GET /jobs/{jobId}"]
    assert polls >= 2 * N_WAITS  # each saw "queued" at least once, then "completed"
    assert 1 < peak <= POLL_BOUND, peak
