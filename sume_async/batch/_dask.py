"""The Dask engine's driver: ships a batch's work items to a cluster in chunks, journals what comes back.

The driver owns the journal; the workers are stateless (see ``_dask_worker``). Each run proves
every worker it uses (the key's workspace, as a digest bound to the run's nonce, and the SDK
version) and sends a refused worker's chunks elsewhere; a run with no usable worker or no
scheduler for ``no_workers_timeout`` seconds ends resumable, and it cleans up what it and crashed
runs left on the scheduler. The Dask client
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
import secrets
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
    STOP_DOWNLOAD,
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
#: Seconds a run goes on with no usable worker (or no scheduler) before it ends resumable.
DEFAULT_NO_WORKERS_TIMEOUT = 60.0
#: Seconds a dead worker's semaphore leases are kept (the one setting driver and workers share).
DEFAULT_LEASE_TIMEOUT = 30.0
#: Seconds each clean-up step (closing the client, the semaphore, the event topic) may take.
_CLEANUP_TIMEOUT = 5.0
#: Seconds the driver's check of a new worker may take (it asks Sume for the worker's workspace).
_CHECK_TIMEOUT = 60.0
#: Prefix of every name a run leaves on the scheduler (event topic, semaphore): ``sume-batch.RUN.CLIENT``.
_NAME_PREFIX = "sume-batch."
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
    travels through the scheduler. Before its first create of a run, each worker proves its key
    belongs to the driver's workspace; a worker that cannot is refused for the run (named in the
    log and in the stop message), and its chunks run elsewhere.

    Attributes:
        scheduler: a running scheduler's address (``tls://host:8786``, or ``tcp://`` on a
            network you trust: anyone who reaches an unauthenticated scheduler can run code on
            its workers and read their keys). ``None`` starts a local cluster of worker
            processes for the run (they inherit this process's environment, so its
            ``SUME_API_KEY``).
        security: a ``distributed.security.Security`` (TLS certificates) for the scheduler,
            or for the local cluster. ``None``: none.
        local_workers: worker processes of the local cluster (default: CPUs, at most 4).
        threads_per_worker: chunks a local worker runs at once (chunks are ``async``: a
            "thread" is a slot for a concurrent chunk, not an OS thread doing work).
        chunk_size: rows per Dask task. Smaller chunks spread better and redo less after a
            worker dies (a redo costs requests, never credits); bigger ones cost the
            scheduler less.
        startup_timeout: seconds to start the local cluster or reach the scheduler and see a
            first worker.
        no_workers_timeout: seconds the run goes on with no usable worker, or without reaching
            the scheduler, before it ends resumable (``RunEnd("unavailable")``).
        lease_timeout: seconds the scheduler keeps a dead worker's leases on the workspace's
            limit; the workers refresh theirs every fifth of it (one setting for both sides).
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
    no_workers_timeout: float = DEFAULT_NO_WORKERS_TIMEOUT
    lease_timeout: float = DEFAULT_LEASE_TIMEOUT
    security: Any = attrs.field(default=None, repr=False)
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
        for name, timeout in (
            ("startup_timeout", self.startup_timeout),
            ("no_workers_timeout", self.no_workers_timeout),
            ("lease_timeout", self.lease_timeout),
        ):
            if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 3600:
                raise InvalidInputError(name, "must be a number of seconds above 0, at most 3600")
        if self.security is not None:
            try:
                security_type = importlib.import_module("distributed.security").Security
            except ImportError:
                security_type = None
            if security_type is None or not isinstance(self.security, security_type):
                raise InvalidInputError("security", "must be a distributed.security.Security")
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
        proof, stopped = await _workspace_proof(client)
        if stopped is not None:
            return stopped
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
        session = _Session(self, settings, list(items), max_in_flight, download, wait_timeout, proof)
        await session.drive(driver)
        return driver.end()


async def _workspace_proof(client: AsyncSume) -> tuple[tuple[str, str], RunEnd | None]:
    """The run's nonce and the digest of the driver's workspace that every worker must match."""
    from ._dask_worker import workspace_digest

    try:
        me = await client.account.me()
    except SumeError as exc:
        if isinstance(exc, APIStatusError) and exc.status_code in (401, 403):
            return ("", ""), RunEnd(STOP_AUTH, "Sume refused the API key; nothing more was sent.")
        message = f"Asking Sume for the key's workspace failed ({type(exc).__name__}); run again."
        return ("", ""), RunEnd(STOP_UNAVAILABLE, message)
    if me.workspace is None or not me.workspace.id:
        return ("", ""), RunEnd(STOP_UNAVAILABLE, "Sume named no workspace for the API key; run again.")
    nonce = secrets.token_hex(16)
    return (nonce, workspace_digest(me.workspace.id, nonce)), None


class _Driver:
    """The caller's side of a run: journals what the workers report and keeps ``Progress``."""

    def __init__(
        self, reporter: Reporter, progress: Progress, on_progress: Callable[[Progress], object] | None
    ) -> None:
        self.reporter = reporter
        self.progress = progress
        self.on_progress = on_progress
        self.created: set[str] = set()
        self.running: dict[str, int] = {}
        self.finished: set[str] = set()
        self.stops: list[RunEnd] = []
        self.missing_downloads = 0

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
        self.created.add(row_id)
        self.running[row_id] = len(job_ids)
        self.progress.created += len(job_ids)
        self.progress.running += len(job_ids)
        self.changed()

    def on_row_finished(self, row_id: str) -> None:
        """A worker says the row's jobs ended (its outcome comes with the chunk's result)."""
        if row_id in self.running:
            self.progress.running = max(0, self.progress.running - self.running.pop(row_id))
            self.changed()

    async def on_chunk(self, result: dict[str, Any]) -> None:
        for uploaded in result.get("uploaded", ()):
            await self.reporter.uploaded(str(uploaded["sha256"]), str(uploaded["media_url"]))
        for data in result.get("outcomes", ()):
            outcome = _outcome(data)
            if outcome.row_id in self.finished:
                continue
            missing = await anyio.to_thread.run_sync(_missing_files, outcome)
            if missing:
                # Downloaded on a worker, not here: the row stays created (its jobs are journaled),
                # so a rerun with a shared folder (or without downloads) only fetches its results.
                self.missing_downloads += missing
                self.on_row_finished(outcome.row_id)
                continue
            self.finished.add(outcome.row_id)
            await self.reporter.finished(outcome)
            self.progress.running = max(0, self.progress.running - self.running.pop(outcome.row_id, 0))
            self.progress.downloaded += sum(1 for o in outcome.outputs if o.path is not None)
            if outcome.ok:
                self.progress.completed += 1
            else:
                self.progress.failed += 1
        stopped = result.get("stopped")
        if stopped:
            self.stops.append(RunEnd(str(stopped["reason"]), str(stopped["message"])))
        self.changed()

    def lost(self, message: str) -> None:
        """The cluster became unusable (no scheduler, or no usable worker) for too long."""
        self.stops.append(RunEnd(STOP_UNAVAILABLE, message))

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
        if self.missing_downloads:
            self.stops.append(
                RunEnd(
                    STOP_DOWNLOAD,
                    f"{self.missing_downloads} outputs the workers downloaded are not in the download folder on "
                    "this machine: download_dir must be a folder every worker and the driver share. Their rows "
                    "stay pending; run again to resume.",
                )
            )
            self.missing_downloads = 0
        for reason in _PRECEDENCE:
            for end in self.stops:
                if end.reason == reason:
                    return end
        return self.stops[0] if self.stops else None


