"""Peak server memory while the mock receives a large upload.

Starts the mock Sume server in a subprocess (``python -m sume_async.testing --port 0``), PUTs a
256 MiB file streamed from disk to a presigned URL with raw httpx, and samples the server
process's RSS while the bytes arrive. A streaming server grows by a few MiB at most; one that
buffers the body would grow by the file's size.

    python -m benchmarks.upload_memory_mock [--size-mib 256]

Not part of the test suite (it writes a large scratch file and takes a few seconds).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

SCRATCH = Path(__file__).resolve().parent / ".scratch"
MIB = 1024 * 1024


class PeakRss:
    """Samples a process's RSS on a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def make_file(size: int) -> Path:
    """A scratch file of ``size`` bytes (reused when it already has that size)."""
    SCRATCH.mkdir(exist_ok=True)
    path = SCRATCH / f"upload-{size // MIB}mib.bin"
    if not path.exists() or path.stat().st_size != size:
        block = os.urandom(MIB)
        with path.open("wb") as f:
            for _ in range(size // MIB):
                f.write(block)
            f.write(block[: size % MIB])
    return path


def start_server() -> tuple[subprocess.Popen[str], str, str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "sume_async.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    base_url = server.stdout.readline().strip().rsplit(" ", 1)[-1]
    api_key = server.stdout.readline().strip().rsplit(" ", 1)[-1]
    if not base_url.startswith("http://"):
        server.kill()
        raise RuntimeError("the mock server did not start")
    return server, base_url, api_key


def upload(api: httpx.Client, storage: httpx.Client, path: Path) -> tuple[str, float]:
    """Presign, stream ``path`` to the upload URL, and return ``(object_key, seconds)``."""
    size = path.stat().st_size
    body = {"filename": path.name, "content_type": "video/mp4", "size_bytes": size, "purpose": "asset_library_video"}
    presign = api.post("/uploads/presign", json=body)
    presign.raise_for_status()
    target = presign.json()
    started = time.perf_counter()
    with path.open("rb") as f:  # httpx reads a file object in chunks and sets Content-Length
        put = storage.put(target["upload_url"], content=f, headers=target["required_headers"])
    elapsed = time.perf_counter() - started
    put.raise_for_status()
    return target["object_key"], elapsed


def table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 14}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256, help="upload size in MiB (default 256)")
    args = parser.parse_args(argv)
    path = make_file(args.size_mib * MIB)
    server, base_url, api_key = start_server()
    try:
        headers = {"Authorization": f"Bearer {api_key}"}
        timeout = httpx.Timeout(30.0, write=300.0)
        # Two clients: the storage one never carries the API key.
        with (
            httpx.Client(base_url=base_url, headers=headers, timeout=timeout) as api,
            httpx.Client(timeout=timeout) as storage,
        ):
            warm = make_file(MIB)  # exercise every code path once before measuring
            upload(api, storage, warm)
            baseline = psutil.Process(server.pid).memory_info().rss
            with PeakRss(server.pid) as rss:
                object_key, seconds = upload(api, storage, path)
            finalized = api.post("/assets", json={"object_key": object_key, "title": "benchmark"})
            finalized.raise_for_status()
        growth = rss.peak - baseline
        size = path.stat().st_size
        print(f"Upload memory: {size // MIB} MiB streamed to the mock server over loopback\n")
        table(
            [
                ("file size", f"{size / MIB:.0f} MiB"),
                ("server RSS before", f"{baseline / MIB:.1f} MiB"),
                ("server RSS peak", f"{rss.peak / MIB:.1f} MiB"),
                ("server RSS growth", f"{growth / MIB:.1f} MiB"),
                ("growth / file size", f"{growth / size:.1%}"),
                ("upload time", f"{seconds:.2f} s"),
                ("throughput", f"{size / MIB / seconds:.0f} MiB/s"),
                ("finalized", str(finalized.status_code == 202)),
            ]
        )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
