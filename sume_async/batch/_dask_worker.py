"""The worker side of the Dask engine: stateless chunk tasks on the workers' event loops.

Everything here runs inside a Dask worker process (``distributed`` runs ``async def`` tasks on
the worker's asyncio loop). A worker holds no batch state: the driver owns the journal, and a
chunk task gets plain data (work items with their deterministic idempotency keys and any job
ids already journaled) and returns plain data (one outcome per row, and why it stopped early).

- **No secret in the task graph.** Each worker process builds one ``AsyncSume`` from its own
  environment (``SUME_API_KEY`` by default) in :class:`SumeWorkerPlugin`; the plugin object
  the driver registers carries only :class:`ClientSettings` (base URL, timeouts, poll policy),
  and every chunk on that worker shares the one client (one connection pool, one poll gate).
- **Job ids reach the driver as they are created**, through Dask's structured events
  (``Worker.log_event`` -> ``Client.subscribe_topic``), not when the chunk ends. An event
  lost with a dying worker costs nothing: Dask runs the chunk again elsewhere, the
  deterministic keys make the server answer each create with the job it already made (no
  new charge), and the driver de-duplicates.
- **The workspace's limit holds across the cluster**: :class:`DaskPacer` takes one lease of a
  ``distributed.Semaphore`` per job in flight.
- Private media URLs (outputs, uploaded sources) travel only in task results and arguments,
  never in events (the scheduler keeps events in memory for anyone to read); the reprs of
  work items hide them, as Dask logs a failed task's arguments.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import anyio
import attrs
import distributed
from distributed import WorkerPlugin, get_worker
from distributed.worker import Worker

from .._client import DEFAULT_MAX_POLLS_PER_SECOND, AsyncSume
from .._options import NOT_GIVEN, NotGiven
from .._version import __version__
from .._waiting import PollPolicy
from ._pacing import RateLimitGate
from ._runner import DownloadOptions, RowOutcome, WorkItem, run_items

__all__ = ["ChunkSpec", "ClientSettings", "DaskPacer", "SumeWorkerPlugin", "run_chunk"]

#: ``distributed``'s coordination primitives are untyped: one ``Any`` handle keeps that in one place.
_dask: Any = distributed

#: Seconds between checks that a chunk waiting for a lease is still wanted.
LEASE_POLL = 1.0

#: Event kinds a chunk sends to the driver while it runs.
CREATED, FINISHED = "created", "finished"


@attrs.frozen
class ClientSettings:
    """What a worker needs to build its ``AsyncSume``: everything but the key.

    ``api_key_env`` names the environment variable the worker reads the key from; the value
    never leaves the worker's process.
    """

    base_url: str
    auth: str = "bearer"
    api_key_env: str = "SUME_API_KEY"
    timeout: float | None = 60.0
    max_retries: int = 2
    max_concurrent_requests: int = 64
    max_concurrent_polls: int = 32
    max_polls_per_second: float | None = DEFAULT_MAX_POLLS_PER_SECOND
    poll_policy: PollPolicy | None = None

    @property
    def plugin_name(self) -> str:
        """One plugin (hence one client) per distinct settings and SDK version on a worker."""
        material = json.dumps([__version__, *attrs.astuple(self)], separators=(",", ":"), default=str)
        return "sume-async-" + hashlib.sha256(material.encode()).hexdigest()[:16]

    def build(self) -> AsyncSume:
        key = os.environ.get(self.api_key_env)
        if not key:
            raise RuntimeError(f"{self.api_key_env} is not set in this Dask worker's environment")
        return AsyncSume(
            api_key=key,
            base_url=self.base_url,
            auth="x-api-key" if self.auth == "x-api-key" else "bearer",
            timeout=self.timeout,
            max_retries=self.max_retries,
            max_concurrent_requests=self.max_concurrent_requests,
            max_concurrent_polls=self.max_concurrent_polls,
            max_polls_per_second=self.max_polls_per_second,
            poll_policy=self.poll_policy,
        )


class DaskPacer:
    """The batch's :class:`~sume_async.batch.Pacer` on a cluster: a ``distributed.Semaphore``
    lease per job in flight, so the workspace's limit holds across every worker.

    Rows of one worker queue behind a local lock, so a worker keeps at most one acquire
    waiting at the scheduler however many rows it holds. A row of ``n`` jobs (Face Swap
    avatars) takes its leases one by one, at most the limit (a row bigger than the limit runs
    alone, as in one process). The leases of a worker that dies come back after
    ``distributed.scheduler.locks.lease-timeout`` (30 s by default).
    """

    def __init__(self, semaphore: Any, limit: int) -> None:
        self.semaphore = semaphore
        self.limit = limit
        self._queue = anyio.Lock()

    async def acquire(self, n: int, *, wanted: Callable[[], bool] | None = None) -> None:
        """Take ``n`` leases (at most the limit). While waiting, ``wanted()`` is asked every
        :data:`LEASE_POLL` seconds; once it says no, the leases taken are given back and
        :class:`Abandoned` is raised."""
        taken = 0
        try:
            async with self._queue:
                while taken < min(n, self.limit):
                    if await self.semaphore.acquire(timeout=LEASE_POLL):
                        taken += 1
                    elif wanted is not None and not wanted():
                        raise Abandoned
        except BaseException:
            await self.release(taken)
            raise

    async def release(self, n: int) -> None:
        with anyio.CancelScope(shield=True):
            for _ in range(min(n, self.limit)):
                await self.semaphore.release()


class SumeWorkerPlugin(WorkerPlugin):
    """Gives a worker process one ``AsyncSume``, opened at setup and closed at teardown.

    The driver registers it (the pickled plugin carries :class:`ClientSettings` and the SDK
    version, never a key); workers that join or restart later get it too. Setup fails, and
    the driver's registration with it, when the key is missing or the versions differ.
    """

    idempotent = True  # another batch with the same settings reuses the worker's client

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.name = settings.plugin_name
        self.version = __version__
        self.client: AsyncSume | None = None
        self.runs: dict[str, _RunOnWorker] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]
        self.version = state["version"]

    async def setup(self, worker: Worker) -> None:
        if self.version != __version__:
            raise RuntimeError(f"the driver runs sume-async {self.version}, this worker {__version__}")
        self.client = self.settings.build()

    async def teardown(self, worker: Worker) -> None:
        for run in self.runs.values():
            run.pacer.semaphore.refresh_callback.stop()
        self.runs.clear()
        client, self.client = self.client, None
        if client is not None:
            await client.close()

    @contextlib.contextmanager
    def run(self, spec: ChunkSpec) -> Iterator[_RunOnWorker]:
        """What the chunks of one run share on this worker: the pacer on the run's cluster-wide
        semaphore (one periodic callback refreshes its leases, one lock queues its rows) and its
        429 pause. Dropped when the worker's last chunk of the run ends (no lease is held then)."""
        run = self.runs.get(spec.semaphore)
        if run is None:
            semaphore = _dask.Semaphore(max_leases=spec.max_in_flight, name=spec.semaphore)
            run = self.runs[spec.semaphore] = _RunOnWorker(DaskPacer(semaphore, spec.max_in_flight), RateLimitGate())
        run.chunks += 1
        try:
            yield run
        finally:
            run.chunks -= 1
            if not run.chunks and self.runs.get(spec.semaphore) is run:
                del self.runs[spec.semaphore]
                run.pacer.semaphore.refresh_callback.stop()


