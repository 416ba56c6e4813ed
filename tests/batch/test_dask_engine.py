"""The Dask engine on a LocalCluster of 2 worker processes, against the mock on loopback.

Proofs: a worker SIGKILLed mid-batch costs no job twice; the workspace limit holds across
workers; a 402 stops every worker and the rerun finishes without a duplicate; the API key
never appears in a task's arguments, results, events or the scheduler's plugins.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias

import anyio
import anyio.to_thread
import psutil
import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

from batch_helpers import image_rows
from dask_helpers import RunningCluster, dask_cluster
from distributed.diagnostics.plugin import SchedulerPlugin, WorkerPlugin

from sume_async import AsyncSume, ClusterError, InvalidInputError, PollPolicy
from sume_async.batch import Batch, DaskEngine, Progress, RowOutcome
from sume_async.testing import DEFAULT_API_KEY, Faults, LoopbackServer, MockSume, serve

pytestmark = pytest.mark.filterwarnings("ignore:Closing semaphore:RuntimeWarning")

#: The SDK's poll policy for a mock at 50x (the speed most tests use): intervals and the learned
#: job durations both in the mock's time.
POLL = PollPolicy().scaled(1 / 50)


@pytest.fixture(scope="module")
def cluster() -> Iterator[RunningCluster]:
    with dask_cluster(2, env={"SUME_API_KEY": DEFAULT_API_KEY}) as running:
        yield running


@pytest.fixture
def workers(cluster: RunningCluster) -> RunningCluster:
    """The module's cluster with both workers up (a previous test may have killed one)."""
    cluster.wait_for_workers(2)
    return cluster


def engine(cluster: RunningCluster, **kwargs: Any) -> DaskEngine:
    kwargs.setdefault("chunk_size", 10)
    kwargs.setdefault("lease_timeout", 3.0)  # a killed worker's leases come back within seconds
    return DaskEngine(scheduler=cluster.address, poll_policy=POLL, max_polls_per_second=None, **kwargs)


async def run_batch(
    base_url: str, state: Path, rows: list[dict[str, Any]], eng: DaskEngine | None, **kwargs: Any
) -> tuple[list[RowOutcome], Any]:
    outcomes = []
    async with AsyncSume(DEFAULT_API_KEY, base_url=base_url, poll_policy=POLL, max_polls_per_second=None) as sume:
        batch = Batch(sume, name="dask", state=state, engine=eng, **kwargs)
        async with batch.run(rows) as running:
            async for outcome in running:
                outcomes.append(outcome)
    return outcomes, running


def jobs_per_key(mock: MockSume) -> collections.Counter[str | None]:
    return collections.Counter(job.idempotency_key for job in mock.jobs.values())


@pytest.mark.anyio
async def test_a_worker_killed_mid_batch_costs_no_job_twice(workers: RunningCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(120)
    reached = anyio.Event()
    killed: list[int] = []

    def on_progress(progress: Progress) -> None:
        if progress.created >= 30:
            reached.set()

    async def kill_when_reached() -> None:
        await reached.wait()
        killed.append(await anyio.to_thread.run_sync(workers.kill_worker))

    async with serve(mock) as base_url:
        with anyio.fail_after(90):
            async with anyio.create_task_group() as tg:
                tg.start_soon(kill_when_reached)
                outcomes, running = await run_batch(
                    base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=16, on_progress=on_progress
                )
                tg.cancel_scope.cancel()
    assert killed, "the batch ended before a worker could be killed"
    assert running.stopped is None
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert {o.status for o in outcomes} == {"completed"}
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}
    assert mock.balance() == 10_000 - 4 * len(rows)  # charged once per row


@pytest.mark.anyio
async def test_the_workspace_limit_holds_across_workers(workers: RunningCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(24)
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            outcomes, _ = await run_batch(
                base_url, tmp_path / "s.db", rows, engine(workers, chunk_size=4), max_in_flight=3
            )
    assert len(outcomes) == len(rows)
    # Every job was alive on the server from its creation to its completion; at most 3 at once.
    edges = sorted(
        [(job.created_at, 1) for job in mock.jobs.values()] + [(job.updated_at, -1) for job in mock.jobs.values()],
        key=lambda edge: (edge[0], edge[1]),
    )
    alive = peak = 0
    for _, step in edges:
        alive += step
        peak = max(peak, alive)
    assert 1 < peak <= 3


@pytest.mark.anyio
async def test_402_stops_every_worker_and_the_rerun_finishes_without_a_duplicate(
    workers: RunningCluster, tmp_path: Path
) -> None:
    mock = MockSume(speed=50, credits=4 * 25)
    rows = image_rows(60)
    state = tmp_path / "s.db"
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            first, running = await run_batch(base_url, state, rows, engine(workers), max_in_flight=8)
        assert running.stopped is not None and running.stopped.reason == "insufficient_credits"
        assert len(mock.jobs) == 25 and {o.status for o in first} == {"completed"}
        mock.set_credits(10_000)
        with anyio.fail_after(60):
            second, running = await run_batch(base_url, state, rows, engine(workers), max_in_flight=8)
    assert running.stopped is None
    assert sorted(o.row_id for o in second) == sorted(r["id"] for r in rows)
    assert sum(o.from_journal for o in second) == 25
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}


