"""Upload: a 1 GiB file to the mock's storage over loopback, SDK vs a raw httpx streaming PUT.

The mock serves from this process; each upload runs in a fresh child process that resets
its peak-RSS mark just before the upload (``/proc/self/clear_refs``) and reads it after
(``VmHWM``), so the growth is what the upload itself held in memory. The file is sparse (no
disk space), created once in a temporary folder and deleted at the end; the mock deletes what
it received after every run. The file is read once before the runs: the first reader of a
fresh sparse file fills the page cache with its zero pages (about 0.2 s of CPU per 128 MiB
here), and in a ``--quick`` run the SDK always goes first, so it alone paid for that.

* SDK: ``await sume.uploads.upload(path, purpose="asset_library_video")`` (presign + PUT).
* raw: ``POST /uploads/presign`` with httpx, then ``PUT`` of an async generator reading the
  file in 1 MiB blocks, with the presign's ``required_headers`` and ``Content-Length``.

Throughput counts both steps (the presign is one small request).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from ._common import Child, clean, current_rss_mib, fmt, log, median, reset_peak_rss, spread, table, usage, verdict

MIB = 1024 * 1024
TARGET_RSS_GROWTH_MIB = 32.0
TARGET_THROUGHPUT_RATIO = 0.8


async def upload_child(args: dict[str, Any]) -> dict[str, Any]:
    path, base_url, key, variant = args["path"], args["base_url"], args["api_key"], args["variant"]
    size = os.path.getsize(path)
    from sume_async import AsyncSume

    sume = AsyncSume(api_key=key, base_url=base_url)
    raw = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(60.0, read=300.0))
    auth = {"Authorization": f"Bearer {key}"}
    # Warm both clients up (imports, a pooled connection) with one API call each.
    await sume.account.me()
    (await raw.get("/me", headers=auth)).raise_for_status()
    rss_before = current_rss_mib()
    if not reset_peak_rss():  # then the peak may predate the upload: growth is an upper bound
        rss_before = min(rss_before, usage()["peak_rss_mib"])
    cpu_before = usage()["cpu_s"]
    start = time.perf_counter()
    if variant == "sume":
        uploaded = await sume.uploads.upload(path, purpose="asset_library_video")
        assert uploaded.size_bytes == size
    else:
        presign = await raw.post(
            "/uploads/presign",
            headers=auth,
            json={
                "filename": os.path.basename(path),
                "content_type": "video/mp4",
                "size_bytes": size,
                "purpose": "asset_library_video",
            },
        )
        presign.raise_for_status()
        target = presign.json()

        async def blocks() -> Any:
            with open(path, "rb") as handle:
                while block := handle.read(MIB):
                    yield block

        response = await raw.put(
            target["upload_url"],
            content=blocks(),
            headers={**target["required_headers"], "Content-Length": str(size)},
        )
        response.raise_for_status()
    elapsed = time.perf_counter() - start
    after = usage()
    await sume.close()
    await raw.aclose()
    return {
        "elapsed_s": elapsed,
        "mib_per_s": size / MIB / elapsed,
        "rss_before_mib": rss_before,
        "peak_rss_mib": after["peak_rss_mib"],
        "rss_growth_mib": max(0.0, after["peak_rss_mib"] - rss_before),
        "cpu_s": after["cpu_s"] - cpu_before,
    }


async def _runs(path: Path, rounds: int) -> dict[str, list[dict[str, Any]]]:
    from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume, serve

    mock = MockSume(clock=ManualClock(), credits=10**9)
    out: dict[str, list[dict[str, Any]]] = {"sume": [], "raw": []}
    try:
        async with serve(mock) as base_url:
            for r in range(rounds):
                for variant in ("sume", "raw") if r % 2 == 0 else ("raw", "sume"):
                    log(f"upload: {variant} run {r + 1}")
                    child = Child(
                        "benchmarks.upload:upload_child",
                        {"path": str(path), "base_url": base_url, "api_key": DEFAULT_API_KEY, "variant": variant},
                        timeout=600,
                    )
                    result = await anyio.to_thread.run_sync(child.result)
                    complete = [u for u in mock.uploads.values() if u.complete]
                    if len(complete) != 1 or complete[0].size_bytes != path.stat().st_size:
                        raise RuntimeError(f"{variant}: the mock did not receive the whole file")
                    out[variant].append(result)
                    mock.close()  # delete the received bytes
                    with mock.store.lock:
                        mock.store.uploads.clear()
                        mock.store.upload_by_key.clear()
    finally:
        mock.close()
    return out


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    size_mib = 128 if quick else 1024
    rounds = runs or (1 if quick else 3)
    with tempfile.TemporaryDirectory(prefix="sume-bench-upload-") as tmp:
        path = Path(tmp) / "benchmark.mp4"
        with open(path, "wb") as handle:
            handle.truncate(size_mib * MIB)  # sparse: no disk blocks, reads return zeros
        with open(path, "rb") as handle:  # warm the page cache, so that neither variant pays for it
            while handle.read(MIB):
                pass
        log(f"upload: {size_mib} MiB sparse file, {rounds} run(s) per variant")
        results = anyio.run(_runs, path, rounds)

    def m(variant: str, key: str) -> float:
        return median([r[key] for r in results[variant]])

    ratio = median([s["mib_per_s"] / r["mib_per_s"] for s, r in zip(results["sume"], results["raw"], strict=True)])
    growth = m("sume", "rss_growth_mib")
    rss_ok = growth <= TARGET_RSS_GROWTH_MIB
    speed_ok = ratio >= TARGET_THROUGHPUT_RATIO
    table(
        f"Upload of a {size_mib} MiB file over loopback (median of {rounds})",
        ["client", "MiB/s", "runs MiB/s", "RSS growth MiB", "peak RSS MiB", "client CPU s"],
        [
            [
                label,
                m(v, "mib_per_s"),
                spread([r["mib_per_s"] for r in results[v]]),
                m(v, "rss_growth_mib"),
                m(v, "peak_rss_mib"),
                m(v, "cpu_s"),
            ]
            for v, label in (("sume", "AsyncSume uploads.upload"), ("raw", "raw httpx streaming PUT"))
        ],
        [
            f"Targets: RSS growth <= {TARGET_RSS_GROWTH_MIB:.0f} MiB: {verdict(rss_ok)} ({fmt(growth)} MiB); "
            f"throughput >= {TARGET_THROUGHPUT_RATIO}x raw: {verdict(speed_ok)} ({fmt(ratio)}x)."
        ],
    )
    return clean(
        {
            "size_mib": size_mib,
            "rounds": rounds,
            "variants": {
                v: {
                    "mib_per_s": m(v, "mib_per_s"),
                    "rss_growth_mib": m(v, "rss_growth_mib"),
                    "peak_rss_mib": m(v, "peak_rss_mib"),
                    "cpu_s": m(v, "cpu_s"),
                    "runs": results[v],
                }
                for v in results
            },
            "throughput_ratio": ratio,
            "target": {
                "rss_growth_mib_max": TARGET_RSS_GROWTH_MIB,
                "throughput_ratio_min": TARGET_THROUGHPUT_RATIO,
                "rss_ok": rss_ok,
                "throughput_ok": speed_ok,
                "met": rss_ok and speed_ok,
            },
        }
    )