@attrs.define
class _RunOnWorker:
    pacer: DaskPacer
    gate: RateLimitGate
    chunks: int = 0


@attrs.frozen
class ChunkSpec:
    """A chunk task's whole input: plain data (Dask's dashboard and logs show it)."""

    run_id: str
    task_key: str
    plugin: str
    topic: str
    semaphore: str
    max_in_flight: int
    items: Sequence[WorkItem]
    download: DownloadOptions | None = None
    wait_timeout: float | NotGiven | None = NOT_GIVEN


class _EventReporter:
    """The runner's reporter on a worker: job ids go to the driver at once, outcomes with the result."""

    def __init__(self, worker: Worker, spec: ChunkSpec) -> None:
        self.worker = worker
        self.spec = spec
        self.outcomes: list[dict[str, Any]] = []

    def emit(self, kind: str, **fields: Any) -> None:
        self.worker.log_event(self.spec.topic, {"event": kind, "run": self.spec.run_id, **fields})

    async def uploaded(self, sha256: str, media_url: str) -> None:
        # The driver uploads every source before dispatch; a worker only gets here for an
        # item without one, and the upload is then the worker's own (journaled on its result).
        self.outcomes.append({"uploaded": {"sha256": sha256, "media_url": media_url}})

    async def created(self, row_id: str, job_ids: Sequence[str]) -> None:
        self.emit(CREATED, row=row_id, job_ids=list(job_ids))

    async def finished(self, outcome: RowOutcome) -> None:
        self.outcomes.append({"outcome": outcome.to_dict()})
        self.emit(FINISHED, row=outcome.row_id, status=outcome.status, jobs=len(outcome.job_ids))