class _RecordGraph(SchedulerPlugin):
    """Keeps every task's pickled run spec (arguments), every event, as the scheduler sees them."""

    name = "record-graph"

    def __init__(self) -> None:
        self.specs: list[bytes] = []
        self.events: list[bytes] = []
        self.scheduler: Any = None

    async def start(self, scheduler: Any) -> None:
        self.scheduler = scheduler

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        task = self.scheduler.tasks.get(key)
        if finish == "processing" and task is not None:
            self.specs.append(pickle.dumps(task.run_spec) + repr(task.run_spec).encode())

    def log_event(self, topic: str, msg: Any) -> None:
        self.events.append(pickle.dumps((topic, msg)))


class _RecordResults(WorkerPlugin):
    """Keeps every task result a worker holds, pickled."""

    name = "record-results"

    def setup(self, worker: Any) -> None:
        self.worker = worker
        self.results: list[bytes] = []

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "memory" and key in self.worker.data:
            self.results.append(pickle.dumps(self.worker.data[key]))


def _secret_fragments(key: str) -> list[bytes]:
    return [key.encode(), key[-16:].encode()]


@pytest.mark.anyio
async def test_neither_the_key_nor_the_workspace_id_is_in_task_arguments_results_or_events(
    workers: RunningCluster, tmp_path: Path
) -> None:
    client = workers.client
    await anyio.to_thread.run_sync(lambda: client.register_plugin(_RecordGraph()))
    await anyio.to_thread.run_sync(lambda: client.register_plugin(_RecordResults()))
    mock = MockSume(speed=50)
    rows = image_rows(30)
    try:
        async with serve(mock) as base_url:
            with anyio.fail_after(60):
                outcomes, _ = await run_batch(base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=8)
            async with AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
                me = await sume.account.me()
        assert len(outcomes) == len(rows)

        def scheduler_side(dask_scheduler: Any) -> dict[str, Any]:
            plugin = dask_scheduler.plugins["record-graph"]
            return {
                "specs": plugin.specs,
                "events": plugin.events,
                "worker_plugins": [pickle.dumps(p) for p in dask_scheduler.worker_plugins.values()],
            }

        def worker_side(dask_worker: Any) -> list[bytes]:
            return list(dask_worker.plugins["record-results"].results)

        seen = await anyio.to_thread.run_sync(lambda: client.run_on_scheduler(scheduler_side))
        results = await anyio.to_thread.run_sync(lambda: client.run(worker_side))
        logs = await anyio.to_thread.run_sync(lambda: [client.get_worker_logs(), client.get_scheduler_logs()])
    finally:
        await anyio.to_thread.run_sync(lambda: client.unregister_worker_plugin("record-results"))
        await anyio.to_thread.run_sync(lambda: client.unregister_scheduler_plugin("record-graph"))
    assert me.workspace is not None and me.workspace.id
    chunk_specs = [spec for spec in seen["specs"] if b"sume-chunk-" in spec]
    chunk_results = [blob for blobs in results.values() for blob in blobs if b"outcomes" in blob]
    assert chunk_specs and chunk_results and seen["events"] and seen["worker_plugins"]  # the net caught something
    assert any(b"Product shot" in spec for spec in chunk_specs)  # ... and would see arguments
    for blob in [*chunk_specs, *seen["events"], *seen["worker_plugins"], *chunk_results, repr(logs).encode()]:
        for fragment in _secret_fragments(DEFAULT_API_KEY):
            assert fragment not in blob
        assert me.workspace.id.encode() not in blob  # the workspace check travels as a keyed digest


