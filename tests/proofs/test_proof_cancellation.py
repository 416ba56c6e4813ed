"""Proof under cancellation: waits and uploads cancelled half-way leave nothing behind.

Over a real loopback socket, ``jobs.wait_all`` and ``jobs.as_completed`` are cancelled half-way
(half the jobs done, the rest still polled, polls in flight) from a cancel scope owned by another
task and by cancelling the task group, and an upload is cancelled after some megabytes went out.
Afterwards:

- no task is left running (asyncio: ``asyncio.all_tasks()``; trio: the whole task tree), every
  semaphore permit is back, and the server sees no further request once it settled;
- the httpx pool holds only idle or closed connections, the client still works, then closes
  cleanly, refuses every call with ``ClientClosedError``, and the server sees every socket close;
- a partially uploaded file is never finalized: the mock shows it incomplete and unfinalized,
  no ``POST /assets`` and no ``asset_ingest`` job, and no retry of the PUT after the cancel.

The tests at the end pin defects found while writing these proofs (now fixed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
import sniffio

from sume_async import AsyncSume, ClientClosedError, Job, PollPolicy, RetryPolicy, SumeError
from sume_async.testing import DEFAULT_API_KEY, Faults, ManualClock, MockSume, serve

pytestmark = pytest.mark.anyio

N_JOBS = 20
HALF = 10
POLLS = 4
REQUESTS = 8
POLL = PollPolicy(first=0.01, factor=1.5, short_cap=0.02, long_cap=0.02, error_delay=0.02)
RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)
POLL_ROUTE = "GET /jobs/{jobId}"
STORAGE_ROUTE = "PUT /storage/{uploadId}"
UPLOAD_SIZE = 64 * 1024 * 1024
CANCEL_AFTER = 4 * 1024 * 1024
QUIET = 0.3  # more than ten poll intervals: a poll left running would show up


def progress_event(threshold: int) -> tuple[anyio.Event, Callable[[int, int], None]]:
    """An event, and an ``on_progress`` callback that sets it once ``threshold`` bytes went out."""
    event = anyio.Event()

    def on_progress(sent: int, total: int) -> None:
        if sent >= threshold:
            event.set()

    return event, on_progress


def slow_polls() -> Faults:
    """Polls take 5-30 ms at the server, so some are in flight whenever the cancel lands."""
    return Faults(routes={POLL_ROUTE: Faults(latency=(0.005, 0.03))})


def live_tasks() -> int:
    """Every task of the running event loop (trio: the whole tree, system tasks included)."""
    if sniffio.current_async_library() == "trio":
        import trio

        def count(task: trio.lowlevel.Task) -> int:
            return 1 + sum(count(child) for nursery in task.child_nurseries for child in nursery.child_tasks)

        root = trio.lowlevel.current_root_task()
        assert root is not None
        return count(root)
    return len(asyncio.all_tasks())


async def wait_until(predicate: Callable[[], bool], *, interval: float = 0.005) -> None:
    """Poll ``predicate`` until true; the caller bounds it with ``fail_after``."""
    while not predicate():
        await anyio.sleep(interval)


def client(base_url: str) -> AsyncSume:
    return AsyncSume(
        DEFAULT_API_KEY,
        base_url=base_url,
        poll_policy=POLL,
        retry_policy=RETRY,
        max_concurrent_polls=POLLS,
        max_concurrent_requests=REQUESTS,
    )


def pool_is_idle(sume: AsyncSume) -> bool:
    """Every connection of the httpx pool is idle or closed (httpx internals: a test-only look)."""
    connections = sume._requester.http._transport._pool.connections  # type: ignore[attr-defined]
    return all(c.is_idle() or c.is_closed() for c in connections)


def permits_are_back(sume: AsyncSume) -> bool:
    return sume.jobs._poll_gate.in_flight == 0 and sume._requester.limiter.value == REQUESTS


def total_requests(mock: MockSume) -> int:
    return sum(mock.route_counts.values()) + sum(1 for r in mock.requests if r.route == STORAGE_ROUTE)


async def assert_quiet(mock: MockSume) -> None:
    """Once requests already on the wire have arrived, nothing new reaches the server."""
    await anyio.sleep(0.1)
    before = total_requests(mock)
    await anyio.sleep(QUIET)
    assert total_requests(mock) == before, "the SDK kept sending after the cancellation"


async def assert_closes_cleanly(sume: AsyncSume, mock: MockSume, job: Job) -> None:
    await sume.close()
    assert sume.is_closed
    await sume.close()  # idempotent
    with pytest.raises(ClientClosedError):
        await sume.jobs.get(job)
    with pytest.raises(ClientClosedError):
        await sume.account.me()
    with pytest.raises(ClientClosedError):
        await sume.images.generate(prompt="after close")
    with pytest.raises(ClientClosedError):
        await sume.assets.upload(b"\x00" * 1024, filename="after.mp4")
    with pytest.raises(ClientClosedError):
        async with sume:
            pass
    await wait_until(lambda: mock.open_connections == 0)


# -- waits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["outer_scope", "task_group"])
@pytest.mark.parametrize("api", ["wait_all", "as_completed"])
async def test_cancelling_waits_half_way_leaves_nothing_behind(api: str, how: str) -> None:
    mock = MockSume(clock=ManualClock(), faults=slow_polls())  # jobs finish only when told to
    try:
        with anyio.fail_after(60):
            async with serve(mock) as base_url:
                sume = client(base_url)
                jobs = [await sume.images.generate(prompt=f"cancel me {i}") for i in range(N_JOBS)]
                done_ids = {job.id for job in jobs[:HALF]}
                for job_id in done_ids:
                    mock.set_job_status(job_id, "completed")
                baseline = live_tasks()
                yielded: list[Job] = []
                halfway = anyio.Event()

                async def consume() -> None:
                    if api == "wait_all":
                        await sume.jobs.wait_all(jobs, timeout=None)
                    else:
                        async for job in sume.jobs.as_completed(jobs, timeout=None):
                            yielded.append(job)
                            if len(yielded) == HALF:
                                halfway.set()
                    raise AssertionError("the wait ended although half the jobs never finish")

                def polled() -> set[str]:
                    return {r.path.rsplit("/", 1)[1] for r in mock.requests if r.route == POLL_ROUTE}

                async def reach_half_way() -> None:
                    # Every job polled, the finished half seen, the other half still being polled.
                    await wait_until(lambda: polled() == {j.id for j in jobs})
                    if api == "as_completed":
                        await halfway.wait()
                    floor = mock.route_counts[POLL_ROUTE]
                    await wait_until(lambda: mock.route_counts[POLL_ROUTE] >= floor + POLLS)

                outer = anyio.CancelScope()

                async def run_in_outer_scope() -> None:
                    with outer:
                        await consume()

                async with anyio.create_task_group() as tg:
                    tg.start_soon(run_in_outer_scope if how == "outer_scope" else consume)
                    await reach_half_way()
                    (outer if how == "outer_scope" else tg.cancel_scope).cancel()
                if how == "outer_scope":
                    assert outer.cancelled_caught

                # The moment the cancellation returned: nothing runs, every permit is back.
                assert live_tasks() == baseline
                assert permits_are_back(sume)
                assert pool_is_idle(sume)
                if api == "as_completed":
                    assert {j.id for j in yielded} == done_ids and len(yielded) == HALF
                await assert_quiet(mock)
                assert live_tasks() == baseline

                # The client is unharmed: the same jobs can be awaited to the end.
                mock.complete_all()
                finished = await sume.jobs.wait_all(jobs, timeout=30)
                assert [j.id for j in finished] == [j.id for j in jobs]
                assert all(str(j.status) == "completed" for j in finished)
                assert permits_are_back(sume) and pool_is_idle(sume)

                await assert_closes_cleanly(sume, mock, jobs[0])
                assert live_tasks() == baseline
    finally:
        mock.close()


# -- uploads -------------------------------------------------------------------------------------


def make_source(kind: str, tmp_path: Path) -> bytes | Path:
    if kind == "bytes":
        return bytes(UPLOAD_SIZE)
    path = tmp_path / "large.mp4"
    with path.open("wb") as handle:
        handle.truncate(UPLOAD_SIZE)  # sparse: 64 MiB of zeros without writing them
    return path


@pytest.mark.parametrize("how", ["outer_scope", "task_group"])
@pytest.mark.parametrize("kind", ["bytes", "file"])
async def test_cancelled_upload_is_never_finalized(kind: str, how: str, tmp_path: Path) -> None:
    mock = MockSume()
    source = make_source(kind, tmp_path)
    try:
        with anyio.fail_after(60):
            async with serve(mock) as base_url:
                sume = client(base_url)
                await sume.account.me()
                baseline = live_tasks()
                progress: list[tuple[int, int]] = []
                some_sent = anyio.Event()

                def on_progress(sent: int, total: int) -> None:
                    progress.append((sent, total))
                    if sent >= CANCEL_AFTER:
                        some_sent.set()

                async def upload() -> None:
                    await sume.assets.upload(source, filename="large.mp4", title="never", on_progress=on_progress)
                    raise AssertionError("the upload finished before it was cancelled")

                outer = anyio.CancelScope()

                async def run_in_outer_scope() -> None:
                    with outer:
                        await upload()

                async with anyio.create_task_group() as tg:
                    tg.start_soon(run_in_outer_scope if how == "outer_scope" else upload)
                    await some_sent.wait()
                    (outer if how == "outer_scope" else tg.cancel_scope).cancel()

                # (Tasks are counted once the server settled: a transient clean-up task may
                # finalize the source's generator; see test_cancelled_file_upload_closes_the_file.)
                assert permits_are_back(sume)
                assert pool_is_idle(sume)
                sent, total = progress[-1]
                assert total == UPLOAD_SIZE and CANCEL_AFTER <= sent < UPLOAD_SIZE  # really half-way

                # The server saw the PUT end without its body; afterwards nothing more arrives.
                def put_ended() -> bool:
                    return any(r.route == STORAGE_ROUTE for r in mock.requests)

                await wait_until(put_ended)
                await assert_quiet(mock)
                (upload_view,) = mock.uploads.values()
                assert upload_view.size_bytes == UPLOAD_SIZE
                assert 0 < upload_view.received_bytes < UPLOAD_SIZE
                assert not upload_view.complete and not upload_view.finalized
                assert upload_view.attempts == 1  # the cancel did not turn into a retry
                puts = [r for r in mock.requests if r.route == STORAGE_ROUTE]
                assert len(puts) == 1 and puts[0].status is None
                assert mock.route_counts["POST /assets"] == 0
                assert not [j for j in mock.jobs.values() if j.type == "asset_ingest"]
                assert live_tasks() == baseline

                # The client is unharmed: a small upload afterwards is finalized normally.
                ingest = await sume.assets.upload(b"\x00" * 4096, filename="small.mp4")
                assert str(ingest.type_) == "asset_ingest"
                finalized = [u for u in mock.uploads.values() if u.finalized]
                assert len(finalized) == 1 and finalized[0].size_bytes == 4096
                assert not next(u for u in mock.uploads.values() if u.size_bytes == UPLOAD_SIZE).finalized

                await assert_closes_cleanly(sume, mock, ingest)
    finally:
        mock.close()


def open_paths() -> set[str]:
    paths = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            paths.add(os.readlink(f"/proc/self/fd/{fd}"))
    return paths


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
async def test_cancelled_file_upload_closes_the_file(tmp_path: Path) -> None:
    mock = MockSume()
    path = make_source("file", tmp_path)
    assert isinstance(path, Path)
    try:
        with anyio.fail_after(60):
            async with serve(mock) as base_url:
                sume = client(base_url)
                some_sent, on_progress = progress_event(CANCEL_AFTER)

                async with anyio.create_task_group() as tg:
                    tg.start_soon(lambda: sume.assets.upload(path, filename="large.mp4", on_progress=on_progress))
                    await some_sent.wait()
                    tg.cancel_scope.cancel()
                still_open = str(path) in open_paths()  # right as the cancellation returned
                await sume.close()
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()
    assert not still_open, "the cancelled upload left its source file open"


# -- defects found (fixed) -------------------------------------------------------------------------------


@pytest.mark.parametrize("closed", ["before", "during"])
async def test_waits_on_a_closed_client_raise_client_closed_error(closed: str) -> None:
    mock = MockSume(clock=ManualClock())
    outcome: BaseException | None = None
    try:
        with anyio.fail_after(30):
            async with serve(mock) as base_url:
                sume = client(base_url)
                jobs = [await sume.images.generate(prompt=f"closed {i}") for i in range(5)]

                async def wait() -> None:
                    nonlocal outcome
                    try:
                        await sume.jobs.wait_all(jobs, timeout=None)
                    except Exception as exc:
                        outcome = exc

                if closed == "before":
                    await sume.close()
                    await wait()
                else:
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(wait)
                        await wait_until(lambda: mock.route_counts[POLL_ROUTE] >= len(jobs))
                        await sume.close()
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()
    assert outcome is not None
    assert isinstance(outcome, SumeError), f"{type(outcome).__qualname__}: {outcome!r}"
    assert isinstance(outcome, ClientClosedError), repr(outcome)


async def test_closing_the_client_during_an_upload_raises_client_closed_error() -> None:
    mock = MockSume()
    outcome: BaseException | None = None
    try:
        with anyio.fail_after(30):
            async with serve(mock) as base_url:
                sume = client(base_url)
                some_sent, on_progress = progress_event(CANCEL_AFTER)

                async def upload() -> None:
                    nonlocal outcome
                    try:
                        await sume.assets.upload(bytes(UPLOAD_SIZE), filename="large.mp4", on_progress=on_progress)
                    except Exception as exc:
                        outcome = exc

                async with anyio.create_task_group() as tg:
                    tg.start_soon(upload)
                    await some_sent.wait()
                    await sume.close()
                await wait_until(lambda: mock.open_connections == 0)
    finally:
        mock.close()
    # What holds already: the partial upload is never finalized.
    (upload_view,) = mock.uploads.values()
    assert not upload_view.complete and not upload_view.finalized
    assert mock.route_counts["POST /assets"] == 0
    # What does not: the caller gets httpx's RuntimeError, not a SumeError.
    assert outcome is not None
    assert isinstance(outcome, ClientClosedError), f"{type(outcome).__qualname__}: {outcome!r}"
