"""Pool size: 200 concurrent callers through one client at 8, 16, 32 and 64 connections.

Each configuration runs its client in a fresh child process against the mock on a loopback
socket (served from this process): 200 tasks call ``sume.jobs.get`` in a loop for a fixed
time through ``AsyncSume(max_concurrent_requests=N)`` (N connections in the pool, N requests
in flight). Configurations are interleaved over the runs; the medians are reported.

Throughput is completed calls per second; latency is per call, including the wait for a
free connection; client CPU is the child's CPU seconds per 1,000 calls (the cost of the
pool itself: httpcore scans its connections on every request).
"""

from __future__ import annotations

import time
from typing import Any

import anyio

from ._common import Child, clean, log, median, percentile, table, usage

CALLERS = 200
POOL_SIZES = (8, 16, 32, 64)


async def pool_child(args: dict[str, Any]) -> dict[str, Any]:
    """200 callers doing ``jobs.get`` for ``seconds`` through a pool of ``pool`` connections."""
    from sume_async import AsyncSume

    from ._worker import gate

    latencies: list[float] = []
    errors = 0
    async with AsyncSume(
        api_key=args["api_key"], base_url=args["base_url"], max_concurrent_requests=args["pool"], max_retries=0
    ) as sume:
        await sume.jobs.get(args["job_id"])  # connect once before the clock starts
        gate()
        cpu = usage()["cpu_s"]
        start = time.perf_counter()
        end = start + args["seconds"]

        async def caller() -> None:
            nonlocal errors
            while (t0 := time.perf_counter()) < end:
                try:
                    await sume.jobs.get(args["job_id"])
                except Exception:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - t0)

        async with anyio.create_task_group() as tg:
            for _ in range(CALLERS):
                tg.start_soon(caller)
        elapsed = time.perf_counter() - start
        cpu = usage()["cpu_s"] - cpu
    return {
        "calls": len(latencies),
        "calls_per_s": len(latencies) / elapsed,
        "latency_p50_ms": percentile(latencies, 50) * 1000,
        "latency_p95_ms": percentile(latencies, 95) * 1000,
        "client_cpu_ms_per_1000": cpu / max(1, len(latencies)) * 1e6,
        "errors": errors,
    }


async def _one(pool: int, seconds: float) -> dict[str, Any]:
    import httpx

    from sume_async.testing import DEFAULT_API_KEY, MockSume, serve

    mock = MockSume(credits=10**6, seed=1)
    try:
        async with serve(mock) as base_url:
            async with httpx.AsyncClient(
                base_url=base_url, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
            ) as setup:
                response = await setup.post("/images/generations", json={"prompt": "pool benchmark"})
                response.raise_for_status()
                job_id = response.json()["job"]["id"]
            child = Child(
                "benchmarks.pool:pool_child",
                {"pool": pool, "seconds": seconds, "base_url": base_url, "api_key": DEFAULT_API_KEY, "job_id": job_id},
                timeout=seconds + 120,
            )
            await anyio.to_thread.run_sync(child.wait_ready)
            server_cpu = usage()["cpu_s"]
            child.go(None)
            out: dict[str, Any] = await anyio.to_thread.run_sync(child.result)
            out["server_cpu_s"] = usage()["cpu_s"] - server_cpu
            out["peak_connections"] = mock.peak_connections
    finally:
        mock.close()
    return out


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    seconds = 2.0 if quick else 6.0
    rounds = runs or (1 if quick else 3)
    log(f"pool: {CALLERS} callers, pools of {', '.join(map(str, POOL_SIZES))}, {seconds:g} s each, {rounds} run(s)")
    results: dict[int, list[dict[str, Any]]] = {size: [] for size in POOL_SIZES}
    for _ in range(rounds):
        for size in POOL_SIZES:
            log(f"pool: {size} connections")
            results[size].append(anyio.run(_one, size, seconds))
    summary = {size: {key: median([r[key] for r in rs]) for key in rs[0]} for size, rs in results.items()}
    best = max(POOL_SIZES, key=lambda size: summary[size]["calls_per_s"])
    # The smallest pool within 5% of the best throughput: fewer sockets for the same work.
    chosen = min(size for size in POOL_SIZES if summary[size]["calls_per_s"] >= 0.95 * summary[best]["calls_per_s"])
    table(
        f"Pool size: {CALLERS} concurrent callers, jobs.get over loopback, {seconds:g} s per run"
        + (f", median of {rounds}" if rounds > 1 else ""),
        ["connections", "calls/s", "latency p50 ms", "latency p95 ms", "client CPU ms/1000 calls", "server CPU s"],
        [
            [
                size,
                s["calls_per_s"],
                s["latency_p50_ms"],
                s["latency_p95_ms"],
                s["client_cpu_ms_per_1000"],
                s["server_cpu_s"],
            ]
            for size, s in summary.items()
        ],
        [
            f"Best throughput: {best} connections; the smallest pool within 5% of it: {chosen} "
            "(the client and the mock share this machine's cores, so past a few connections the "
            "server, not the pool, is the limit: a smaller pool costs less CPU per call)."
        ],
    )
    return clean(
        {
            "callers": CALLERS,
            "seconds": seconds,
            "rounds": rounds,
            "pools": {str(size): {**summary[size], "runs": results[size]} for size in POOL_SIZES},
            "best": best,
            "smallest_within_5pct": chosen,
        }
    )