@pytest.mark.anyio
async def test_workers_without_the_key_are_refused_on_every_run(workers: RunningCluster, tmp_path: Path) -> None:
    """The worker plugin is idempotent (set up once for every later run): the check must be per run."""
    mock = MockSume(speed=50)
    eng = engine(workers, api_key_env="SUME_TEST_NO_SUCH_KEY", no_workers_timeout=2)
    async with serve(mock) as base_url:
        for attempt in range(2):
            with anyio.fail_after(60):
                outcomes, running = await run_batch(base_url, tmp_path / f"s{attempt}.db", image_rows(3), eng)
            assert outcomes == []
            assert running.stopped is not None and running.stopped.reason == "unavailable"
            assert "No usable Dask worker" in running.stopped.message
            assert "SUME_TEST_NO_SUCH_KEY is not set" in running.stopped.message
            for address in workers.worker_pids():
                assert address in running.stopped.message  # each refused worker is named
    assert not mock.jobs and mock.route_counts.get("POST /images/generations", 0) == 0


@pytest.mark.anyio
async def test_an_unreachable_scheduler_is_a_cluster_error(tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    eng = DaskEngine(scheduler="tcp://127.0.0.1:9", startup_timeout=1.5)
    async with serve(mock) as base_url:
        with anyio.fail_after(30), pytest.raises(ClusterError, match="scheduler"):
            await run_batch(base_url, tmp_path / "s.db", image_rows(3), eng)
    assert not mock.jobs


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scheduler": "localhost"}, "scheduler"),
        ({"scheduler": "tcp://h:1", "local_workers": 2}, "local_workers"),
        ({"local_workers": 0}, "local_workers"),
        ({"local_workers": True}, "local_workers"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"threads_per_worker": 1.5}, "threads_per_worker"),
        ({"startup_timeout": 0}, "startup_timeout"),
        ({"startup_timeout": float("nan")}, "startup_timeout"),
        ({"poll_policy": 1.0}, "poll_policy"),
        ({"max_polls_per_second": 0}, "max_polls_per_second"),
        ({"api_key_env": "NOT A NAME"}, "api_key_env"),
        ({"api_key": ""}, "api_key"),
        ({"no_workers_timeout": 0}, "no_workers_timeout"),
        ({"no_workers_timeout": float("inf")}, "no_workers_timeout"),
        ({"lease_timeout": float("nan")}, "lease_timeout"),
        ({"lease_timeout": True}, "lease_timeout"),
        ({"security": "tls.pem"}, "security"),
    ],
)
def test_bad_engine_settings_are_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        DaskEngine(**kwargs)
    assert caught.value.field == field if hasattr(caught.value, "field") else field in str(caught.value)


def test_the_engine_repr_hides_the_key() -> None:
    assert "sume_live" not in repr(DaskEngine(api_key="sume_live_secret_value"))


def test_the_workspace_proof_is_a_keyed_digest_bound_to_the_run() -> None:
    from sume_async.batch._dask_worker import workspace_digest

    digest = workspace_digest("ws_123", "nonce-a")
    assert "ws_123" not in digest and len(digest) == 64
    assert digest == workspace_digest("ws_123", "nonce-a")
    assert digest != workspace_digest("ws_123", "nonce-b")  # a digest seen in one run proves nothing in another
    assert digest != workspace_digest("ws_124", "nonce-a")


DRIVER = Path(__file__).with_name("dask_driver.py")


def _driver(
    rows_file: Path, state: Path, base_url: str, out: Any, *, scheduler: str | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SUME_API_KEY": DEFAULT_API_KEY, "SUME_API_BASE_URL": base_url}
    where = [scheduler] if scheduler else []
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(rows_file), str(state), *where], env=env, stdout=out, stderr=out
    )


def _wait_for_jobs(mock: MockSume, driver: subprocess.Popen[bytes], n: int) -> None:
    deadline = time.monotonic() + 90
    while len(mock.jobs) < n and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert driver.poll() is None, "the driver ended before it could be killed"
    assert len(mock.jobs) >= n


Start: TypeAlias = Callable[[Any], "subprocess.Popen[bytes]"]


def _kill_after_jobs(start: Start, log_path: Path, mock: MockSume, n: int) -> list[psutil.Process]:
    """Start a driver, SIGKILL it once the mock holds ``n`` jobs; its child processes as they were."""
    with log_path.open("wb") as log:
        driver = start(log)
        try:
            _wait_for_jobs(mock, driver, n)
            family = psutil.Process(driver.pid).children(recursive=True)
            os.kill(driver.pid, signal.SIGKILL)
            driver.wait(10)
        finally:
            if driver.poll() is None:
                driver.kill()
    return family