def _missing_files(outcome: RowOutcome) -> int:
    """How many of the outcome's downloaded outputs are not on this machine where it says."""
    return sum(1 for o in outcome.outputs if o.path is not None and not os.path.isfile(o.path))


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
    """What the Dask thread hands the caller: a created or finished event, a chunk's result, a
    failed chunk, or the cluster lost."""

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
        proof: tuple[str, str],
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.items = items
        self.max_in_flight = max_in_flight
        self.download = download
        self.wait_timeout = wait_timeout
        self.nonce, self.digest = proof
        self.run_id = uuid.uuid4().hex[:16]
        self.stopping = False
        self.scheduler_gone = False
        self._client: Any = None
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
                    elif message.kind == "finished":
                        driver.on_row_finished(str(message.data["row"]))
                    elif message.kind == "chunk":
                        await driver.on_chunk(message.data)
                        self.stopping = self.stopping or driver.stopping
                    elif message.kind == "chunk_failed":
                        driver.chunk_failed(int(message.data["rows"]), str(message.data["error"]))
                    elif message.kind == "lost":
                        driver.lost(str(message.data["message"]))
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
        config: Any = importlib.import_module("dask.config")

        from ._dask_worker import CREATED, FINISHED, SumeWorkerPlugin, lease_config

        engine = self.engine
        async with contextlib.AsyncExitStack() as stack:
            address: Any = engine.scheduler
            if address is None:
                key_env = {self.settings.api_key_env: engine.api_key} if engine.api_key else {}
                tls = {"security": engine.security, "protocol": "tls://"} if engine.security is not None else {}
                with config.set(lease_config(engine.lease_timeout)):  # the local workers inherit the setting
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
                        **tls,
                    )
                stack.push_async_callback(_quietly, cluster.close)
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
            client: Any = dask.Client(
                address, asynchronous=True, timeout=engine.startup_timeout, security=engine.security
            )
            self._client = client
            stack.push_async_callback(self._close_client, client)
            async with _bounded("Reaching the Dask scheduler and a first worker", engine.startup_timeout):
                await client
                await client.wait_for_workers(1)

            plugin = SumeWorkerPlugin(self.settings)
            try:
                await client.register_plugin(plugin, name=plugin.name)
            except Exception as exc:
                raise ClusterError(f"The Dask workers could not set up a Sume client: {exc}") from None

            topic = f"{_NAME_PREFIX}{self.run_id}.{client.id}"
            await _quietly(client.run_on_scheduler, _tidy_scheduler(topic, mine=False))  # crashed runs' leftovers
            stack.push_async_callback(self._on_scheduler, client.run_on_scheduler, _tidy_scheduler(topic, mine=True))
            with config.set(lease_config(engine.lease_timeout)):  # the scheduler keeps what the driver registers
                semaphore = await dask.Semaphore(max_leases=self.max_in_flight, name=f"{topic}.in-flight")
            stack.push_async_callback(self._on_scheduler, semaphore.close)

            def on_event(event: tuple[float, Any]) -> None:
                message = event[1]
                if not isinstance(message, dict) or message.get("run") != self.run_id:
                    return
                if message.get("event") == CREATED:
                    self._emit("created", {"row": message["row"], "job_ids": list(message["job_ids"])})
                elif message.get("event") == FINISHED:
                    self._emit("finished", {"row": message["row"]})

            # Not unsubscribed at the end: that message would reach the scheduler after the clean-up
            # and bring the topic back; closing the client ends the subscription.
            client.subscribe_topic(topic, on_event)
            await _Dispatcher(self, client, plugin.name, topic, semaphore.name).run()

    def _client_running(self) -> bool:
        return self._client is not None and self._client.status == "running" and not self.scheduler_gone

    async def _close_client(self, client: Any) -> None:
        """Close the Dask client, briefly when the scheduler is known to be gone."""
        await _quietly(client.close, _CLEANUP_TIMEOUT if self._client_running() else 2.0)

    async def _on_scheduler(self, step: Callable[..., Any], *args: Any) -> None:
        """A clean-up step on the scheduler, skipped once the scheduler is known to be gone."""
        if not self.scheduler_gone and self._client_running():
            await _quietly(step, *args)

    def spec(self, key: str, plugin: str, topic: str, semaphore: str, items: Sequence[WorkItem]) -> Any:
        from .._version import __version__
        from ._dask_worker import ChunkSpec

        return ChunkSpec(
            run_id=self.run_id,
            task_key=key,
            plugin=plugin,
            topic=topic,
            semaphore=semaphore,
            max_in_flight=self.max_in_flight,
            items=items,
            sdk_version=__version__,
            workspace_nonce=self.nonce,
            workspace_digest=self.digest,
            lease_timeout=self.engine.lease_timeout,
            download=self.download,
            wait_timeout=self.wait_timeout,
        )


