"""Batches at 100,000 rows and beyond: dry run, resume and downloads, each beside its floor.

Every measurement runs in a fresh child process, so its peak RSS is its own:

- **dry run**: the ``batch run --dry-run`` path (the manifest streamed through
  :func:`~sume_async.batch.check_rows`: every row parsed and checked by the SDK's rules, nothing
  sent) beside its floor, ``json.loads`` of every line of the same manifest. Targets: 100,000
  rows in <= 3 s and <= 120 MiB peak RSS; 1,000,000 rows in <= 30 s and <= 300 MiB.
- **first plan**: a fresh 1,000,000-row batch planned (checked and journaled, nothing sent), from
  a ``ManifestFile`` (new rows streamed: journaled, not held) beside a generator (held as work
  items): target <= 300 MiB streamed (full run only).
- **resume**: a finished 100,000-row batch run again (the manifest loaded, planned against its
  journal, every finished outcome read back): target <= 3 s and 0 creates, beside its floor, a
  raw SQLite scan of the journal (``SELECT * FROM rows``).
- **downloads**: the time per output of downloading the same outputs (from the mock on
  loopback) into a folder that already holds 1,000 and then 100,000 other files: it must be flat
  (each output is looked up by name, the folder never listed per output). The floor is the
  same downloads into an empty folder.
- **downloads known from the journal**: a finished batch of 1,000 and then 100,000 rows, every
  output on disk, run again with ``download_dir``: what each output costs to be found whole (its
  journaled size against one ``stat``), with no request. It must be flat too.

``--quick`` uses 10,000 rows for the dry run and resume, skips the 1,000,000-row run, and
downloads beside 1,000 and 10,000 files.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ._common import log, run_child, table, verdict

TARGET_DRY_S = 3.0
TARGET_DRY_MIB = 120.0
TARGET_RESUME_S = 3.0
TARGET_MILLION_S = 30.0
TARGET_MILLION_MIB = 300.0
#: Outputs downloaded per download measurement.
DOWNLOADS = 300


def _write_manifest(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            row = {"id": f"sku-{i:07d}", "kind": "image", "params": {"prompt": f"Product shot {i}", "image_count": 1}}
            handle.write(json.dumps(row) + "\n")


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    rows = 10_000 if quick else 100_000
    crowds = (1_000, 10_000) if quick else (1_000, 100_000)
    data: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="sume-batch-scale-") as folder:
        manifest = Path(folder) / "m.jsonl"
        _write_manifest(manifest, rows)
        log(f"dry run: {rows:,} rows")
        data["dry_run"] = run_child("benchmarks.batch_scale:measure_dry_run", {"manifest": str(manifest)}, timeout=600)
        data["dry_run_floor"] = run_child(
            "benchmarks.batch_scale:floor_parse", {"manifest": str(manifest)}, timeout=600
        )
        log(f"resume of a finished batch: {rows:,} rows")
        state = Path(folder) / "m.state"
        run_child(
            "benchmarks.batch_scale:finish_journal", {"manifest": str(manifest), "state": str(state)}, timeout=600
        )
        data["resume"] = run_child(
            "benchmarks.batch_scale:measure_resume", {"manifest": str(manifest), "state": str(state)}, timeout=600
        )
        data["resume_floor"] = run_child("benchmarks.batch_scale:floor_scan", {"state": str(state)}, timeout=600)
        if not quick:
            million = Path(folder) / "million.jsonl"
            _write_manifest(million, 1_000_000)
            log("dry run: 1,000,000 rows")
            data["million"] = run_child(
                "benchmarks.batch_scale:measure_dry_run", {"manifest": str(million)}, timeout=1200
            )
            data["million_floor"] = run_child(
                "benchmarks.batch_scale:floor_parse", {"manifest": str(million)}, timeout=1200
            )
            log("first plan of a fresh batch: 1,000,000 rows, streamed (ManifestFile) and held (a generator)")
            for held in (False, True):
                state = Path(folder) / f"fresh-{held}.state"
                data["million_plan_held" if held else "million_plan"] = run_child(
                    "benchmarks.batch_scale:measure_fresh_plan",
                    {"manifest": str(million), "state": str(state), "held": held}, timeout=1200,
                )  # fmt: skip
                state.unlink()
            million.unlink()
        log(f"downloads known from the journal: finished batches of {', '.join(f'{n:,}' for n in crowds)} rows")
        data["journal_downloads"] = {}
        for n in crowds:
            small = Path(folder) / f"d{n}.jsonl"
            _write_manifest(small, n)
            small_state, media = Path(folder) / f"d{n}.state", Path(folder) / f"media-{n}"
            run_child(
                "benchmarks.batch_scale:finish_journal",
                {"manifest": str(small), "state": str(small_state), "media": str(media)}, timeout=600,
            )  # fmt: skip
            data["journal_downloads"][str(n)] = run_child(
                "benchmarks.batch_scale:measure_resume",
                {"manifest": str(small), "state": str(small_state), "media": str(media)}, timeout=600,
            )  # fmt: skip
        log(f"downloads: {DOWNLOADS} outputs beside {', '.join(f'{n:,}' for n in crowds)} files")
        data["downloads"] = run_child(
            "benchmarks.batch_scale:measure_downloads", {"folder": folder, "crowds": list(crowds)}, timeout=1800
        )
    dry, resume = data["dry_run"], data["resume"]
    scale = rows / 100_000  # quick: the targets scaled to the rows measured
    ok_dry = dry["wall_s"] <= TARGET_DRY_S * scale and dry["peak_rss_mib"] <= TARGET_DRY_MIB
    ok_resume = resume["wall_s"] <= TARGET_RESUME_S * scale and resume["creates"] == 0
    per_output = data["downloads"]["per_output_ms"]
    flat = _flat(per_output)
    known = {n: 1000 * r["wall_s"] / r["outcomes"] for n, r in data["journal_downloads"].items()}
    known_flat = _flat(known) and all(
        r["creates"] == 0 and r["downloaded"] == 0 for r in data["journal_downloads"].values()
    )
    lines = [
        [f"dry run, {rows:,} rows (s)", f"{dry['wall_s']:.2f}", f"{data['dry_run_floor']['wall_s']:.2f}",
         f"<= {TARGET_DRY_S * scale:g}", verdict(dry["wall_s"] <= TARGET_DRY_S * scale)],
        ["... peak RSS (MiB)", f"{dry['peak_rss_mib']:.0f}", f"{data['dry_run_floor']['peak_rss_mib']:.0f}",
         f"<= {TARGET_DRY_MIB:g}", verdict(dry["peak_rss_mib"] <= TARGET_DRY_MIB)],
        [f"resume of a finished batch, {rows:,} rows (s)", f"{resume['wall_s']:.2f}",
         f"{data['resume_floor']['wall_s']:.2f}", f"<= {TARGET_RESUME_S * scale:g}", verdict(ok_resume)],
        ["... creates", f"{resume['creates']}", "", "0", verdict(resume["creates"] == 0)],
        ["... peak RSS (MiB)", f"{resume['peak_rss_mib']:.0f}", f"{data['resume_floor']['peak_rss_mib']:.0f}", "", ""],
    ]  # fmt: skip
    ok_million = True
    if "million_plan" in data:
        streamed, held = data["million_plan"], data["million_plan_held"]
        ok_million = streamed["peak_rss_mib"] <= TARGET_MILLION_MIB
        lines += [
            ["first plan of 1,000,000 new rows, streamed: peak RSS (MiB)", f"{streamed['peak_rss_mib']:.0f}",
             f"{held['peak_rss_mib']:.0f} held", f"<= {TARGET_MILLION_MIB:g}", verdict(ok_million)],
            ["... wall (s)", f"{streamed['wall_s']:.1f}", f"{held['wall_s']:.1f} held", "", ""],
        ]  # fmt: skip
    if "million" in data:
        million = data["million"]
        within = million["wall_s"] <= TARGET_MILLION_S and million["peak_rss_mib"] <= TARGET_MILLION_MIB
        ok_million = ok_million and within
        lines += [
            ["dry run, 1,000,000 rows (s)", f"{million['wall_s']:.1f}", f"{data['million_floor']['wall_s']:.1f}",
             f"<= {TARGET_MILLION_S:g}", verdict(million["wall_s"] <= TARGET_MILLION_S)],
            ["... peak RSS (MiB)", f"{million['peak_rss_mib']:.0f}", f"{data['million_floor']['peak_rss_mib']:.0f}",
             f"<= {TARGET_MILLION_MIB:g}", verdict(million["peak_rss_mib"] <= TARGET_MILLION_MIB)],
        ]  # fmt: skip
    for crowd, ms in per_output.items():
        lines.append([f"download, per output, beside {int(crowd):,} files (ms)", f"{ms:.2f}",
                      f"{data['downloads']['empty_ms']:.2f}", "flat", verdict(flat)])  # fmt: skip
    for n, ms in known.items():
        lines.append([f"finished download known from the journal, per output, {int(n):,} rows (ms)", f"{ms:.3f}",
                      "", "flat, nothing sent", verdict(known_flat)])  # fmt: skip
    table(
        "Batches at scale (floors: json.loads of the manifest; a raw SQLite scan; downloads into an empty folder)",
        ["measure", "value", "floor", "target", ""],
        lines,
    )
    data["ok"] = ok_dry and ok_resume and ok_million and flat and known_flat
    return data


def _flat(per_output: dict[str, float]) -> bool:
    """Time per output does not grow with the count: the largest count's at most 1.5x the smallest's.

    (Smaller counts carry the run's fixed costs over fewer outputs: a falling figure is flat too.)
    """
    by_count = [per_output[n] for n in sorted(per_output, key=int)]
    return by_count[-1] <= 1.5 * by_count[0]


async def measure_dry_run(args: dict[str, Any]) -> dict[str, Any]:
    from sume_async.batch import check_rows, iter_manifest

    from ._common import usage

    started = time.perf_counter()
    counts = await check_rows(row for _, row in iter_manifest(args["manifest"]))
    wall = time.perf_counter() - started
    return {"wall_s": wall, "rows": sum(counts.values()), **usage()}


async def measure_fresh_plan(args: dict[str, Any]) -> dict[str, Any]:
    """The plan of a batch's first run (every row new): streamed from a ManifestFile, or held (a generator)."""
    from sume_async.batch import Journal, ManifestFile, iter_manifest, plan_rows

    from ._common import usage

    started = time.perf_counter()
    async with await Journal.open(args["state"], name="fresh") as journal:
        if args["held"]:
            plan = await plan_rows(journal, (row for _, row in iter_manifest(args["manifest"])))
        else:
            plan = await plan_rows(journal, ManifestFile(args["manifest"]), defer_new=True)
    wall = time.perf_counter() - started
    return {"wall_s": wall, "rows": plan.total, "held_items": len(plan.items), **usage()}


def floor_parse(args: dict[str, Any]) -> dict[str, Any]:
    from ._common import usage

    started = time.perf_counter()
    with open(args["manifest"], encoding="utf-8") as handle:
        n = sum(1 for line in handle if json.loads(line))
    return {"wall_s": time.perf_counter() - started, "rows": n, **usage()}


async def finish_journal(args: dict[str, Any]) -> dict[str, Any]:
    """Journal every row of the manifest as completed (what a finished run leaves), without a server.

    With ``media``: as a run with downloads leaves it, every output's file there, of its journaled size.
    """
    from sume_async.batch import Journal, JournalRow, fingerprint, idempotency_key, load_manifest

    rows = load_manifest(args["manifest"])
    media = Path(args["media"]) if args.get("media") else None
    if media is not None:
        media.mkdir()
    async with await Journal.open(args["state"], name="scale") as journal:
        finished = []
        for position, row in enumerate(rows):
            fp = fingerprint(row)
            job = f"job_{position:020d}"
            path: str | None = None
            if media is not None:
                file = media / f"{job}-0.png"
                file.write_bytes(b"\x89PNG" + b"\0" * (position % 64))
                path = str(file)
            output = {"job_id": job, "url": f"https://media.example.com/{job}/0.png", "content_type": "image/png",
                      "path": path, "bytes": None if media is None else 4 + position % 64}  # fmt: skip
            finished.append(
                JournalRow(
                    row.id,
                    position,
                    row.kind,
                    fp,
                    0,
                    idempotency_key("scale", row.id, fp, 0),
                    "completed",
                    (job,),
                    (output,),
                    None,
                    None,
                )
            )
        await journal.plan(finished)
    return {"rows": len(rows)}


async def measure_resume(args: dict[str, Any]) -> dict[str, Any]:
    """What ``batch run`` does on a finished batch: stream the manifest into the plan, read every outcome back."""
    from sume_async import AsyncSume
    from sume_async.batch import Batch, iter_manifest

    from ._common import usage

    # Never reached: a finished batch sends nothing (a request would fail the run).
    async with AsyncSume("sk_bench", base_url="http://127.0.0.1:9/api/v1", max_retries=0) as sume:
        started = time.perf_counter()
        rows = (row for _, row in iter_manifest(args["manifest"]))  # streamed, as `batch run` does
        outcomes = 0
        batch = Batch(sume, name="scale", state=args["state"], download_dir=args.get("media"))
        async with batch.run(rows) as running:
            async for _ in running:
                outcomes += 1
        wall = time.perf_counter() - started
    assert outcomes == len(running.row_ids) and running.stopped is None
    # Any request would fail the run (nothing listens there): ``stopped`` is None only if none was sent.
    progress = running.progress
    return {"wall_s": wall, "creates": progress.created, "downloaded": progress.downloaded, "outcomes": outcomes,
            **usage()}  # fmt: skip


def floor_scan(args: dict[str, Any]) -> dict[str, Any]:
    import sqlite3

    from ._common import usage

    started = time.perf_counter()
    db = sqlite3.connect(args["state"])
    n = len(db.execute("SELECT * FROM rows").fetchall())
    db.close()
    return {"wall_s": time.perf_counter() - started, "rows": n, **usage()}


async def measure_downloads(args: dict[str, Any]) -> dict[str, Any]:
    """Per-output download time into an empty folder, then into folders crowded with other files."""
    import anyio

    from sume_async import AsyncSume, PollPolicy
    from sume_async.testing import DEFAULT_API_KEY, MockSume, serve

    mock = MockSume(speed=1000, credits=10**9, max_concurrent_generations=10**6)
    results: dict[str, float] = {}
    async with (
        serve(mock) as base_url,
        AsyncSume(DEFAULT_API_KEY, base_url=base_url, poll_policy=PollPolicy().scaled(0.01)) as sume,
    ):
        jobs = [await sume.images.generate(prompt=f"mug {i}") for i in range(DOWNLOADS)]
        await sume.jobs.wait_all(jobs)
        done = [await sume.jobs.result(job) for job in jobs]

        async def timed(folder: Path) -> float:
            started = time.perf_counter()
            async with anyio.create_task_group() as tg:
                for result in done:
                    tg.start_soon(sume.jobs.download, result, folder)
            return (time.perf_counter() - started) * 1000 / DOWNLOADS

        empty = Path(args["folder"]) / "empty"
        empty.mkdir()
        empty_ms = await timed(empty)
        for crowd in args["crowds"]:
            folder = Path(args["folder"]) / f"crowd-{crowd}"
            folder.mkdir()
            for i in range(crowd):
                (folder / f"job_other{i:07d}-0.png").touch()
            results[str(crowd)] = await timed(folder)
    return {"empty_ms": empty_ms, "per_output_ms": results, "outputs": DOWNLOADS}
