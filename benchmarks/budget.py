"""A poll budget: 100,000 concurrent waits on one client under ``max_polls_per_second``.

The mock (a loopback socket, served from this process) holds 100,000 running jobs whose
durations are spread evenly over ``[low, high]`` seconds of real time; one client in a child
process awaits them all at once (``async with sume.jobs.as_completed(ids) as finished``) with
``max_polls_per_second=B``. Every poll the client starts is timestamped by a counting
transport under the SDK, so "polls per second" is measured over every sliding one-second
window, not only on average.

What the budget predicts: once N jobs wait and the policy would like more than B polls per
second, each job gets a turn every N/B seconds, so a job finishing at a random point of its
turn is seen on average N/(2B) later and at p95 after 0.95 N/B (N counts the jobs still
waiting when it finishes). The run compares the measured lags with that, job by job.
"""

from __future__ import annotations

import bisect
import random
import time
from typing import Any

import anyio
import httpx

from ._common import Child, clean, fmt, log, percentile, table, usage, verdict

POLL_ROUTE = "GET /jobs/{jobId}"


async def budget_child(args: dict[str, Any]) -> dict[str, Any]:
    """Await every job of ``job_ids`` under the budget; poll start instants and seen instants."""
    from sume_async import AsyncSume

    from ._worker import gate

    starts: list[float] = []

    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self._inner = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=args["pool"], max_keepalive_connections=args["pool"])
            )

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and "/jobs/" in request.url.path:
                starts.append(time.monotonic())
            return await self._inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self._inner.aclose()

    seen: dict[str, float] = {}
    errors = 0
    ids = args["job_ids"]
    async with AsyncSume(
        api_key=args["api_key"],
        base_url=args["base_url"],
        transport=Counting(),
        max_concurrent_requests=args["pool"],
        max_polls_per_second=args["budget"],
    ) as sume:
        admitted: list[float] = []
        budget = sume.jobs._poll_gate.budget
        spend = budget.spend

        def spend_and_count(now: float) -> None:  # the instant the budget let each poll start
            admitted.append(now)
            spend(now)

        budget.spend = spend_and_count  # type: ignore[method-assign]
        gate()
        cpu = usage()["cpu_s"]
        with anyio.move_on_after(args["deadline_s"]):
            async with sume.jobs.as_completed(ids, timeout=None, return_exceptions=True) as finished:
                async for job in finished:
                    if isinstance(job, Exception):
                        errors += 1
                        continue
                    seen[job.id] = time.monotonic()
        cpu = usage()["cpu_s"] - cpu
    return {
        "seen": seen,
        "starts": starts,
        "admitted": admitted,
        "errors": errors,
        "cpu_s": cpu,
        "peak_rss_mib": usage()["peak_rss_mib"],
    }


def _max_in_window(instants: list[float], window: float = 1.0) -> int:
    """The most instants in any half-open window ``[t, t + window)``."""
    best, j = 0, 0
    for i, start in enumerate(instants):
        while j < len(instants) and instants[j] < start + window:
            j += 1
        best = max(best, j - i)
    return best


