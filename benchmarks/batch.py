"""Batch pipeline: 10,000 image rows through ``sume_async.batch`` against the mock on loopback.

The mock runs in this process (a uvicorn thread); the batch runs in a fresh child process so
its peak RSS is its own. Reported: rows/s, HTTP requests per row (target <= 6: create, polls,
result), the child's peak RSS (target <= 150 MiB), the journal's share of wall time (the CPU
time of its SQLite calls in the worker thread over the run's wall time; target <= 5%; the time
those calls took as the thread saw it, waits for the GIL included, is reported beside it), and a resume: the same batch
cancelled half-way, then rerun: it must send no create for rows the journal holds job ids for.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ._common import log, run_child, table, verdict

TARGET_REQUESTS_PER_ROW = 6.0
TARGET_RSS_MIB = 150.0
TARGET_JOURNAL_SHARE = 0.05
MAX_IN_FLIGHT = 200
#: Simulated seconds per real second: a 6 s image job ends in 10 ms.
SPEED = 600.0


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    from sume_async.testing import LoopbackServer, MockSume

    rows = 1_000 if quick else 10_000
    mock = MockSume(speed=SPEED, credits=10**9, max_concurrent_generations=MAX_IN_FLIGHT)
    server = LoopbackServer(mock)
    server.start()
    server.wait_started()
    try:
        with tempfile.TemporaryDirectory(prefix="sume-batch-bench-") as folder:
            log(f"full run: {rows:,} rows, max_in_flight={MAX_IN_FLIGHT}")
            full = run_child(
                "benchmarks.batch:measure",
                {"base_url": server.base_url, "rows": rows, "state": str(Path(folder) / "full.state")},
                timeout=1800,
            )
            counts = mock.route_counts
            api_requests = sum(n for route, n in counts.items() if not route.startswith("GET /credits"))
            creates_full = counts["POST /images/generations"]
            mock.reset_logs()
            log("resume: cancelled half-way, then rerun")
            resume = run_child(
                "benchmarks.batch:measure_resume",
                {"base_url": server.base_url, "rows": rows, "state": str(Path(folder) / "resume.state")},
                timeout=1800,
            )
            resume["server_jobs_per_row"] = len(mock.jobs) / (2 * rows)  # two batches of `rows` rows
    finally:
        server.stop()
        mock.close()
    per_row = api_requests / rows
    data: dict[str, Any] = {
        "rows": rows,
        "max_in_flight": MAX_IN_FLIGHT,
        "wall_s": full["wall_s"],
        "rows_per_s": rows / full["wall_s"],
        "requests_per_row": per_row,
        "creates": creates_full,
        "peak_rss_mib": full["peak_rss_mib"],
        "journal_share": full["journal_cpu_s"] / full["wall_s"],
        "journal_thread_share": full["journal_s"] / full["wall_s"],
        "journal_commits": full["commits"],
        "resume": resume,
    }
    ok_requests = per_row <= TARGET_REQUESTS_PER_ROW
    ok_rss = full["peak_rss_mib"] <= TARGET_RSS_MIB
    ok_journal = data["journal_share"] <= TARGET_JOURNAL_SHARE
    ok_resume = resume["creates_for_journaled_rows"] == 0 and resume["server_jobs_per_row"] == 1.0
    table(
        f"{rows:,} image rows, one process, {MAX_IN_FLIGHT} in flight",
        ["measure", "value", "target", ""],
        [
            ["rows/s", f"{data['rows_per_s']:.0f}", "", ""],
            ["requests per row", f"{per_row:.2f}", f"<= {TARGET_REQUESTS_PER_ROW:g}", verdict(ok_requests)],
            ["peak RSS (MiB)", f"{full['peak_rss_mib']:.0f}", f"<= {TARGET_RSS_MIB:g}", verdict(ok_rss)],
            ["journal share of wall (its CPU time)", f"{data['journal_share']:.1%}", "<= 5%", verdict(ok_journal)],
            ["... in-thread time, GIL waits included", f"{data['journal_thread_share']:.1%}", "", ""],
            ["journal commits", f"{full['commits']:,}", "", ""],
            [
                "resume: creates for journaled rows",
                f"{resume['creates_for_journaled_rows']}",
                "0",
                verdict(ok_resume),
            ],
            ["resume: rows created / waited by id", f"{resume['created']:,} / {resume['waited_by_id']:,}", "", ""],
            ["resume wall (s)", f"{resume['wall_s']:.1f}", "", ""],
            ["jobs on the server per row", f"{resume['server_jobs_per_row']:.3f}", "1", verdict(ok_resume)],
        ],
    )
    data["ok"] = ok_requests and ok_rss and ok_journal and ok_resume
    return data


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"sku-{i:06d}", "kind": "image", "params": {"prompt": f"Product shot {i}"}} for i in range(n)]


def _client(base_url: str) -> Any:
    from sume_async import AsyncSume, PollPolicy
    from sume_async.testing import DEFAULT_API_KEY

    # Polls scaled to the mock's speed: a job is found finished at its first poll.
    return AsyncSume(
        DEFAULT_API_KEY,
        base_url=base_url,
        poll_policy=PollPolicy().scaled(0.05),
        max_concurrent_requests=64,
        max_concurrent_polls=64,
    )


async def measure(args: dict[str, Any]) -> dict[str, Any]:
    from sume_async.batch import Batch

    from ._common import usage

    rows = _rows(args["rows"])
    async with _client(args["base_url"]) as sume:
        batch = Batch(sume, name="bench", state=args["state"], max_in_flight=MAX_IN_FLIGHT)
        started = time.perf_counter()
        done = 0
        async with batch.run(rows) as outcomes:
            async for _ in outcomes:
                done += 1
        wall = time.perf_counter() - started
    assert done == len(rows) and outcomes.stopped is None, outcomes.stopped
    journal = outcomes.journal
    assert journal is not None
    return {
        "wall_s": wall,
        "journal_s": journal.busy_seconds,
        "journal_cpu_s": journal.cpu_seconds,
        "commits": journal.commits,
        **usage(),
    }


async def measure_resume(args: dict[str, Any]) -> dict[str, Any]:
    import sqlite3

    import anyio

    from sume_async.batch import Batch

    rows = _rows(args["rows"])
    half = len(rows) // 2
    async with _client(args["base_url"]) as sume:
        with anyio.CancelScope() as scope:
            async with Batch(sume, name="resume", state=args["state"], max_in_flight=MAX_IN_FLIGHT).run(rows) as first:
                done = 0
                async for _ in first:
                    done += 1
                    if done >= half:
                        scope.cancel()
        db = sqlite3.connect(args["state"])
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM rows GROUP BY status").fetchall())
        db.close()
        started = time.perf_counter()
        async with Batch(sume, name="resume", state=args["state"], max_in_flight=MAX_IN_FLIGHT).run(rows) as second:
            async for _ in second:
                pass
        wall = time.perf_counter() - started
    created = second.progress.created
    return {
        "finished_before": statuses.get("completed", 0) + statuses.get("failed", 0),
        "waited_by_id": statuses.get("created", 0),
        "created": created,
        "creates_for_journaled_rows": max(0, created - statuses.get("pending", 0)),
        "wall_s": wall,
    }
