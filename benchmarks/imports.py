"""Import time: ``import sume_async`` in a fresh interpreter, against ``import httpx`` alone.

Two measurements, each the median of several fresh interpreters (run interleaved):

* wall clock of ``python -I -c "import X"`` (what a CLI user feels), minus nothing;
* ``-X importtime`` of ``import httpx; import sume_async``: everything imported after
  httpx is what sume_async adds, split by package so the expensive parts show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from ._common import ROOT, clean, fmt, log, median, spread, table, verdict

TARGET_ADDED_MS = 50.0
STATEMENTS = {
    "python (no import)": "pass",
    "import httpx": "import httpx",
    "import sume_async._generated": "import sume_async._generated",
    "import sume_async": "import sume_async",
}
#: Bytecode caches must be writable, or every run would time the compiler rather than the import.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)$")


def _wall(statement: str) -> float:
    return _timed(statement)[0]


def _timed(statement: str) -> tuple[float, float]:
    """Wall clock and CPU time (user + system) of a fresh interpreter running ``statement``, in ms.

    CPU time is what the import itself costs; it is far less disturbed than the wall clock
    when other processes share the machine.
    """
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-I", "-c", statement], cwd=ROOT, env=_ENV)
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, statement)
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def _importtime(statement: str) -> list[tuple[str, int, int, int]]:
    """``(module, self_us, cumulative_us, depth)`` per imported module, in report order."""
    proc = subprocess.run(
        [sys.executable, "-I", "-X", "importtime", "-c", statement],
        check=True,
        cwd=ROOT,
        env=_ENV,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            rows.append((match.group(4), int(match.group(1)), int(match.group(2)), len(match.group(3)) // 2))
    return rows


def _group(module: str) -> str:
    if module.startswith("sume_async._generated.models"):
        return "sume_async._generated.models"
    if module.startswith("sume_async._generated.api"):
        return "sume_async._generated.api (endpoint modules)"
    if module.startswith("sume_async._generated"):
        return "sume_async._generated (client, types, errors)"
    if module.startswith("sume_async.resources"):
        return "sume_async.resources"
    if module.startswith("sume_async"):
        return "sume_async (core modules)"
    top = module.split(".")[0]
    if top in ("attr", "attrs"):
        return "attrs"
    if top in ("anyio", "sniffio"):
        return "anyio"
    if top in sys.stdlib_module_names:
        return "stdlib"
    return "other third-party (" + top + ")"


def _added_by_sume_async() -> tuple[float, dict[str, float], dict[str, float]]:
    """Self time of modules imported by ``import sume_async`` once httpx is loaded."""
    rows = _importtime("import httpx; import sume_async")
    httpx_at = next(i for i, row in enumerate(rows) if row[0] == "httpx" and row[3] == 0)
    extra = rows[httpx_at + 1 :]
    total = sum(r[1] for r in extra) / 1000
    groups: dict[str, float] = defaultdict(float)
    for module, self_us, _, _ in extra:
        groups[_group(module)] += self_us / 1000
    modules = {m: cum / 1000 for m, _, cum, _ in extra if m.startswith("sume_async")}
    return total, dict(groups), modules


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    n = runs or (3 if quick else 10)
    log(f"imports: {n} fresh interpreters per statement")
    for statement in STATEMENTS.values():  # warm the file cache and write .pyc files
        _wall(statement)
        _wall(statement)
    walls: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    cpus: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    added_it: list[float] = []
    groups: dict[str, list[float]] = defaultdict(list)
    modules: dict[str, list[float]] = defaultdict(list)
    for _ in range(n):
        for label, statement in STATEMENTS.items():
            wall, cpu = _timed(statement)
            walls[label].append(wall)
            cpus[label].append(cpu)
        total, by_group, by_module = _added_by_sume_async()
        added_it.append(total)
        for name, ms in by_group.items():
            groups[name].append(ms)
        for name, ms in by_module.items():
            modules[name].append(ms)

    med = {label: median(values) for label, values in walls.items()}
    added_wall = med["import sume_async"] - med["import httpx"]
    cpu = {label: median(values) for label, values in cpus.items()}
    added_cpu = cpu["import sume_async"] - cpu["import httpx"]
    added_importtime = median(added_it)
    met = added_wall <= TARGET_ADDED_MS

    rows = [
        [label, med[label], med[label] - med["python (no import)"], min(walls[label]), spread(walls[label]), cpu[label]]
        for label in STATEMENTS
    ]
    table(
        f"Import time (fresh interpreter, median of {n})",
        ["statement", "wall ms", "over bare python ms", "best ms", "runs ms", "CPU ms"],
        rows,
        [
            f"sume_async adds {fmt(added_wall)} ms over httpx (wall clock), {fmt(added_cpu)} ms of CPU time, "
            f"{fmt(added_importtime)} ms by -X importtime. Target <= {TARGET_ADDED_MS:.0f} ms (wall): {verdict(met)}.",
        ],
    )
    group_rows = sorted(((name, median(v)) for name, v in groups.items()), key=lambda r: -r[1])
    table(
        "What `import sume_async` adds after `import httpx` (-X importtime self time, median)",
        ["modules", "ms"],
        [*group_rows, ["total", added_importtime]],
    )
    # Heaviest SDK modules by cumulative time (their children included).
    heavy = sorted(((name, median(v)) for name, v in modules.items()), key=lambda r: -r[1])[:12]
    table("Heaviest sume_async modules (cumulative ms, median)", ["module", "ms"], heavy)
    return clean(
        {
            "runs": n,
            "wall_ms": {label: {"median": med[label], "runs": walls[label]} for label in STATEMENTS},
            "cpu_ms": {label: {"median": cpu[label], "runs": cpus[label]} for label in STATEMENTS},
            "added_over_httpx_ms": {"wall": added_wall, "cpu": added_cpu, "importtime": added_importtime},
            "added_by_group_ms": dict(group_rows),
            "heaviest_modules_cumulative_ms": dict(heavy),
            "target": {"added_ms_max": TARGET_ADDED_MS, "met": met},
        }
    )
