"""``python -m benchmarks [name ...] [--quick] [--runs N]``: run benchmarks, print tables, save results.

Names: overhead, waiting, upload, imports, pagination, models, batch, batch_scale, dask_batch, pool,
budget (default: all, in that order).
Results merge into ``benchmarks/results.json`` (one entry per benchmark, plus machine
info and a timestamp), so running a subset updates only its own entries.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from ._common import RESULTS, merge_results

BENCHMARKS = {
    "overhead": "Per-call overhead: AsyncSume vs the generated client vs raw httpx",
    "waiting": "Batch waiting: 2,000 jobs, as_completed vs polling loops",
    "upload": "Upload: 1 GiB file, SDK vs raw streaming PUT",
    "imports": "Import time: sume_async vs httpx",
    "pagination": "Pagination: 50,000 items over 500 pages",
    "models": "Model parsing: Job.from_dict and a 100-job page vs json.loads",
    "batch": "Batch pipeline: 10,000 image rows, journal, resume",
    "batch_scale": "Batches at scale: 100,000-row dry run and resume, 1,000,000-row dry run, downloads",
    "dask_batch": "Batches on Dask: 5,000 rows in one process vs 1, 2, 4 Dask workers",
    "pool": "Pool size: 200 concurrent callers at 8/16/32/64 connections",
    "budget": "Poll budget: 100,000 concurrent waits under max_polls_per_second",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run ({', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: smaller sizes, fewer repeats")
    parser.add_argument("--runs", type=int, default=None, help="repeats per measurement (default: per benchmark)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file to merge into")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, title in BENCHMARKS.items():
            print(f"{name:12} {title}")
        return 0
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")

    started = time.perf_counter()
    for name in names:
        print(f"\n## {BENCHMARKS[name]}{' (quick)' if args.quick else ''}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        t0 = time.perf_counter()
        data = module.run(quick=args.quick, runs=args.runs)
        data["quick"] = args.quick
        data["elapsed_s"] = round(time.perf_counter() - t0, 1)
        merge_results(name, data, args.output)
        print(f"\n({name}: {data['elapsed_s']:.0f} s)", flush=True)
    print(f"\nDone in {time.perf_counter() - started:.0f} s; results in {_shown(args.output)}", flush=True)
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