def _run_to_the_end(start: Start, log_path: Path) -> None:
    with log_path.open("wb") as log:
        driver = start(log)
        try:
            assert driver.wait(120) == 0, log_path.read_text()[-3000:]
        finally:
            if driver.poll() is None:
                driver.kill()


def _cli(manifest: Path, base_url: str, args: tuple[str, ...], out: Any) -> subprocess.Popen[bytes]:
    """``sume-async batch run MANIFEST --engine dask ...`` as its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
    env.update(SUME_API_KEY=DEFAULT_API_KEY, SUME_API_BASE_URL=base_url, NO_COLOR="1")
    command = [sys.executable, "-m", "sume_async.cli", "batch", "run", str(manifest), "--engine", "dask", *args]
    return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def test_the_cli_driver_killed_with_sigkill_and_rerun_costs_no_job_twice(tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(24)
    manifest, results = tmp_path / "rows.jsonl", tmp_path / "results.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    args = ("--local-workers", "2", "--max-in-flight", "8", "--out", str(results), "--json")
    server = LoopbackServer(mock)
    server.start()
    try:
        server.wait_started()
        start = partial(_cli, manifest, server.base_url, args)
        family = _kill_after_jobs(start, tmp_path / "first.log", mock, 8)
        assert family, "no worker processes"
        # The local cluster's worker processes notice their driver is gone and exit.
        _, alive = psutil.wait_procs(family, timeout=30)
        for proc in alive:
            proc.kill()
        assert not alive, f"worker processes outlived their driver: {alive}"
        assert len(mock.jobs) < len(rows), "the first run finished before it was killed"
        _run_to_the_end(start, tmp_path / "second.log")
    finally:
        server.stop()
    assert DEFAULT_API_KEY not in (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(r["id"] for r in rows)
    assert {line["status"] for line in lines} == {"completed"}
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}
    assert mock.balance() == 10_000 - 4 * len(rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scheduler", "tcp://127.0.0.1:8786"), "need --engine dask"),
        (("--engine", "dask", "--scheduler", "localhost"), "--scheduler: must be a scheduler address"),
        (("--engine", "dask", "--scheduler", "tcp://h:1", "--local-workers", "2"), "--local-workers: cannot"),
        (("--engine", "dask", "--local-workers", "0"), "--local-workers"),
        (("--no-workers-timeout", "5"), "need --engine dask"),
        (("--engine", "dask", "--no-workers-timeout", "0"), "--no-workers-timeout"),
        (("--engine", "dask", "--tls-cert", "rows.jsonl"), "--tls-ca-file, --tls-cert and --tls-key go together"),
        (("--engine", "dask", "--tls-ca-file", "no-such.pem"), "--tls-ca-file"),
    ],
)
def test_cli_engine_options_are_checked_before_anything_is_sent(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    manifest = tmp_path / "rows.jsonl"
    manifest.write_text(json.dumps(image_rows(1)[0]) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
    env.update(SUME_API_KEY=DEFAULT_API_KEY, SUME_API_BASE_URL="http://127.0.0.1:9/api/v1")
    done = subprocess.run(
        [sys.executable, "-m", "sume_async.cli", "batch", "run", str(manifest), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert not (tmp_path / "rows.jsonl.state").exists()


def _is_worker(process: psutil.Process) -> bool:
    """A multiprocessing child running code (not the resource tracker, which lives as long as we do)."""
    try:
        return "resource_tracker" not in " ".join(process.cmdline())
    except psutil.Error:
        return False


@pytest.mark.anyio
async def test_the_local_default_cancelled_mid_run_leaves_nothing_running_and_resumes(tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(48)
    state = tmp_path / "s.db"
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    eng = DaskEngine(
        local_workers=2,
        threads_per_worker=2,
        chunk_size=4,
        poll_policy=POLL,
        max_polls_per_second=None,
        api_key=DEFAULT_API_KEY,
    )
    async with serve(mock) as base_url:
        seen: list[RowOutcome] = []
        with anyio.fail_after(90), anyio.CancelScope() as scope:
            async with AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
                batch = Batch(sume, name="dask", state=state, engine=eng, max_in_flight=4)
                async with batch.run(rows) as running:
                    async for outcome in running:
                        seen.append(outcome)
                        if len(seen) == 4:
                            scope.cancel()  # Ctrl-C, a deadline, a web request going away
        assert scope.cancelled_caught
        spawned = [p for p in me.children(recursive=True) if p.pid not in before and _is_worker(p)]
        _, alive = psutil.wait_procs(spawned, timeout=20)
        assert not alive, f"worker processes outlived the run: {alive}"
        assert len(mock.jobs) < len(rows)
        # A batch started on a cluster resumes in one process (and the other way round): one journal.
        with anyio.fail_after(90):
            outcomes, running = await run_batch(base_url, state, rows, None, max_in_flight=4)
    assert running.stopped is None
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert sum(o.from_journal for o in outcomes) >= 4
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}


def test_chunks_of_a_driver_killed_with_sigkill_stop_creating(workers: RunningCluster, tmp_path: Path) -> None:
    """On a cluster that outlives its driver, the driver's chunks keep running unwanted: they create nothing new."""
    mock = MockSume(speed=50)
    rows = image_rows(60)
    rows_file, state = tmp_path / "rows.json", tmp_path / "s.db"
    rows_file.write_text(json.dumps(rows))
    server = LoopbackServer(mock)
    server.start()
    try:
        server.wait_started()
        start = partial(_driver, rows_file, state, server.base_url, scheduler=workers.address)
        _kill_after_jobs(start, tmp_path / "first.log", mock, 8)
        left = len(mock.jobs)
        time.sleep(3)  # its chunks are still on the workers, unwanted, some waiting for a lease
        # Only rows that held a lease when the driver died may still create (max_in_flight = 4 here).
        assert len(mock.jobs) <= left + 4 < len(rows)
        assert workers.leftovers(), "the crashed run left nothing to clean up"
        _run_to_the_end(start, tmp_path / "second.log")
    finally:
        server.stop()
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}
    # The rerun removed its own event topic and semaphore, and the crashed run's.
    assert workers.leftovers() == []