async def _run(n: int, budget: float, low: float, high: float, pool: int) -> dict[str, Any]:
    from sume_async.testing import DEFAULT_API_KEY, MockSume, serve

    from .waiting import GatedClock

    rng = random.Random(11)
    clock = GatedClock(1.0)  # stopped at 0 while the jobs are made, then real time from the start
    mock = MockSume(clock=clock, credits=10**9, seed=1)
    transport = httpx.ASGITransport(app=mock.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver/api/v1", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    ) as setup:
        response = await setup.post("/videos/generations", json={"prompt": "budget benchmark", "duration": 5})
        response.raise_for_status()
        first = response.json()["job"]["id"]
    ids = [first, *mock.clone_jobs(first, n - 1)]
    plan = {job_id: rng.uniform(low, high) for job_id in ids}
    for job_id, seconds in plan.items():
        mock.set_job_duration(job_id, seconds)
    deadline_s = high + 2 * n / budget + 30
    try:
        async with serve(mock) as base_url:
            child = Child(
                "benchmarks.budget:budget_child",
                {
                    "job_ids": ids,
                    "base_url": base_url,
                    "api_key": DEFAULT_API_KEY,
                    "budget": budget,
                    "pool": pool,
                    "deadline_s": deadline_s,
                },
                timeout=deadline_s + 300,
            )
            await anyio.to_thread.run_sync(child.wait_ready)
            server_cpu = usage()["cpu_s"]
            started = clock.start()
            child.go(None)
            out: dict[str, Any] = await anyio.to_thread.run_sync(child.result)
            server_cpu = usage()["cpu_s"] - server_cpu
            polls = mock.route_counts.get(POLL_ROUTE, 0)
    finally:
        mock.close()
    starts = sorted(s - started for s in out["starts"])
    seen = {job_id: at - started for job_id, at in out["seen"].items()}
    lags = [seen[job_id] - plan[job_id] for job_id in seen]
    # The budget's prediction for each job: its turn comes every max(N_waiting / B, the policy's
    # longest interval) seconds; the lag is uniform within a turn.
    finish_order = sorted(plan.values())
    predicted: list[float] = []
    pick = random.Random(5)
    for job_id in seen:
        waiting = n - bisect.bisect_left(finish_order, plan[job_id])
        predicted.append(pick.random() * max(waiting / budget, 6.0))
    window_max = _max_in_window(sorted(out["admitted"]))
    socket_max = _max_in_window(starts)
    elapsed = max(starts) if starts else 0.0
    return {
        "jobs": n,
        "budget": budget,
        "detected": len(seen),
        "polls": polls,
        "polls_per_job": polls / n,
        "max_polls_in_any_second": window_max,
        "max_polls_in_any_second_at_the_socket": socket_max,
        "mean_polls_per_s": len(starts) / elapsed if elapsed else 0.0,
        "never_above_budget": window_max <= budget,
        "lag_p50_s": percentile(lags, 50),
        "lag_p95_s": percentile(lags, 95),
        "lag_max_s": max(lags) if lags else None,
        "predicted_lag_p50_s": percentile(predicted, 50),
        "predicted_lag_p95_s": percentile(predicted, 95),
        "client_cpu_s": out["cpu_s"],
        "client_peak_rss_mib": out["peak_rss_mib"],
        "server_cpu_s": server_cpu,
        "errors": out["errors"],
    }


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    if quick:
        n, budget, low, high = 5_000, 500.0, 5.0, 20.0
    else:
        n, budget, low, high = 100_000, 2_000.0, 20.0, 60.0
    pool = 32
    log(f"budget: {n:,} concurrent waits, max_polls_per_second={budget:g}, jobs finishing at {low:g}-{high:g} s")
    result = anyio.run(_run, n, budget, low, high, pool)
    table(
        f"Poll budget: {n:,} concurrent waits on one client, max_polls_per_second={budget:g}",
        [
            "detected",
            "polls/job",
            "max polls in any 1 s (started, sent)",
            "mean polls/s",
            "lag p50 s",
            "lag p95 s",
            "budget's lag p50 s",
            "budget's lag p95 s",
            "client CPU s",
            "client peak RSS MiB",
        ],
        [
            [
                f"{result['detected']:,}/{n:,}",
                result["polls_per_job"],
                f"{result['max_polls_in_any_second']:,}, {result['max_polls_in_any_second_at_the_socket']:,}",
                result["mean_polls_per_s"],
                result["lag_p50_s"],
                result["lag_p95_s"],
                result["predicted_lag_p50_s"],
                result["predicted_lag_p95_s"],
                result["client_cpu_s"],
                result["client_peak_rss_mib"],
            ]
        ],
        [
            f"Polls never above the budget in any sliding second: {verdict(result['never_above_budget'])} "
            f"({fmt(result['max_polls_in_any_second'])} <= {fmt(budget)}), counted when the budget lets a poll "
            "start; 'sent' counts them at the transport, where the request path's varying delay can squeeze "
            "a few more into one second. The budget's lag is the prediction "
            "for a round robin at exactly the budget (each job's turn every N_waiting/B seconds, at least the "
            "policy's 6 s cap); measured lags above it mean the client or the mock could not keep up with the "
            "budget on this machine (mean polls/s below the budget)."
        ],
    )
    return clean({**result, "quick": quick, "finish_window_s": [low, high], "pool": pool})
