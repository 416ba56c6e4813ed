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
- **Every worker proves its workspace, on every run.** Before its first create of a run, a worker
  asks Sume which workspace its key belongs to (``GET /me``) and compares an HMAC of that
  workspace id, keyed by the id and salted with the run's nonce, with the driver's (the id and
  the key never travel through the scheduler). A worker whose key is missing, refused or another
  workspace's, whose ``sume-async`` differs from the driver's, or that cannot reach Sume, raises
  :class:`WorkerRefused`: the driver stops sending that run's chunks to it and sends the chunk
  elsewhere; no row is lost or paid there.
- Private media URLs (outputs, uploaded sources) travel only in task results and arguments,
  never in events (the scheduler keeps events in memory for anyone to read); the reprs of
  work items hide them, as Dask logs a failed task's arguments.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import anyio
import attrs
import dask
import distributed
from distributed import WorkerPlugin, get_worker
from distributed.worker import Worker

from .._client import DEFAULT_MAX_POLLS_PER_SECOND, AsyncSume
from .._errors import APIStatusError, SumeError
from .._options import NOT_GIVEN, NotGiven
from .._version import __version__
from .._waiting import PollPolicy
from ._pacing import RateLimitGate
from ._runner import DownloadOptions, RowOutcome, WorkItem, run_items

__all__ = [
    "ChunkSpec",
    "ClientSettings",
    "DaskPacer",
    "SumeWorkerPlugin",
    "WorkerRefused",
    "check_worker",
    "lease_config",
    "run_chunk",
    "workspace_digest",
]

#: ``distributed``'s coordination primitives are untyped: one ``Any`` handle keeps that in one place.
_dask: Any = distributed

#: Seconds between checks that a chunk waiting for a lease is still wanted.
LEASE_POLL = 1.0

#: Event kinds a chunk sends to the driver while it runs.
CREATED, FINISHED = "created", "finished"

#: Runs whose verdicts a worker remembers (a run checks each worker once, not once per chunk).
_VERDICTS_KEPT = 32


def workspace_digest(workspace_id: str, nonce: str) -> str:
    """The run's proof of a workspace: HMAC-SHA256 of the run's nonce, keyed by the workspace id.

    The driver and each worker compute it on their own (each asks Sume for its key's workspace);
    only the nonce and the digest travel through the scheduler.
    """
    message = f"sume-async workspace check:{nonce}".encode()
    return hmac.new(workspace_id.encode(), message, hashlib.sha256).hexdigest()


def lease_config(lease_timeout: float) -> dict[str, str]:
    """The one lease setting, for the driver (which registers the semaphore, so the scheduler's
    timeout) and for the workers (how often they refresh: a fifth of it)."""
    return {"distributed.scheduler.locks.lease-timeout": f"{lease_timeout:g}s"}


