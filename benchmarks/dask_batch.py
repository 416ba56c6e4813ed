"""Batches on Dask: rows/s for 5,000 image rows in one process, and on 1, 2 and 4 Dask workers.

The mock serves on a loopback socket from this process; each scenario's driver runs in a
fresh child process (``Batch`` with ``engine=None`` or ``DaskEngine(local_workers=N)``, which
starts a local cluster of N worker processes). Every scenario gets the same workspace: at
most ``max_in_flight`` unfinished jobs (what ``GET /credits`` reports as
``max_concurrent_generations``), image jobs of 6 simulated seconds, the mock's clock running
``speed`` simulated seconds per real second, and the SDK's poll policy scaled by ``1/speed``.

So the ceiling is the same for every scenario: ``max_in_flight / job time`` rows per second
(the workspace's concurrency, the API's job time). The cluster does not raise it; it adds a
start-up cost and a scheduler hop per chunk. What a cluster buys is room when one process is
the bottleneck (CPU for many downloads, a driver that must survive a machine), not a faster
workspace. Reported: wall time including the cluster's start, rows/s over the whole run and
after the first create, requests per row, and jobs per row (must be exactly 1).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ._common import API_KEY, clean, log, run_child, table

#: (label, Dask workers; 0 = the in-process runner)
SCENARIOS = [("1 process", 0), ("Dask, 1 worker", 1), ("Dask, 2 workers", 2), ("Dask, 4 workers", 4)]
JOB_SECONDS = 6.0  # the mock's image job duration (simulated)


async def drive(args: dict[str, Any]) -> dict[str, Any]:
    """Child process: run the batch, return timings."""
    from sume_async import AsyncSume, PollPolicy
    from sume_async.batch import Batch, DaskEngine, Progress

    rows = [{"id": f"sku-{i}", "kind": "image", "params": {"prompt": f"Product shot {i}"}} for i in range(args["rows"])]
    workers = int(args["workers"])
    policy = PollPolicy().scaled(1 / float(args["speed"]))
    engine = (
        None
        if workers == 0
        else DaskEngine(local_workers=workers, threads_per_worker=4, poll_policy=policy, api_key=args["key"])
    )
    first_create: list[float] = []

    def on_progress(progress: Progress) -> None:
        if progress.created and not first_create:
            first_create.append(time.perf_counter())

    async with AsyncSume(args["key"], base_url=args["base_url"], poll_policy=policy) as sume:
        batch = Batch(sume, name="bench", state=args["state"], engine=engine, on_progress=on_progress)
        started = time.perf_counter()
        done = 0
        async with batch.run(rows) as outcomes:
            async for outcome in outcomes:
                done += outcome.ok
        ended = time.perf_counter()
    return {
        "completed": done,
        "stopped": None if outcomes.stopped is None else outcomes.stopped.reason,
        "wall_s": ended - started,
        "startup_s": (first_create[0] - started) if first_create else None,
    }


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    from sume_async.testing import LoopbackServer, MockSume

    n_rows = 400 if quick else 5_000
    speed = 30.0
    limit = 25
    ideal = limit / (JOB_SECONDS / speed)
    results: dict[str, Any] = {}
    table_rows = []
    for label, workers in SCENARIOS:
        mock = MockSume(api_keys=(API_KEY,), credits=10**9, speed=speed, max_concurrent_generations=limit)
        server = LoopbackServer(mock)
        server.start()
        try:
            server.wait_started()
            with tempfile.TemporaryDirectory() as tmp:
                log(f"{label}: {n_rows:,} rows")
                args = {
                    "base_url": server.base_url,
                    "key": API_KEY,
                    "rows": n_rows,
                    "workers": workers,
                    "speed": speed,
                    "state": str(Path(tmp) / "bench.state"),
                }
                out = run_child("benchmarks.dask_batch:drive", args, timeout=60 + n_rows / 5)
        finally:
            server.stop()
        requests = sum(mock.route_counts.values())
        jobs = len(mock.jobs)
        keys = len({job.idempotency_key for job in mock.jobs.values()})
        steady = (n_rows / (out["wall_s"] - out["startup_s"])) if out["startup_s"] is not None else None
        entry = {
            "workers": workers,
            "rows": n_rows,
            "completed": out["completed"],
            "stopped": out["stopped"],
            "wall_s": out["wall_s"],
            "startup_s": out["startup_s"],
            "rows_per_s": n_rows / out["wall_s"],
            "rows_per_s_after_start": steady,
            "requests_per_row": requests / n_rows,
            "jobs_per_row": jobs / n_rows,
            "duplicate_jobs": jobs - keys,
        }
        results[label] = entry
        table_rows.append(
            [
                label,
                entry["wall_s"],
                entry["startup_s"],
                entry["rows_per_s"],
                steady,
                entry["requests_per_row"],
                entry["jobs_per_row"],
            ]
        )
    table(
        f"Batch of {n_rows:,} image rows: one process vs Dask workers (ceiling {ideal:.0f} rows/s)",
        ["engine", "wall s", "start s", "rows/s", "rows/s after start", "requests/row", "jobs/row"],
        table_rows,
        notes=[
            f"Workspace limit {limit} jobs in flight, image jobs of {JOB_SECONDS:g} simulated s at {speed:g}x: "
            f"at most {ideal:.0f} rows/s whatever runs the rows. The mock and every process share this machine.",
        ],
    )
    return clean(
        {
            "rows": n_rows,
            "speed": speed,
            "max_in_flight": limit,
            "ceiling_rows_per_s": ideal,
            "job_seconds": JOB_SECONDS,
            "scenarios": results,
        }
    )
