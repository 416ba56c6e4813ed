"""The Dask engine's driver: ships a batch's work items to a cluster in chunks, journals what comes back.

The driver owns the journal; the workers are stateless (see ``_dask_worker``). The Dask client
runs on asyncio (tornado) while the batch runs on whatever the caller uses (asyncio or trio,
through anyio), so the engine runs the Dask client, and the ``LocalCluster`` when no scheduler
address is given, on an asyncio loop in a thread of its own, and hands every event over to the
caller's loop through a memory stream. Only the caller's side touches the journal. Cancelling
the caller cancels the thread's main task, which cancels the outstanding chunks and closes the
cluster it started.

``distributed`` is imported only when a run starts: ``sume_async.batch`` works without the
``dask`` extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import math
import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import attrs
from anyio.streams.memory import MemoryObjectSendStream

from .._client import DEFAULT_MAX_POLLS_PER_SECOND, AsyncSume
from .._errors import APIStatusError, ClusterError, InvalidInputError, SumeError
from .._options import NOT_GIVEN, NotGiven
from .._waiting import PollPolicy
from ._rows import SOURCE_PARAM
from ._runner import (
    STOP_AUTH,
    STOP_CREDITS,
    STOP_UNAVAILABLE,
    DownloadOptions,
    OutputFile,
    Progress,
    Reporter,
    RowOutcome,
    RunEnd,
    WorkItem,
    file_sha256,
)

if TYPE_CHECKING:
    from ._dask_worker import ClientSettings

__all__ = ["DaskEngine"]

DEFAULT_CHUNK_SIZE = 50
#: Most worker processes the local cluster starts by default.
DEFAULT_MAX_LOCAL_WORKERS = 4
#: Stop reasons in the order one wins over another when chunks disagree.
_PRECEDENCE = (STOP_AUTH, STOP_CREDITS)

logger = logging.getLogger("sume_async.batch")


@attrs.frozen
class DaskEngine:
    """Run a batch's rows on a Dask cluster: ``Batch(sume, ..., engine=DaskEngine(...))``.

    The driver (this process) keeps the journal; the workers create, wait and download. Each
    worker process reads the API key from its own environment (``SUME_API_KEY``); it never
    travels through the scheduler.

    Attributes:
        scheduler: a running scheduler's address (``tcp://host:8786``). ``None`` starts a
            local cluster of worker processes for the run (they inherit this process's
            environment, so its ``SUME_API_KEY``).
        local_workers: worker processes of the local cluster (default: CPUs, at most 4).
        threads_per_worker: chunks a local worker runs at once (chunks are ``async``: a
            "thread" is a slot for a concurrent chunk, not an OS thread doing work).
        chunk_size: rows per Dask task. Smaller chunks spread better and redo less after a
            worker dies (a redo costs requests, never credits); bigger ones cost the
            scheduler less.
        startup_timeout: seconds to start the local cluster or reach the scheduler and see a
            first worker.
        poll_policy: the workers' poll policy (default: the SDK's).
        max_polls_per_second: each worker's poll budget (``None``: no limit), as
            ``AsyncSume(max_polls_per_second=...)``; the cluster's is this times the workers.
        max_concurrent_requests: each worker's request limit (its connection pool).
        api_key_env: the environment variable workers read the key from.
        api_key: for a local cluster only: the key its workers get in their environment, when
            this process's ``SUME_API_KEY`` is not the one to use. Ignored with ``scheduler``.
    """

    scheduler: str | None = None
    local_workers: int | None = None
    threads_per_worker: int = 4
    chunk_size: int = DEFAULT_CHUNK_SIZE
    startup_timeout: float = 60.0
    poll_policy: PollPolicy | None = None
    max_polls_per_second: float | None = DEFAULT_MAX_POLLS_PER_SECOND
    max_concurrent_requests: int = 64
    api_key_env: str = "SUME_API_KEY"
    api_key: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.scheduler is not None:
            if not isinstance(self.scheduler, str) or "://" not in self.scheduler or len(self.scheduler) > 500:
                raise InvalidInputError("scheduler", "must be a scheduler address like tcp://host:8786")
            if self.local_workers is not None:
                raise InvalidInputError("local_workers", "cannot be combined with a scheduler address")
        for name, value, top in (
            ("local_workers", self.local_workers, 256),
            ("threads_per_worker", self.threads_per_worker, 1024),
            ("chunk_size", self.chunk_size, 100_000),
            ("max_concurrent_requests", self.max_concurrent_requests, 10_000),
        ):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top):
                raise InvalidInputError(name, f"must be an integer from 1 to {top}")
        timeout = self.startup_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
            raise InvalidInputError("startup_timeout", "must be a number of seconds above 0, at most 3600")
        budget = self.max_polls_per_second
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int | float) or not 0.01 <= budget <= 1e6
        ):
            raise InvalidInputError("max_polls_per_second", "must be None or a number from 0.01 to 1,000,000")
        if self.poll_policy is not None and not isinstance(self.poll_policy, PollPolicy):
            raise InvalidInputError("poll_policy", "must be a PollPolicy")
        if not isinstance(self.api_key_env, str) or not self.api_key_env.isidentifier():
            raise InvalidInputError("api_key_env", "must be an environment variable name")
        if self.api_key is not None and (not isinstance(self.api_key, str) or not self.api_key.strip()):
            raise InvalidInputError("api_key", "must be a non-empty string")

    @property
    def workers(self) -> int:
        """Worker processes of the local cluster."""
        return self.local_workers or max(1, min(DEFAULT_MAX_LOCAL_WORKERS, os.cpu_count() or 1))

    async def run(
        self,
        client: AsyncSume,
        items: Sequence[WorkItem],
        reporter: Reporter,
        *,
        max_in_flight: int,
        download: DownloadOptions | None = None,
        progress: Progress | None = None,
        on_progress: Callable[[Progress], object] | None = None,
        base_dir: Path | None = None,
        wait_timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> RunEnd | None:
        """Run ``items`` on the cluster, reporting to ``reporter`` (the journal) on this side.

        The same contract as :func:`~sume_async.batch.run_items`: the reason the run stopped
        early, or ``None``. ``client`` uploads face swap sources (once, here, before any
        create); the workers use their own clients.
        """
        from ._dask_worker import ClientSettings

        progress = progress if progress is not None else Progress()
        driver = _Driver(reporter, progress, on_progress)
        items, stopped = await driver.upload_sources(client, items, base_dir)
        if stopped is not None or not items:
            return stopped
        settings = ClientSettings(
            base_url=client.base_url,
            auth=client.auth,
            api_key_env=self.api_key_env,
            max_concurrent_requests=self.max_concurrent_requests,
            max_polls_per_second=self.max_polls_per_second,
            poll_policy=self.poll_policy,
        )
        if download is not None:
            absolute = await anyio.Path(download.dest_dir).absolute()
            download = attrs.evolve(download, dest_dir=Path(absolute))
        session = _Session(self, settings, list(items), max_in_flight, download, wait_timeout)
        await session.drive(driver)
        return driver.end()


class _Driver:
    """The caller's side of a run: journals what the workers report and keeps ``Progress``."""

    def __init__(
        self, reporter: Reporter, progress: Progress, on_progress: Callable[[Progress], object] | None
    ) -> None:
        self.reporter = reporter
        self.progress = progress
        self.on_progress = on_progress
        self.created: dict[str, int] = {}
        self.finished: set[str] = set()
        self.stops: list[RunEnd] = []

    def changed(self) -> None:
        if self.on_progress is not None:
            self.on_progress(attrs.evolve(self.progress))

    async def upload_sources(
        self, client: AsyncSume, items: Sequence[WorkItem], base_dir: Path | None
    ) -> tuple[list[WorkItem], RunEnd | None]:
        """Upload each face swap ``source`` once, here: workers uploading one file each would send
        different media URLs under one idempotency key."""
        urls: dict[str, str] = {}
        ready: list[WorkItem] = []
        for item in items:
            path = item.row.source_path(base_dir) if SOURCE_PARAM in item.row.params else None
            if path is None or item.media_url is not None:
                ready.append(item)
                continue
            sha = item.source_sha256
            if sha is None:
                sha = await anyio.to_thread.run_sync(file_sha256, path)
            if sha not in urls:
                try:
                    uploaded = await client.uploads.upload(path, purpose="face_swap_source_video")
                except (SumeError, OSError) as exc:
                    if isinstance(exc, APIStatusError) and exc.status_code in (401, 403):
                        return ready, RunEnd(STOP_AUTH, "Sume refused the API key; nothing more was sent.")
                    return ready, RunEnd(
                        STOP_UNAVAILABLE, f"Uploading a source failed ({type(exc).__name__}); run again."
                    )
                if not uploaded.media_url:
                    return ready, RunEnd(STOP_UNAVAILABLE, "An upload carried no media_url; run again.")
                await self.reporter.uploaded(sha, uploaded.media_url)
                urls[sha] = uploaded.media_url
            ready.append(attrs.evolve(item, media_url=urls[sha], source_sha256=sha))
        return ready, None

    async def on_created(self, row_id: str, job_ids: Sequence[str]) -> None:
        if row_id in self.finished or row_id in self.created:
            return  # a replayed create (a chunk run again) or an event after the row's outcome
        await self.reporter.created(row_id, list(job_ids))
        self.created[row_id] = len(job_ids)
        self.progress.created += len(job_ids)
        self.progress.running += len(job_ids)
        self.changed()

    async def on_chunk(self, result: dict[str, Any]) -> None:
        for uploaded in result.get("uploaded", ()):
            await self.reporter.uploaded(str(uploaded["sha256"]), str(uploaded["media_url"]))
        for data in result.get("outcomes", ()):
            outcome = _outcome(data)
            if outcome.row_id in self.finished:
                continue
            self.finished.add(outcome.row_id)
            await self.reporter.finished(outcome)
            self.progress.running = max(0, self.progress.running - self.created.pop(outcome.row_id, 0))
            self.progress.downloaded += sum(1 for o in outcome.outputs if o.path is not None)
            if outcome.ok:
                self.progress.completed += 1
            else:
                self.progress.failed += 1
        stopped = result.get("stopped")
        if stopped:
            self.stops.append(RunEnd(str(stopped["reason"]), str(stopped["message"])))
        self.changed()

    def chunk_failed(self, rows: int, error: str) -> None:
        logger.warning("A batch chunk of %d rows failed on the cluster: %s", rows, error)
        self.stops.append(
            RunEnd(STOP_UNAVAILABLE, f"A chunk of {rows} rows failed on the cluster ({error}); run again to resume.")
        )

    @property
    def stopping(self) -> bool:
        """Whether to stop dispatching chunks (a stop that every worker would run into)."""
        return any(end.reason in _PRECEDENCE for end in self.stops)

    def end(self) -> RunEnd | None:
        for reason in _PRECEDENCE:
            for end in self.stops:
                if end.reason == reason:
                    return end
        return self.stops[0] if self.stops else None


