"""Shared helpers: statistics, tables, machine info, results.json, child processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
API_KEY = "sume_live_benchmark_key"

# ---------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def spread(values: Sequence[float]) -> str:
    """``min..max`` of the runs, to show how noisy a median is."""
    if not values:
        return "-"
    return f"{fmt(min(values))}..{fmt(max(values))}"


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if value == 0:
            return "0"
        magnitude = abs(value)
        if magnitude >= 1000:
            return f"{value:,.0f}"
        if magnitude >= 100:
            return f"{value:.0f}"
        if magnitude >= 10:
            return f"{value:.1f}"
        return f"{value:.{max(0, digits - 1)}f}" if magnitude >= 1 else f"{value:.{digits}f}"
    return str(value)


# ---------------------------------------------------------------- output


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], notes: Sequence[str] = ()) -> str:
    """A markdown table (it reads fine in a terminal too)."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(items: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(
                item.ljust(w) if i == 0 else item.rjust(w)
                for i, (item, w) in enumerate(zip(items, widths, strict=True))
            )
            + " |"
        )

    out = [
        f"\n### {title}\n",
        line(headers),
        "|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|",
    ]
    out += [line(r) for r in cells]
    out += [f"\n{n}" for n in notes]
    text = "\n".join(out)
    print(text, flush=True)
    return text


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


# ---------------------------------------------------------------- machine and results


def machine_info() -> dict[str, Any]:
    """What the numbers depend on: no host names, user names or paths."""
    cpu_model = platform.processor() or None
    with contextlib.suppress(OSError):
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.lower().startswith("model name"):
                cpu_model = row.split(":", 1)[1].strip()
                break
    memory_gib = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    versions = {}
    for dist in ("sume-async", "httpx", "httpcore", "anyio", "attrs", "starlette", "uvicorn", "h11"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[dist] = importlib.metadata.version(dist)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": platform.system(),
        "arch": platform.machine(),
        "cpu": cpu_model,
        "cpu_count": os.cpu_count(),
        "memory_gib": memory_gib,
        "packages": versions,
    }


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def merge_results(name: str, data: dict[str, Any], path: Path = RESULTS) -> None:
    """Put one benchmark's results into ``results.json`` next to the others."""
    try:
        merged = json.loads(path.read_text())
        if not isinstance(merged, dict):
            merged = {}
    except (OSError, ValueError):
        merged = {}
    merged["timestamp"] = now_iso()
    merged["machine"] = machine_info()
    benchmarks = merged.setdefault("benchmarks", {})
    benchmarks[name] = {"timestamp": now_iso(), **data}
    merged["benchmarks"] = dict(sorted(benchmarks.items()))
    path.write_text(json.dumps(merged, indent=2, sort_keys=False, allow_nan=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(type(value).__name__)


def clean(value: Any) -> Any:
    """NaN -> None, recursively (JSON has no NaN); floats rounded for a readable file."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


# ---------------------------------------------------------------- process measurements


def usage() -> dict[str, float]:
    """This process's peak RSS (MiB) and CPU seconds so far.

    The peak is ``VmHWM`` of ``/proc/self/status``: it belongs to this program's own memory
    map. ``ru_maxrss`` would not do in a child process: Linux carries the parent's RSS at
    fork time into it across ``exec``.
    """
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_mib": _status_mib("VmHWM") or ru.ru_maxrss / 1024, "cpu_s": ru.ru_utime + ru.ru_stime}


def reset_peak_rss() -> bool:
    """Start a new peak RSS measurement from the current RSS (Linux >= 4.0); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as handle:
            for row in handle:
                if row.startswith(field + ":"):
                    return int(row.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def current_rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---------------------------------------------------------------- child processes


class Child:
    """A benchmark function run in a fresh interpreter: ``python -m benchmarks._worker``.

    The child reads its JSON arguments from the first line of stdin. It may print
    ``READY`` and then wait for a ``GO <payload>`` line (see :func:`benchmarks._worker.gate`)
    so the parent can start a clock only once the child has imported everything.
    Its result is the JSON after ``RESULT `` on stdout. A child that overruns
    ``timeout`` is killed.
    """

    def __init__(self, target: str, args: dict[str, Any], *, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._worker", target],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.kill()
            raise RuntimeError(f"benchmark child exited early (code {self.proc.wait()})")
        return line.rstrip("\n")

    def wait_ready(self) -> None:
        while (line := self._line()) != "READY":
            print(line, flush=True)

    def go(self, payload: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("GO " + json.dumps(payload) + "\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, Any]:
        import threading

        timer_ = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.kill)
        timer_.start()
        try:
            while True:
                line = self._line()
                if line.startswith("RESULT "):
                    self.proc.wait()
                    return dict(json.loads(line[len("RESULT ") :]))
                print(line, flush=True)
        finally:
            timer_.cancel()
            if self.proc.stdin:
                with contextlib.suppress(OSError):
                    self.proc.stdin.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()


def run_child(target: str, args: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    return Child(target, args, timeout=timeout).result()
