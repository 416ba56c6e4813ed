"""``sume-async batch`` as a subprocess against a loopback mock: SIGKILL at random moments, 402, refusals.

The mock runs in this process (a uvicorn thread) so the test can inspect what reached it; each
CLI run is a real child process, killed with SIGKILL while it creates, waits and downloads. After
every kill the journal must let a rerun finish with exactly one job per row (per avatar for Face
Swap), each row once in the results, the credits charged once and every file complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sume_async.testing import DEFAULT_API_KEY, LoopbackServer, MockSume

KEY = DEFAULT_API_KEY
AVATARS = ["avatar_maya", "avatar_leo"]


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    # Images and face swaps end in 0.5 s (real time), detected at the first poll (1 s): with two in
    # flight, a dozen rows take several seconds, so kills land in creating, waiting and downloading.
    mock = MockSume(speed=12.0, durations={"face_swap": 6.0}, seed=7)
    srv = LoopbackServer(mock)
    srv.start()
    srv.wait_started()
    try:
        yield srv
    finally:
        srv.stop()
        mock.close()


def env(server: LoopbackServer) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
    return {**clean, "SUME_API_KEY": KEY, "SUME_API_BASE_URL": server.base_url, "NO_COLOR": "1"}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sume_async.cli", "batch", *args]


def run(server: LoopbackServer, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(command(*args), env=env(server), capture_output=True, text=True, timeout=timeout, check=False)
    assert KEY not in proc.stdout + proc.stderr
    return proc


def start(server: LoopbackServer, *args: str) -> subprocess.Popen[str]:
    """Start the CLI and return once it has planned the batch (its first progress line on stderr).

    Waiting for that line instead of a fixed delay keeps the kill moments meaningful on a busy
    machine, where the interpreter alone may take seconds to start.
    """
    proc = subprocess.Popen(
        command(*args), env=env(server), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the child writes it within seconds, or exits (EOF)
    assert first.startswith("batch: ") or proc.poll() is not None, first
    return proc


def working(mock: MockSume, proc: subprocess.Popen[str], seen: int) -> None:
    """Return once the child has sent a job request (create, upload, poll or download), or has exited.

    Kill moments count from there: on a busy machine a child can spend the whole random delay
    between planning and its first request, and a kill then proves nothing about the journal.
    """
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        if any(r.route != "GET /credits" for r in mock.requests[seen:]):
            return
        time.sleep(0.02)


def write_manifest(folder: Path, images: int, *, face_swaps: int = 0) -> Path:
    source = folder / "source.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400)
    lines = [{"id": f"sku-{i}", "kind": "image", "params": {"prompt": f"Product {i}"}} for i in range(images)]
    lines += [
        {"id": f"swap-{i}", "kind": "face_swap", "params": {"source": "source.mp4", "avatar_ids": AVATARS}}
        for i in range(face_swaps)
    ]
    manifest = folder / "rows.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_at_random_moments_then_rerun_pays_once(server: LoopbackServer, tmp_path: Path) -> None:
    mock = server.mock
    manifest = write_manifest(tmp_path, 12, face_swaps=2)
    args = ("run", str(manifest), "--out", str(tmp_path / "results.jsonl"), "--download", str(tmp_path / "media"))
    args += ("--max-in-flight", "2")
    rng = random.Random(20)
    kills = 0
    for _ in range(10):  # each round: start, let it get somewhere, SIGKILL; until five kills landed
        seen = len(mock.requests)
        proc = start(server, *args)
        working(mock, proc, seen)
        time.sleep(rng.uniform(0.1, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=10)
        if kills == 5:
            break
    assert kills >= 5
    for _ in range(5):  # rerun until it exits 0 (bounded)
        done = run(server, *args)
        if done.returncode == 0:
            break
    assert done.returncode == 0, done.stderr
    views = mock.jobs.values()
    swaps = [job for job in views if job.type == "face_swap"]
    images = [job for job in views if job.type == "image_generation"]
    assert len(images) == 12 and len(swaps) == 2 * len(AVATARS)
    spent = 12 * mock.job_costs["image_generation"] + 4 * mock.job_costs["face_swap"]
    assert mock.balance() == 10_000 - spent
    results = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in results) == sorted([f"sku-{i}" for i in range(12)] + ["swap-0", "swap-1"])
    assert all(r["status"] == "completed" for r in results)
    all_job_ids = [job_id for r in results for job_id in r["job_ids"]]
    assert sorted(all_job_ids) == sorted(job.id for job in views)
    files = 0
    for row in results:
        for output in row["outputs"]:
            [media] = [m for m in mock.media(output["job_id"]) if output["url"].endswith(m.name)]
            path = Path(output["path"])
            assert path.stat().st_size == media.size and sha256(path) == media.sha256
            files += 1
    assert files == 12 + 4
    assert not [p for p in (tmp_path / "media").iterdir() if p.name.startswith(".")]  # no partial file left
    assert mock.credential_leaks == []


def test_402_midway_exits_3_then_resumes_without_duplicates(server: LoopbackServer, tmp_path: Path) -> None:
    mock = server.mock
    mock.set_credits(5 * mock.job_costs["image_generation"])
    manifest = write_manifest(tmp_path, 9)
    stopped = run(server, "run", str(manifest), "--max-in-flight", "2", "--json")
    assert stopped.returncode == 3, stopped.stderr
    assert json.loads(stopped.stdout)["stopped"] == "insufficient_credits"
    assert len(mock.jobs) == 5
    mock.set_credits(1_000)
    done = run(server, "run", str(manifest), "--json")
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    assert summary["completed"] == 9 and summary["created"] == 4
    assert len(mock.jobs) == 9 and len({job.idempotency_key for job in mock.jobs.values()}) == 9


def test_changed_params_are_refused_and_dry_run_sends_nothing(server: LoopbackServer, tmp_path: Path) -> None:
    mock = server.mock
    manifest = write_manifest(tmp_path, 3)
    assert run(server, "run", str(manifest)).returncode == 0
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    rows[1]["params"]["prompt"] = "Something else"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    mock.reset_logs()
    refused = run(server, "run", str(manifest), "--json")
    assert refused.returncode == 2 and "sku-1" in refused.stderr
    dry = run(server, "run", str(manifest), "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout) == {"rows": 3, "kinds": {"image": 3}, "jobs": 3, "sent": 0}
    assert mock.requests == []
    assert run(server, "run", str(manifest), "--recreate-changed").returncode == 0
    assert len(mock.jobs) == 4
    exported = [json.loads(line) for line in run(server, "export", str(manifest)).stdout.splitlines()]
    assert [r["id"] for r in exported] == ["sku-0", "sku-1", "sku-2"] and all(
        r["status"] == "completed" for r in exported
    )


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("{not json", "line 2"),
        ('{"id": "x", "kind": "image", "params": {"prompt": "a", "image_count": 99}}', "line 2.params.image_count"),
        ('{"id": "x", "kind": "image", "params": {"prompt": "a", "colour": "red"}}', "line 2.params.colour"),
        ('{"id": "sku-0", "kind": "image", "params": {"prompt": "a"}}', "line 2.id"),
    ],
)
def test_bad_manifests_exit_2_naming_line_and_field(
    server: LoopbackServer, tmp_path: Path, line: str, where: str
) -> None:
    manifest = write_manifest(tmp_path, 1)
    manifest.write_text(manifest.read_text() + line + "\n")
    server.mock.reset_logs()
    from click.testing import CliRunner

    from sume_async.cli import main

    # In process (click's runner): these refusals happen before any request, so no child is needed.
    refused = CliRunner().invoke(main, ["batch", "run", str(manifest), "--json"], env=env(server))
    assert refused.exit_code == 2 and where in refused.stderr, refused.stderr
    assert server.mock.requests == []


def test_sigterm_exits_130_with_a_consistent_journal(server: LoopbackServer, tmp_path: Path) -> None:
    mock = server.mock
    manifest = write_manifest(tmp_path, 6)
    seen = len(mock.requests)
    proc = start(server, "run", str(manifest), "--max-in-flight", "2", "--json")
    working(mock, proc, seen)
    time.sleep(0.8)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and '"code":"interrupted"' in err
    status = run(server, "status", str(manifest), "--json")
    counts = json.loads(status.stdout)
    assert counts["rows"] == 6 and counts["pending"] + counts["created"] + counts["completed"] == 6
    done = run(server, "run", str(manifest), "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["completed"] == 6
    assert len(mock.jobs) == 6