def _outcome(data: dict[str, Any]) -> RowOutcome:
    error = data.get("error") or {}
    return RowOutcome(
        row_id=str(data["id"]),
        kind=str(data["kind"]),
        status=str(data["status"]),
        job_ids=tuple(str(j) for j in data.get("job_ids", ())),
        outputs=tuple(OutputFile.from_dict(o) for o in data.get("outputs", ())),
        error_code=error.get("code"),
        error_message=error.get("message"),
    )


@attrs.frozen
class _Message:
    """What the Dask thread hands the caller: a created event, a chunk's result, or a failed chunk."""

    kind: str
    data: dict[str, Any]


class _Session:
    """One run on the cluster: a Dask client on an asyncio loop in a thread of its own."""

    def __init__(
        self,
        engine: DaskEngine,
        settings: ClientSettings,
        items: list[WorkItem],
        max_in_flight: int,
        download: DownloadOptions | None,
        wait_timeout: float | NotGiven | None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.items = items
        self.max_in_flight = max_in_flight
        self.download = download
        self.wait_timeout = wait_timeout
        self.run_id = uuid.uuid4().hex[:16]
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancelled = False
        self._send: MemoryObjectSendStream[_Message] | None = None

    async def drive(self, driver: _Driver) -> None:
        """Run the cluster side in its thread; apply what it sends on this side, in order."""
        send, receive = anyio.create_memory_object_stream[_Message](math.inf)
        self._send = send
        failure: list[BaseException] = []

        async def in_thread() -> None:
            try:
                await anyio.to_thread.run_sync(self._thread_main, failure)
            finally:
                send.close()

        async with anyio.create_task_group() as tg, receive:
            tg.start_soon(in_thread)
            try:
                async for message in receive:
                    if message.kind == "created":
                        await driver.on_created(str(message.data["row"]), message.data["job_ids"])
                    elif message.kind == "chunk":
                        await driver.on_chunk(message.data)
                        self.stopping = self.stopping or driver.stopping
                    elif message.kind == "chunk_failed":
                        driver.chunk_failed(int(message.data["rows"]), str(message.data["error"]))
            finally:
                self._cancel()
        if failure:
            raise failure[0]

    def _cancel(self) -> None:
        """Stop the cluster side from the caller's thread (idempotent)."""
        self._cancelled = True
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    def _thread_main(self, failure: list[BaseException]) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            if self._cancelled:
                return
            try:
                await self._main()
            except asyncio.CancelledError:
                pass
            except ClusterError as exc:
                failure.append(exc)
            except Exception as exc:
                failure.append(ClusterError(f"The Dask cluster failed: {type(exc).__name__}: {exc}"))

        asyncio.run(main())

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        """Hand a message to the caller's loop (from the Dask thread)."""
        assert self._send is not None
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            anyio.from_thread.run_sync(self._send.send_nowait, _Message(kind, data))

    async def _main(self) -> None:
        dask: Any = importlib.import_module("distributed")

        from ._dask_worker import CREATED, ChunkSpec, SumeWorkerPlugin, run_chunk

        engine = self.engine
        async with contextlib.AsyncExitStack() as stack:
            address: Any = engine.scheduler
            if address is None:
                key_env = {self.settings.api_key_env: engine.api_key} if engine.api_key else {}
                cluster: Any = dask.LocalCluster(
                    n_workers=engine.workers,
                    threads_per_worker=engine.threads_per_worker,
                    processes=True,
                    host="127.0.0.1",
                    scheduler_port=0,
                    dashboard_address="127.0.0.1:0",  # loopback, any free port (never 8787 taken)
                    silence_logs=logging.ERROR,
                    asynchronous=True,
                    env=key_env,
                )
                stack.push_async_callback(cluster.close)
                async with _bounded("Starting the local Dask cluster", engine.startup_timeout):
                    try:
                        await cluster
                    except Exception as exc:
                        raise ClusterError(
                            f"Starting the local Dask cluster failed ({type(exc).__name__}: {exc}). Its worker "
                            "processes import your main module: a script must start the batch under "
                            '`if __name__ == "__main__":`.'
                        ) from None
                address = cluster
            client: Any = dask.Client(address, asynchronous=True, timeout=engine.startup_timeout)
            stack.push_async_callback(client.close)
            async with _bounded("Reaching the Dask scheduler and a first worker", engine.startup_timeout):
                await client
                await client.wait_for_workers(1)

            plugin = SumeWorkerPlugin(self.settings)
            try:
                await client.register_plugin(plugin, name=plugin.name)
            except Exception as exc:
                raise ClusterError(f"The Dask workers could not set up a Sume client: {exc}") from None

            topic = f"sume-batch-{self.run_id}"
            semaphore = await dask.Semaphore(max_leases=self.max_in_flight, name=f"{topic}-in-flight")
            stack.push_async_callback(semaphore.close)

            def on_event(event: tuple[float, Any]) -> None:
                message = event[1]
                if isinstance(message, dict) and message.get("run") == self.run_id and message.get("event") == CREATED:
                    self._emit("created", {"row": message["row"], "job_ids": list(message["job_ids"])})

            client.subscribe_topic(topic, on_event)
            stack.callback(client.unsubscribe_topic, topic)

            size = engine.chunk_size
            pending = [self.items[i : i + size] for i in range(0, len(self.items), size)]
            pending.reverse()
            threads = sum((await client.nthreads()).values())
            window = max(2, 2 * threads)
            running = dask.as_completed(with_results=False)
            rows: dict[str, int] = {}

            def submit() -> None:
                chunk = pending.pop()
                key = f"sume-chunk-{self.run_id}-{len(rows)}"
                spec = ChunkSpec(
                    run_id=self.run_id,
                    task_key=key,
                    plugin=plugin.name,
                    topic=topic,
                    semaphore=semaphore.name,
                    max_in_flight=self.max_in_flight,
                    items=chunk,
                    download=self.download,
                    wait_timeout=self.wait_timeout,
                )
                rows[key] = len(chunk)
                running.add(client.submit(run_chunk, spec, key=key, pure=False))

            while pending and running.count() < window:
                submit()
            async for future in running:
                try:
                    result = await future
                except Exception as exc:
                    self._emit("chunk_failed", {"rows": rows[future.key], "error": f"{type(exc).__name__}: {exc}"})
                else:
                    self._emit("chunk", result)
                future.release()
                while pending and not self.stopping and running.count() < window:
                    submit()


@contextlib.asynccontextmanager
async def _bounded(what: str, timeout: float) -> AsyncIterator[None]:
    """Bound a start-up step by ``timeout`` seconds; a ``ClusterError`` says which step."""
    try:
        async with asyncio.timeout(timeout):
            yield
    except TimeoutError:
        raise ClusterError(f"{what} took more than {timeout:g} s") from None
    except OSError as exc:
        raise ClusterError(f"{what} failed: {exc}") from None
