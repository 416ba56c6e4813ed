"""Model parsing: ``Job.from_dict`` and a page of 100 jobs, against ``json.loads`` alone.

The same body parsed three ways, in one process, rounds interleaved (each figure is the best
round of process CPU time: on a shared machine the fastest run is the least disturbed one):

* ``json.loads`` alone (the floor: what any client pays);
* ``json.loads`` + our generated models (``JobList.from_dict``, what ``sume.jobs.list`` does per page);
* ``json.loads`` + the models openapi-python-client generates with its stock templates from the
  same schema and config (generated into a scratch folder at the start of the run).

Bodies are what the mock serves: ``created_at``/``updated_at``, ``error: null``, ``request_id``,
``result_url``. Targets (issue 13): our ``Job.from_dict`` at least 3x faster than the stock one,
and a 100-job page (``json.loads`` + models) at most 2.5x ``json.loads`` alone.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ._common import ROOT, clean, fmt, log, spread, table, verdict

TARGET_SPEEDUP = 3.0
TARGET_PAGE_RATIO = 2.5
PAGE_SIZE = 100


def sample_job(i: int, status: str = "completed") -> dict[str, Any]:
    return {
        "id": f"job_{i:024x}",
        "object": "job",
        "type": "image_generation" if i % 3 else "video_generation",
        "status": status,
        "created_at": "2026-01-02T03:04:05.123456+00:00",
        "updated_at": "2026-01-02T03:04:17.654321+00:00",
        "error": None,
        "result_url": f"https://www.sume.so/api/v1/jobs/job_{i:024x}/result",
        "request_id": f"req_{i:020x}",
    }


def sample_page(size: int = PAGE_SIZE) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [sample_job(i) for i in range(size)],
        "has_more": True,
        "next_cursor": "cur_0123456789abcdef",
    }


def stock_models(scratch: Path) -> ModuleType:
    """The models package generated from the same schema and config by the stock templates."""
    package = scratch / "stock_generated"
    subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(ROOT / "openapi" / "openapi.json"),
            "--output-path", str(package),
            "--meta", "none",
            "--overwrite",
            "--config", str(ROOT / "openapi" / "config.yaml"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    sys.path.insert(0, str(scratch))
    try:
        return importlib.import_module("stock_generated.models")
    finally:
        sys.path.remove(str(scratch))


def per_call_us(fn: Callable[[], object], number: int) -> float:
    """CPU microseconds per call: the best of 3 batches of ``number`` calls (the least disturbed).

    Process CPU time rather than the wall clock: parsing is single-threaded CPU work, and other
    processes on a shared machine then inflate it far less.
    """
    return min(timeit.repeat(fn, number=number, repeat=3, timer=time.process_time)) / number * 1e6


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    from sume_async._generated import models as ours

    rounds = runs or (3 if quick else 9)
    job_calls = 2_000 if quick else 20_000
    page_calls = 20 if quick else 200
    scratch = Path(tempfile.mkdtemp(prefix="sume-bench-models-"))
    try:
        log("models: generating the stock-template models for comparison")
        stock = stock_models(scratch)
        job = sample_job(1)
        job_raw = json.dumps(job).encode()
        page_raw = json.dumps(sample_page()).encode()
        loads = json.loads
        for model in (ours, stock):  # same result from both, and the first-use costs paid
            assert model.JobList.from_dict(loads(page_raw)).data[1].id == job["id"]
            assert model.Job.from_dict(job).to_dict()["id"] == job["id"]

        variants: dict[str, tuple[Callable[[], object], int]] = {
            "job: json.loads": (lambda: loads(job_raw), job_calls),
            "job: Job.from_dict (ours)": (lambda: ours.Job.from_dict(job), job_calls),
            "job: Job.from_dict (stock templates)": (lambda: stock.Job.from_dict(job), job_calls),
            "page: json.loads": (lambda: loads(page_raw), page_calls),
            "page: json.loads + JobList.from_dict (ours)": (
                lambda: ours.JobList.from_dict(loads(page_raw)),
                page_calls,
            ),
            "page: json.loads + JobList.from_dict (stock templates)": (
                lambda: stock.JobList.from_dict(loads(page_raw)),
                page_calls,
            ),
        }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        names = list(variants)
        log(f"models: {rounds} interleaved rounds")
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                fn, number = variants[name]
                samples[name].append(per_call_us(fn, number))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    # The best round: on a shared machine the fastest run is the least disturbed one (as timeit advises).
    us = {name: min(values) for name, values in samples.items()}
    speedup = us["job: Job.from_dict (stock templates)"] / us["job: Job.from_dict (ours)"]
    page_ratio = us["page: json.loads + JobList.from_dict (ours)"] / us["page: json.loads"]
    stock_page_ratio = us["page: json.loads + JobList.from_dict (stock templates)"] / us["page: json.loads"]
    page_speedup = (us["page: json.loads + JobList.from_dict (stock templates)"] - us["page: json.loads"]) / max(
        us["page: json.loads + JobList.from_dict (ours)"] - us["page: json.loads"], 1e-9
    )
    floor = {name: us["job: json.loads" if name.startswith("job") else "page: json.loads"] for name in us}
    table(
        f"Model parsing (best of {rounds} interleaved rounds; a page is {PAGE_SIZE} jobs)",
        ["what", "µs per call", "× json.loads", "runs (µs)"],
        [[name, us[name], us[name] / floor[name], spread(samples[name])] for name in names],
        [
            f"Job.from_dict: {fmt(speedup)}x faster than the stock templates "
            f"(target >= {TARGET_SPEEDUP}x: {verdict(speedup >= TARGET_SPEEDUP)}); "
            f"a page's models alone {fmt(page_speedup)}x faster.",
            f"A 100-job page, json.loads + models: {fmt(page_ratio)}x json.loads alone "
            f"(stock templates {fmt(stock_page_ratio)}x; target <= {TARGET_PAGE_RATIO}x: "
            f"{verdict(page_ratio <= TARGET_PAGE_RATIO)}).",
        ],
    )
    return clean(
        {
            "page_size": PAGE_SIZE,
            "rounds": rounds,
            "us_per_call": us,
            "runs_us": samples,
            "job_from_dict_speedup": speedup,
            "page_models_speedup": page_speedup,
            "page_ratio_to_json_loads": page_ratio,
            "stock_page_ratio_to_json_loads": stock_page_ratio,
            "target": {
                "min_speedup": TARGET_SPEEDUP,
                "max_page_ratio": TARGET_PAGE_RATIO,
                "met_speedup": speedup >= TARGET_SPEEDUP,
                "met_page_ratio": page_ratio <= TARGET_PAGE_RATIO,
            },
        }
    )