def _still_wanted(worker: Worker, key: str) -> bool:
    """False once the scheduler has released this chunk (its driver is gone, or it was cancelled).

    Dask lets a running ``async`` task finish even when nobody wants its result any more; a
    chunk stops creating instead, so a dead driver does not keep spending credits.
    """
    task = worker.state.tasks.get(key)
    return task is None or task.state not in ("cancelled", "released", "forgotten")


class _ChunkPacer:
    """The cluster pacer as one chunk uses it: a chunk nobody wants any more creates nothing new."""

    def __init__(self, pacer: DaskPacer, worker: Worker, key: str) -> None:
        self._pacer = pacer
        self._worker = worker
        self._key = key
        self.abandoned = False

    def wanted(self) -> bool:
        self.abandoned = self.abandoned or not _still_wanted(self._worker, self._key)
        return not self.abandoned

    async def acquire(self, n: int) -> None:
        if not self.wanted():
            raise Abandoned
        await self._pacer.acquire(n, wanted=self.wanted)

    async def release(self, n: int) -> None:
        await self._pacer.release(n)


class Abandoned(Exception):
    """The chunk's driver is gone (or cancelled it): stop creating."""


async def run_chunk(spec: ChunkSpec) -> dict[str, Any]:
    """The Dask task: run the chunk's items with the batch runner on this worker's client.

    Returns ``{"outcomes": [...], "uploaded": [...], "stopped": {"reason", "message"} | None}``.
    """
    worker = get_worker()
    plugin = worker.plugins.get(spec.plugin)
    if not isinstance(plugin, SumeWorkerPlugin) or plugin.client is None:
        raise RuntimeError("this Dask worker has no Sume client (see the worker's log for the plugin's setup error)")
    reporter = _EventReporter(worker, spec)
    stopped = None
    with plugin.run(spec) as shared:
        pacer = _ChunkPacer(shared.pacer, worker, spec.task_key)
        try:
            stopped = await run_items(
                plugin.client,
                spec.items,
                reporter,
                pacer=pacer,
                gate=shared.gate,
                download=spec.download,
                wait_timeout=spec.wait_timeout,
            )
        except* Abandoned:
            pass
    outcomes = [entry["outcome"] for entry in reporter.outcomes if "outcome" in entry]
    uploaded = [entry["uploaded"] for entry in reporter.outcomes if "uploaded" in entry]
    end = None if stopped is None else {"reason": stopped.reason, "message": stopped.message}
    if pacer.abandoned and end is None:
        end = {"reason": "abandoned", "message": "The driver went away; nothing more was created."}
    return {"outcomes": outcomes, "uploaded": uploaded, "stopped": end}