class _Dispatcher:
    """Hands out chunks, collects their results, and watches that the cluster stays usable.

    A chunk a worker refuses (``WorkerRefused``: another workspace's key, no key, another
    ``sume-async``, no way to reach Sume) is sent again, from then on only to workers not refused;
    one sent to workers that are all gone is sent again to the usable ones. With no usable worker,
    or no scheduler, for ``no_workers_timeout`` seconds the run ends resumable.
    """

    def __init__(self, session: _Session, client: Any, plugin: str, topic: str, semaphore: str) -> None:
        self.session = session
        self.client = client
        self.names = (plugin, topic, semaphore)
        self.timeout = session.engine.no_workers_timeout
        size = session.engine.chunk_size
        self.pending = [session.items[i : i + size] for i in range(0, len(session.items), size)]
        self.pending.reverse()
        self.parked: list[Sequence[WorkItem]] = []
        #: key -> (its items, the workers it may run on or None, its asyncio task awaiting it)
        self.outstanding: dict[str, tuple[Sequence[WorkItem], frozenset[str] | None, asyncio.Task[None]]] = {}
        self.refused: dict[str, str] = {}
        self.workers: frozenset[str] = frozenset()
        self.queue: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
        self.submitted = 0
        self.window = 2
        self.probed: set[str] = set()
        self.checks: set[asyncio.Task[None]] = set()

    @property
    def usable(self) -> frozenset[str]:
        return self.workers - self.refused.keys()

    async def run(self) -> None:
        threads = await self.client.nthreads()
        self.workers = frozenset(threads)
        self.window = max(2, 2 * sum(threads.values()))
        self._check_new_workers()
        watchdog = asyncio.create_task(self._watch())
        try:
            self._fill()
            while self.outstanding or self.parked or (self.pending and not self.session.stopping):
                what, key, value = await self.queue.get()
                if what == "lost":
                    self.session._emit("lost", {"message": value})
                    return
                items, _, _ = self.outstanding.pop(key, ((), None, None))
                if what == "done":
                    self.session._emit("chunk", value)
                elif self.client.status != "running":
                    # Dask cancels every future when it loses the scheduler: nothing more will report.
                    self.session.scheduler_gone = True
                    self.session._emit("lost", {"message": "Lost the Dask scheduler; run again to resume."})
                    return
                elif _is_refusal(value):
                    self._refused(value.worker, value.label, value.reason)
                    self._send(items)
                else:
                    first_line = (str(value).strip().splitlines() or [""])[0]
                    error = f"{type(value).__name__}: {first_line}"
                    self.session._emit("chunk_failed", {"rows": len(items), "error": error})
                self._fill()
        finally:
            watchdog.cancel()
            for _, _, task in self.outstanding.values():
                task.cancel()
            for check in self.checks:
                check.cancel()

    def _fill(self) -> None:
        if self.session.stopping:
            self.parked.clear()
            return
        while self.pending and len(self.outstanding) + len(self.parked) < self.window:
            self._send(self.pending.pop())

    def _send(self, items: Sequence[WorkItem]) -> None:
        """Submit a chunk (only to usable workers once any was refused), or park it until one is."""
        if self.session.stopping:
            return
        restriction = None
        if self.refused:
            restriction = self.usable
            if not restriction:
                self.parked.append(items)
                return
        plugin, topic, semaphore = self.names
        key = f"sume-chunk-{self.session.run_id}-{self.submitted}"
        self.submitted += 1
        spec = self.session.spec(key, plugin, topic, semaphore, items)
        from ._dask_worker import run_chunk

        where = {} if restriction is None else {"workers": sorted(restriction), "allow_other_workers": False}
        future = self.client.submit(run_chunk, spec, key=key, pure=False, **where)
        self.outstanding[key] = (items, restriction, asyncio.create_task(self._await(key, future)))

    async def _await(self, key: str, future: Any) -> None:
        try:
            result = await future
        except Exception as exc:
            await self.queue.put(("failed", key, exc))
        else:
            await self.queue.put(("done", key, result))
        finally:
            with contextlib.suppress(Exception):
                future.release()

    def _refused(self, worker: str, label: str, reason: str) -> None:
        if worker not in self.refused:
            logger.warning("Dask worker %s is refused for this batch: %s", label, reason)
        self.refused[worker] = f"worker {label}: {reason}"

    def describe_refusals(self) -> str:
        if not self.refused:
            return ""
        return " Refused: " + "; ".join(sorted(self.refused.values())) + "."

    async def _watch(self) -> None:
        """Every tick, ask the scheduler for its workers; resend what waits on no live worker."""
        loop = asyncio.get_running_loop()
        tick = min(1.0, self.timeout / 4)
        seen_scheduler = seen_usable = loop.time()
        while True:
            await asyncio.sleep(tick)
            try:
                async with asyncio.timeout(max(tick, 5.0)):
                    workers = frozenset((await self.client.nthreads()).keys())
            except Exception:
                if loop.time() - seen_scheduler > self.timeout:
                    self.session.scheduler_gone = True
                    await self.queue.put(
                        (
                            "lost",
                            "",
                            f"Lost the Dask scheduler for more than {self.timeout:g} s; run again to resume.",
                        )
                    )
                    return
                continue
            seen_scheduler = loop.time()
            self.workers = workers
            self._check_new_workers()
            if self.usable:
                seen_usable = loop.time()
                self._resend()
            elif loop.time() - seen_usable > self.timeout:
                message = (
                    f"No usable Dask worker for more than {self.timeout:g} s; run again to resume."
                    + self.describe_refusals()
                )
                await self.queue.put(("lost", "", message))
                return

    def _check_new_workers(self) -> None:
        """Check, in the background, each worker not yet checked in this run (those there at the start
        and those that join): chunks landing there first check the worker themselves anyway."""
        new = sorted(self.workers - self.probed - self.refused.keys())
        if new:
            self.probed.update(new)
            check = asyncio.create_task(self._check(new))
            self.checks.add(check)
            check.add_done_callback(self.checks.discard)

    async def _check(self, workers: list[str]) -> None:
        """Refuse the workers whose installed ``sume-async`` differs (asked by code sent by value, so
        a version older than the workers' own check is caught too), then ask the others for their
        verdict on the run (their key's workspace), as a chunk would."""
        from .._version import __version__
        from ._dask_worker import check_worker

        with contextlib.suppress(Exception):
            async with asyncio.timeout(_CHECK_TIMEOUT):
                answers = await self.client.run(_version_probe(), workers=workers, on_error="return")
            for address, answer in answers.items():
                if isinstance(answer, tuple) and len(answer) == 2 and answer[0] != __version__:
                    version, name = answer
                    label = address if not name or name == address else f"{address} ({name})"
                    reason = f"it runs sume-async {version}, the driver {__version__}: install the same version"
                    self._refused(address, label, reason)
            rest = [address for address in workers if address not in self.refused]
            if not rest:
                return
            plugin, topic, semaphore = self.names
            spec = self.session.spec(f"sume-check-{self.session.run_id}", plugin, topic, semaphore, ())
            async with asyncio.timeout(_CHECK_TIMEOUT):
                verdicts = await self.client.run(check_worker, spec, workers=rest, on_error="return")
            for address, answer in verdicts.items():
                if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], str):
                    self._refused(address, str(answer[1]), answer[0])

    def _resend(self) -> None:
        """Send parked chunks, and chunks restricted to workers that are all gone, to usable workers."""
        parked, self.parked = self.parked, []
        for items in parked:
            self._send(items)
        for key, (items, restriction, task) in list(self.outstanding.items()):
            if restriction is not None and not restriction & self.workers:
                del self.outstanding[key]
                task.cancel()  # releases the future: no live worker can have started it
                self._send(items)


