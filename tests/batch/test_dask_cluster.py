"""The Dask engine on a real cluster: ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1.

Started as the README's recipe says (TLS certificates, dashboards on loopback), against the mock
on loopback. Proofs: a worker with another workspace's key creates nothing and is named; a
keyless worker and a worker with another ``sume-async`` are refused on every run, and a good
worker joining mid-run takes their chunks; the scheduler's death and the loss of every worker
end the CLI's run resumable within the no-workers timeout, with its summary and ``--out`` file;
a TLS scheduler refuses a client without a certificate; one lease setting keeps the server at
``max_in_flight`` unfinished jobs; no event topic or semaphore is left on the scheduler.

Kept small (a few rows, seconds-long waits): the real cluster is the point, not the load.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import psutil
import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")
pytest.importorskip("cryptography", reason="the TLS tests make their certificates with cryptography")

from batch_helpers import image_rows
from dask_helpers import RealCluster, TlsFiles, make_certificates, real_cluster

from sume_async import AsyncSume, ClusterError, PollPolicy
from sume_async.batch import Batch, DaskEngine, RowOutcome
from sume_async.testing import DEFAULT_API_KEY, LoopbackServer, MockSume, serve

pytestmark = pytest.mark.filterwarnings("ignore:Closing semaphore:RuntimeWarning")

#: A key of another workspace (the mock gives every key its own workspace).
OTHER_KEY = "sume_live_another_workspace_key_0123456789"
POLL = PollPolicy().scaled(1 / 50)
OTHER_VERSION = Path(__file__).with_name("dask_other_version.py")
UNREACHABLE = Path(__file__).with_name("dask_unreachable.py")


@pytest.fixture
def anyio_backend() -> str:
    """One loop for these tests: both loops are proved on a LocalCluster (test_dask_engine.py); here the
    cluster is the point, and each backend would double the processes' start-up on 2 cores."""
    return "asyncio"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_certificates(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory, certificates: TlsFiles) -> Iterator[RealCluster]:
    """A TLS scheduler, a worker with the driver's key and one with another workspace's key."""
    with real_cluster(tmp_path_factory.mktemp("tls-cluster"), tls=certificates) as cluster:
        cluster.add_worker("right", {"SUME_API_KEY": DEFAULT_API_KEY})
        cluster.add_worker("wrong", {"SUME_API_KEY": OTHER_KEY})
        yield cluster


def tls_engine(cluster: RealCluster, **kwargs: Any) -> DaskEngine:
    assert cluster.tls is not None
    kwargs.setdefault("chunk_size", 4)
    kwargs.setdefault("security", cluster.tls.security())
    return DaskEngine(scheduler=cluster.address, poll_policy=POLL, max_polls_per_second=None, **kwargs)


async def run_batch(
    base_url: str, state: Path, rows: list[dict[str, Any]], eng: DaskEngine, *, name: str = "real", **kwargs: Any
) -> tuple[list[RowOutcome], Any]:
    outcomes = []
    async with AsyncSume(DEFAULT_API_KEY, base_url=base_url, poll_policy=POLL, max_polls_per_second=None) as sume:
        batch = Batch(sume, name=name, state=state, engine=eng, **kwargs)
        async with batch.run(rows) as running:
            async for outcome in running:
                outcomes.append(outcome)
    return outcomes, running


async def workspace_of(base_url: str, key: str) -> str:
    async with AsyncSume(key, base_url=base_url) as sume:
        me = await sume.account.me()
    assert me.workspace is not None
    return me.workspace.id


def one_job_per_row(mock: MockSume, rows: list[dict[str, Any]]) -> None:
    per_key = collections.Counter(job.idempotency_key for job in mock.jobs.values())
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}