@pytest.mark.anyio
async def test_429s_and_creates_dropped_after_the_job_was_made_cost_no_job_twice(
    workers: RunningCluster, tmp_path: Path
) -> None:
    on_create = Faults(seed=5, rate_429=0.25, retry_after_seconds=0, rate_5xx=0.05, rate_drop_after_create=0.2)
    faults = Faults(routes={"POST /images/generations": on_create})
    mock = MockSume(speed=50, faults=faults)
    rows = image_rows(24)
    async with serve(mock) as base_url:
        with anyio.fail_after(90):
            outcomes, running = await run_batch(base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=8)
    assert running.stopped is None, running.stopped
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert mock.route_counts["POST /images/generations"] > len(rows)  # retries and replays did happen
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}
    assert mock.balance() == 10_000 - 4 * len(rows)


@pytest.mark.anyio
async def test_a_face_swap_source_is_uploaded_once_by_the_driver(workers: RunningCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50, durations={"face_swap": 6.0})
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4096))
    rows = [
        {
            "id": f"swap-{i}",
            "kind": "face_swap",
            "params": {"source": str(clip), "avatar_ids": ["avatar_maya", "avatar_leo"]},
        }
        for i in range(3)
    ]
    async with serve(mock) as base_url:
        with anyio.fail_after(90):
            outcomes, running = await run_batch(base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=4)
    assert running.stopped is None, running.stopped
    assert {o.status for o in outcomes} == {"completed"} and all(len(o.job_ids) == 2 for o in outcomes)
    assert len(mock.uploads) == 1  # one file, one upload, shared by every row on every worker
    per_key = jobs_per_key(mock)
    assert len(mock.jobs) == 6 and len(per_key) == 3  # one key per row, one job per avatar