class WorkerRefused(Exception):
    """This worker may not run the run's chunks (named, with why); the driver sends them elsewhere.

    ``worker`` is its address, ``label`` how messages name it (the address, and its name if it has one).
    """

    def __init__(self, worker: str, reason: str, label: str | None = None) -> None:
        self.worker = worker
        self.reason = reason
        self.label = label or worker
        super().__init__(f"worker {self.label}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (WorkerRefused, (self.worker, self.reason, self.label))


def _label(worker: Worker) -> str:
    name = str(worker.name)
    return worker.address if not name or name == worker.address else f"{worker.address} ({name})"


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
            raise _NoKey(f"{self.api_key_env} is not set in this Dask worker's environment")
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


class _NoKey(Exception):
    pass


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
    version, never a key); workers that join or restart later get it too. Setup never fails:
    a missing key is remembered, and every run's chunks check the worker again
    (:meth:`verdict`), since an idempotent plugin is set up once for every later run.
    """

    idempotent = True  # another batch with the same settings reuses the worker's client

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.name = settings.plugin_name
        self.version = __version__
        self.client: AsyncSume | None = None
        self.problem: str | None = None
        self.runs: dict[str, _RunOnWorker] = {}
        self.verdicts: dict[str, str | None] = {}
        self._checking: anyio.Lock | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self.settings, "version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]
        self.version = state["version"]

    async def setup(self, worker: Worker) -> None:
        try:
            self.client = self.settings.build()
        except _NoKey as exc:
            self.problem = str(exc)
        except Exception as exc:  # one worker's bad setup refuses that worker, never fails the run
            self.problem = f"its Sume client could not be set up ({type(exc).__name__})"

    async def teardown(self, worker: Worker) -> None:
        for run in self.runs.values():
            run.pacer.semaphore.refresh_callback.stop()
        self.runs.clear()
        client, self.client = self.client, None
        if client is not None:
            await client.close()

    async def verdict(self, spec: ChunkSpec) -> str | None:
        """Why this worker may not run ``spec``'s run (``None``: it may), decided once per run.

        The SDK versions must match, the key must be there, and Sume must say the key belongs
        to the driver's workspace (compared as :func:`workspace_digest`).
        """
        if spec.run_id in self.verdicts:
            return self.verdicts[spec.run_id]
        if self._checking is None:
            self._checking = anyio.Lock()
        async with self._checking:
            if spec.run_id not in self.verdicts:
                verdict = await self._check(spec)
                while len(self.verdicts) >= _VERDICTS_KEPT:
                    del self.verdicts[next(iter(self.verdicts))]
                self.verdicts[spec.run_id] = verdict
        return self.verdicts[spec.run_id]

    async def _check(self, spec: ChunkSpec) -> str | None:
        if spec.sdk_version != __version__:
            return f"it runs sume-async {__version__}, the driver {spec.sdk_version}: install the same version"
        if self.problem is not None or self.client is None:
            return self.problem or "it has no Sume client"
        try:
            me = await self.client.account.me()
        except APIStatusError as exc:
            if exc.status_code in (401, 403):
                return f"Sume refused its key ({exc.status_code})"
            return f"it cannot reach the Sume API (HTTP {exc.status_code})"
        except SumeError as exc:
            return f"it cannot reach the Sume API ({type(exc).__name__})"
        if me.workspace is None or not me.workspace.id:
            return "Sume named no workspace for its key"
        if not hmac.compare_digest(workspace_digest(me.workspace.id, spec.workspace_nonce), spec.workspace_digest):
            return f"its {self.settings.api_key_env} belongs to another workspace than the driver's key"
        return None

    @contextlib.contextmanager
    def run(self, spec: ChunkSpec) -> Iterator[_RunOnWorker]:
        """What the chunks of one run share on this worker: the pacer on the run's cluster-wide
        semaphore (one periodic callback refreshes its leases, one lock queues its rows) and its
        429 pause. Dropped when the worker's last chunk of the run ends (no lease is held then)."""
        run = self.runs.get(spec.semaphore)
        if run is None:
            with dask.config.set(lease_config(spec.lease_timeout)):  # refresh at the driver's pace
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
    sdk_version: str
    workspace_nonce: str
    workspace_digest: str = attrs.field(repr=False)
    lease_timeout: float = 30.0
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


async def check_worker(spec: ChunkSpec, dask_worker: Worker) -> tuple[str | None, str]:
    """Run by the driver on each worker as it first sees it (``client.run``): the worker's verdict
    for the run (why it is refused, or ``None``) and how to name it, before any chunk lands there."""
    plugin = dask_worker.plugins.get(spec.plugin)
    if not isinstance(plugin, SumeWorkerPlugin):
        return "it has no Sume client (the driver's worker plugin is not set up there)", _label(dask_worker)
    return await plugin.verdict(spec), _label(dask_worker)


async def run_chunk(spec: ChunkSpec) -> dict[str, Any]:
    """The Dask task: run the chunk's items with the batch runner on this worker's client.

    Returns ``{"outcomes": [...], "uploaded": [...], "stopped": {"reason", "message"} | None}``.
    """
    worker = get_worker()
    plugin = worker.plugins.get(spec.plugin)
    if not isinstance(plugin, SumeWorkerPlugin):
        reason = "it has no Sume client (the driver's worker plugin is not set up there)"
        raise WorkerRefused(worker.address, reason, _label(worker))
    refused = await plugin.verdict(spec)
    if refused is not None or plugin.client is None:
        raise WorkerRefused(worker.address, refused or "it has no Sume client", _label(worker))
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
    end = None
    if stopped is not None:
        end = {"reason": stopped.reason, "message": f"{stopped.message} (worker {_label(worker)})"}
    if pacer.abandoned and end is None:
        end = {"reason": "abandoned", "message": "The driver went away; nothing more was created."}
    return {"outcomes": outcomes, "uploaded": uploaded, "stopped": end}