@pytest.mark.anyio
async def test_a_worker_with_another_workspaces_key_creates_nothing_and_is_named(
    tls_cluster: RealCluster, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mock = MockSume(speed=50, api_keys=(DEFAULT_API_KEY, OTHER_KEY))
    rows = image_rows(16)
    caplog.set_level(logging.WARNING, "sume_async.batch")
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            outcomes, running = await run_batch(
                base_url, tmp_path / "s.db", rows, tls_engine(tls_cluster), max_in_flight=4
            )
        mine, other = await workspace_of(base_url, DEFAULT_API_KEY), await workspace_of(base_url, OTHER_KEY)
    assert running.stopped is None
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert {job.workspace_id for job in mock.jobs.values()} == {mine} and other != mine
    assert mock.balance(OTHER_KEY) == 10_000  # nothing paid in the other workspace
    assert running.progress.credits_charged == 4 * len(rows) == 10_000 - mock.balance()
    one_job_per_row(mock, rows)
    named = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("(wrong)" in line and "another workspace" in line for line in named), named
    assert not any("(right)" in line for line in named)
    assert tls_cluster.leftovers() == []  # no event topic, no semaphore left on the scheduler


@pytest.mark.anyio
async def test_one_lease_setting_keeps_the_server_at_max_in_flight(tls_cluster: RealCluster, tmp_path: Path) -> None:
    """The workers' own configuration keeps the default lease timeout (30 s, refreshed every 6 s);
    the engine's 0.5 s must reach them too, or the scheduler expires leases held by running jobs."""
    mock = MockSume(speed=50, durations={"image_generation": 75.0}, api_keys=(DEFAULT_API_KEY, OTHER_KEY))  # 1.5 s each
    rows = image_rows(9)
    async with serve(mock) as base_url:
        with anyio.fail_after(90):
            outcomes, running = await run_batch(
                base_url, tmp_path / "s.db", rows, tls_engine(tls_cluster, lease_timeout=0.5), max_in_flight=3
            )
    assert running.stopped is None and len(outcomes) == len(rows)
    edges = sorted(
        [(job.created_at, 1) for job in mock.jobs.values()] + [(job.updated_at, -1) for job in mock.jobs.values()]
    )
    alive = peak = 0
    for _, step in edges:
        alive += step
        peak = max(peak, alive)
    assert 1 < peak <= 3
    assert tls_cluster.leftovers() == []


@pytest.mark.anyio
async def test_a_tls_scheduler_refuses_a_client_without_a_certificate(tls_cluster: RealCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    plain = tls_cluster.address.replace("tls://", "tcp://")
    async with serve(mock) as base_url:
        for eng in (
            DaskEngine(scheduler=tls_cluster.address, startup_timeout=5),  # TLS, but no certificate
            DaskEngine(scheduler=plain, startup_timeout=5),  # plain TCP to the TLS port
        ):
            with anyio.fail_after(30), pytest.raises(ClusterError):
                await run_batch(base_url, tmp_path / "s.db", image_rows(2), eng)
    assert not mock.jobs
    # A hostile client that trusts the CA but holds no certificate: the scheduler demands one.
    host, port = tls_cluster.address.removeprefix("tls://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(tls_cluster.tls.ca) if tls_cluster.tls else None)
    context.check_hostname = False
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # the server's demand fails the handshake itself
    with (
        pytest.raises(ssl.SSLError),
        socket.create_connection((host, int(port)), timeout=10) as raw,
        context.wrap_socket(raw),
    ):
        pass
    # The recipe's scheduler listens on loopback only: its comm port and its HTTP server (which
    # `dask scheduler` starts even with --no-dashboard).
    assert tls_cluster.scheduler is not None
    listening = [
        c.laddr for c in psutil.Process(tls_cluster.scheduler.pid).net_connections("inet") if c.status == "LISTEN"
    ]
    assert len(listening) >= 2 and {address.ip for address in listening} == {"127.0.0.1"}


@pytest.mark.anyio
async def test_keyless_other_version_and_unreachable_workers_are_refused_on_every_run(tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(6)
    with real_cluster(tmp_path / "cluster") as cluster:
        cluster.add_worker("keyless", {})
        cluster.add_worker("other-version", {"SUME_API_KEY": DEFAULT_API_KEY}, preload=OTHER_VERSION)
        cluster.add_worker("unreachable", {"SUME_API_KEY": DEFAULT_API_KEY}, preload=UNREACHABLE)
        eng = DaskEngine(
            scheduler=cluster.address, chunk_size=3, poll_policy=POLL, max_polls_per_second=None, no_workers_timeout=2
        )
        async with serve(mock) as base_url:
            for attempt in range(2):  # the worker plugin is set up once: the check must not be
                with anyio.fail_after(60):
                    outcomes, running = await run_batch(base_url, tmp_path / f"s{attempt}.db", rows, eng)
                assert outcomes == [] and running.stopped is not None
                assert running.stopped.reason == "unavailable"
                message = running.stopped.message
                assert "(keyless): SUME_API_KEY is not set" in message, message
                assert "(other-version): it runs sume-async 0.0.0+other" in message, message
                assert "(unreachable): it cannot reach the Sume API (APIConnectionError)" in message, message
            assert not mock.jobs
            # A good worker joining mid-run takes the chunks the refused ones could not run.
            eng = DaskEngine(scheduler=cluster.address, chunk_size=3, poll_policy=POLL, max_polls_per_second=None)
            with anyio.fail_after(90):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(
                        anyio.to_thread.run_sync,
                        lambda: cluster.add_worker("joins", {"SUME_API_KEY": DEFAULT_API_KEY}, wait=False),
                    )
                    outcomes, running = await run_batch(base_url, tmp_path / "s2.db", rows, eng)
        assert running.stopped is None and sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
        one_job_per_row(mock, rows)
        assert cluster.leftovers() == []


def _cli(manifest: Path, base_url: str, args: list[str], log: Any) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUME_", "DASK_"))}
    env.update(SUME_API_KEY=DEFAULT_API_KEY, SUME_API_BASE_URL=base_url, NO_COLOR="1")
    command = [sys.executable, "-m", "sume_async.cli", "batch", "run", str(manifest), "--engine", "dask", *args]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.DEVNULL)


def _run_cli_and_break(
    cluster: RealCluster, mock: MockSume, manifest: Path, base_url: str, args: list[str], out: Path, breaks: Any
) -> tuple[int, float, dict[str, Any]]:
    """Run the CLI until the mock holds 4 jobs, call ``breaks()``; its exit code, seconds from the break to
    its exit, and its JSON summary."""
    with out.open("wb") as log:
        process = _cli(manifest, base_url, args, log)
        try:
            deadline = time.monotonic() + 90
            while len(mock.jobs) < 4 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert process.poll() is None, out.read_text()[-3000:]
            broke = time.monotonic()
            breaks()
            code = process.wait(60)
            took = time.monotonic() - broke
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    return code, took, json.loads(out.read_text().strip().splitlines()[-1])


@pytest.mark.parametrize("lost", ["the scheduler", "every worker"])
def test_losing_the_cluster_ends_the_cli_run_resumable_with_its_summary_and_results(tmp_path: Path, lost: str) -> None:
    mock = MockSume(speed=50, durations={"image_generation": 50.0})  # 1 s jobs: the break comes mid-run
    rows = image_rows(12)
    manifest, results = tmp_path / "rows.jsonl", tmp_path / "results.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    server = LoopbackServer(mock)
    server.start()
    try:
        server.wait_started()
        with real_cluster(tmp_path / "cluster") as cluster:
            cluster.add_worker("w1", {"SUME_API_KEY": DEFAULT_API_KEY})
            args = ["--scheduler", cluster.address, "--no-workers-timeout", "3", "--max-in-flight", "4"]
            args += ["--out", str(results), "--json"]
            breaks = cluster.kill_scheduler if lost == "the scheduler" else lambda: cluster.kill_worker("w1")
            code, took, summary = _run_cli_and_break(
                cluster, mock, manifest, server.base_url, args, tmp_path / "first.json", breaks
            )
            assert code == 3, summary
            assert summary["stopped"] == "unavailable" and summary["completed"] < len(rows), summary
            assert took < 3 + 20  # the no-workers timeout, then a bounded clean-up
            lines = [json.loads(line) for line in results.read_text().splitlines()]
            assert {line["id"] for line in lines} <= {r["id"] for r in rows} and lines
            assert any(line["job_ids"] for line in lines)  # the jobs created so far are in the results
            # The run resumes on a cluster that works again.
            if lost == "the scheduler":
                cluster.workers.pop("w1").kill()
                cluster.start_scheduler()
                args[1] = cluster.address
            cluster.add_worker("w2", {"SUME_API_KEY": DEFAULT_API_KEY})
            # Resumed in-process (the CLI's journal, the mock's time scale for the poll policy).
            eng = DaskEngine(scheduler=cluster.address, chunk_size=4, poll_policy=POLL, max_polls_per_second=None)
            state = manifest.with_name("rows.jsonl.state")

            async def rerun() -> tuple[list[RowOutcome], Any]:
                with anyio.fail_after(90):
                    return await run_batch(server.base_url, state, rows, eng, name="rows", max_in_flight=4)

            outcomes, running = anyio.run(rerun)
            assert cluster.leftovers() == []
    finally:
        server.stop()
    assert running.stopped is None and {o.status for o in outcomes} == {"completed"}
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert sum(o.from_journal for o in outcomes) == summary["completed"]
    one_job_per_row(mock, rows)


def test_the_cli_runs_on_a_tls_cluster_and_names_the_refused_worker(tls_cluster: RealCluster, tmp_path: Path) -> None:
    assert tls_cluster.tls is not None
    mock = MockSume(speed=50, api_keys=(DEFAULT_API_KEY, OTHER_KEY))
    rows = image_rows(4)
    manifest, results = tmp_path / "rows.jsonl", tmp_path / "results.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    server = LoopbackServer(mock)
    server.start()
    try:
        server.wait_started()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SUME_", "DASK_"))}
        env.update(SUME_API_KEY=DEFAULT_API_KEY, SUME_API_BASE_URL=server.base_url, NO_COLOR="1")
        args = ["--engine", "dask", "--scheduler", tls_cluster.address, *tls_cluster.tls.cli_args()]
        done = subprocess.run(
            [sys.executable, "-m", "sume_async.cli", "batch", "run", str(manifest), *args, "--out", str(results)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(wrong) is refused for this batch: its SUME_API_KEY belongs to another workspace" in done.stderr
    assert DEFAULT_API_KEY not in done.stdout + done.stderr and OTHER_KEY not in done.stdout + done.stderr
    assert {json.loads(line)["status"] for line in results.read_text().splitlines()} == {"completed"}
    assert mock.balance(OTHER_KEY) == 10_000
    one_job_per_row(mock, rows)
    assert tls_cluster.leftovers() == []