@pytest.mark.anyio
async def test_workers_download_every_output_whole(workers: RunningCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(6)
    dest = tmp_path / "out"
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            outcomes, running = await run_batch(
                base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=4, download_dir=dest
            )
    assert running.stopped is None and len(outcomes) == len(rows)
    assert running.progress.downloaded == sum(len(o.outputs) for o in outcomes) > 0
    for outcome in outcomes:
        expected = mock.media(outcome.job_ids[0])
        paths = [Path(o.path) for o in outcome.outputs if o.path is not None]
        assert len(paths) == len(expected)
        for path, media in zip(paths, expected, strict=True):
            assert path.parent == dest and path.stat().st_size == media.size
            assert hashlib.sha256(path.read_bytes()).hexdigest() == media.sha256


@pytest.mark.anyio
async def test_a_refused_key_stops_every_worker_at_once(workers: RunningCluster, tmp_path: Path) -> None:
    mock = MockSume(speed=50, api_keys=("sume_live_another_workspace_key",))  # the workers' key is refused
    rows = image_rows(40)
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            outcomes, running = await run_batch(base_url, tmp_path / "s.db", rows, engine(workers), max_in_flight=4)
    assert running.stopped is not None and running.stopped.reason == "unauthorized"
    assert outcomes == [] and not mock.jobs
    # Each chunk sent at most its first create: the driver handed out no chunk after the stop.
    assert mock.route_counts["POST /images/generations"] < len(rows) / 2


class _PrivateDownloads(WorkerPlugin):
    """Makes a worker download into a folder of its own, as a worker on another machine would
    (the same path there, not shared with the driver)."""

    name = "private-downloads"

    def __init__(self, private: str) -> None:
        self.private = private

    def setup(self, worker: Any) -> None:
        import attrs

        from sume_async.batch import _dask_worker

        self.original = original = _dask_worker.run_items

        async def run_items(client: Any, items: Any, reporter: Any, *, download: Any = None, **kwargs: Any) -> Any:
            if download is None:
                return await original(client, items, reporter, download=download, **kwargs)
            shared, private = str(download.dest_dir), self.private
            finished = reporter.finished

            async def report(outcome: Any) -> None:  # the worker reports the path it was asked for
                outputs = [
                    attrs.evolve(o, path=o.path.replace(private, shared) if o.path else o.path) for o in outcome.outputs
                ]
                await finished(attrs.evolve(outcome, outputs=tuple(outputs)))

            reporter.finished = report
            download = attrs.evolve(download, dest_dir=Path(private))
            return await original(client, items, reporter, download=download, **kwargs)

        _dask_worker.run_items = run_items  # type: ignore[assignment]

    def teardown(self, worker: Any) -> None:
        from sume_async.batch import _dask_worker

        _dask_worker.run_items = self.original  # type: ignore[assignment]


@pytest.mark.anyio
async def test_downloads_a_worker_made_where_the_driver_cannot_see_them_are_not_counted(
    workers: RunningCluster, tmp_path: Path
) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(4)
    dest, state = tmp_path / "out", tmp_path / "s.db"
    client = workers.client
    await anyio.to_thread.run_sync(lambda: client.register_plugin(_PrivateDownloads(str(tmp_path / "elsewhere"))))
    try:
        async with serve(mock) as base_url:
            with anyio.fail_after(60):
                outcomes, running = await run_batch(
                    base_url, state, rows, engine(workers), max_in_flight=4, download_dir=dest
                )
    finally:
        await anyio.to_thread.run_sync(lambda: client.unregister_worker_plugin("private-downloads"))
    assert any((tmp_path / "elsewhere").iterdir())  # the workers did download, somewhere else
    assert running.stopped is not None and running.stopped.reason == "download_failed"
    assert "every worker and the driver share" in running.stopped.message
    assert outcomes == [] and running.progress.downloaded == 0 and running.progress.completed == 0
    async with serve(mock) as base_url:  # the same mock: rerun with the folder shared
        with anyio.fail_after(60):
            outcomes, running = await run_batch(
                base_url, state, rows, engine(workers), max_in_flight=4, download_dir=dest
            )
    assert running.stopped is None and {o.status for o in outcomes} == {"completed"}
    assert all(Path(o.path).is_file() for outcome in outcomes for o in outcome.outputs if o.path is not None)
    assert running.progress.downloaded == sum(len(o.outputs) for o in outcomes) > 0
    per_key = jobs_per_key(mock)
    assert len(per_key) == len(rows) and set(per_key.values()) == {1}


@pytest.mark.anyio
async def test_rows_leave_running_as_they_finish_not_when_their_chunk_reports(
    workers: RunningCluster, tmp_path: Path
) -> None:
    mock = MockSume(speed=50)
    rows = image_rows(8)
    seen: list[Progress] = []
    async with serve(mock) as base_url:
        with anyio.fail_after(60):
            outcomes, running = await run_batch(
                base_url,
                tmp_path / "s.db",
                rows,
                engine(workers, chunk_size=8),
                max_in_flight=8,
                on_progress=seen.append,
            )
    assert running.stopped is None and len(outcomes) == len(rows)
    # One chunk of 8 rows: before it reports (nothing completed yet), rows that ended are no longer running.
    before_report = [p for p in seen if p.completed == 0 and p.created == 8]
    assert before_report and min(p.running for p in before_report) == 0