def _is_refusal(exc: BaseException) -> bool:
    from ._dask_worker import WorkerRefused

    return isinstance(exc, WorkerRefused)


def _version_probe() -> Callable[..., tuple[str, str]]:
    """A function for ``client.run`` that says a worker's ``sume-async`` version and its name.

    Defined inside a function, so it travels by value and runs whatever the worker has installed.
    """

    def probe(dask_worker: Any) -> tuple[str, str]:
        try:
            import sume_async

            version = str(getattr(sume_async, "__version__", "unknown"))
        except ImportError:
            version = "none (not installed)"
        return version, str(dask_worker.name)

    return probe


def _tidy_scheduler(topic: str, *, mine: bool) -> Callable[..., list[str]]:
    """A function for ``run_on_scheduler`` that removes the event topics and semaphores of runs
    whose driver is gone (a crashed run's, and what its orphaned chunks still logged), and with
    ``mine`` this run's own (at its end).

    Defined inside a function, so it travels by value: the scheduler needs no ``sume-async``.
    """

    def tidy(dask_scheduler: Any) -> list[str]:
        prefix = topic.split(".", 1)[0] + "."
        alive = set(dask_scheduler.clients)
        semaphores = dask_scheduler.extensions.get("semaphores")
        broker = getattr(dask_scheduler, "_broker", None)  # distributed >= 2023.9 keeps topics there
        topics = getattr(broker, "_topics", None)
        if topics is None:
            topics = getattr(dask_scheduler, "events", {})
        names = set(topics)
        if semaphores is not None:
            names |= set(semaphores.max_leases)
        removed = []
        for name in sorted(names):
            parts = name.split(".")
            if not name.startswith(prefix) or len(parts) < 3:
                continue
            run_topic = ".".join(parts[:3])
            if (mine and run_topic == topic) or (parts[2] not in alive and run_topic != topic):
                topics.pop(name, None)
                if semaphores is not None and name in semaphores.max_leases:
                    semaphores.close(name=name)
                removed.append(name)
        return removed

    return tidy


async def _quietly(step: Callable[..., Any], *args: Any) -> None:
    """Run one clean-up step, bounded in time; a step that fails or hangs (a scheduler gone) is skipped."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(_CLEANUP_TIMEOUT):
            result = step(*args)
            if hasattr(result, "__await__"):
                await result


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
