"""The batch runner: work items in, one outcome per row out, in completion order.

This module knows nothing of the journal: what it learns goes to a :class:`Reporter`
(``uploaded``, ``created``, ``finished``), awaited before the runner goes on, so the
caller can make it durable first. A single process passes the journal-backed reporter of
:class:`~sume_async.batch.Batch`; a distributed engine runs :func:`run_items` on its
workers with a reporter that ships each event back to the driver, which owns the journal.

Per item: upload a face swap ``source`` once per content hash, create with the item's
deterministic ``Idempotency-Key`` (or skip the create when job ids are already known),
report the job ids, wait, fetch the result, download the outputs if asked, report the
outcome. Pacing and stop rules:

- at most ``pacer``'s limit of unfinished jobs; a 429 that outlived the client's retries
  pauses every create (:class:`RateLimitGate`);
- 402 stops creating; rows already created are still waited for; the run ends resumable;
- 401/403 stop everything at once (resumable once the key is fixed);
- a network or 5xx failure of a create leaves its row pending (the same key is sent next
  time, so the job, if it was made, is found again) and the run ends resumable.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import anyio
import anyio.to_thread
import attrs

from .._client import AsyncSume
from .._download import outputs_of
from .._error_kinds import disposition
from .._errors import (
    APIResponseValidationError,
    APIStatusError,
    ClientClosedError,
    DownloadError,
    InsufficientCreditsError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    RateLimitError,
    SumeError,
)
from .._generated.models import Job, JobWithResult
from .._options import NOT_GIVEN, NotGiven
from ._pacing import LocalPacer, Pacer, RateLimitGate
from ._rows import KINDS, Row

__all__ = [
    "DownloadOptions",
    "OutputFile",
    "Progress",
    "Reporter",
    "RowOutcome",
    "RunEnd",
    "WorkItem",
    "file_sha256",
    "leaves",
    "one_error",
    "run_items",
]

#: Rate-limited creates of one row before the run stops (resumable).
MAX_RATE_LIMITED = 8
#: Network/5xx failures of one row's create (after the client's own retries) before it is left pending.
MAX_TRANSIENT = 3

STOP_CREDITS = "insufficient_credits"
STOP_AUTH = "unauthorized"
STOP_RATE = "rate_limited"
STOP_UNAVAILABLE = "unavailable"
STOP_TIMEOUT = "wait_timeout"
STOP_DOWNLOAD = "download_failed"


@attrs.frozen
class WorkItem:
    """A row ready to run: its key, and what a previous run already learned.

    ``job_ids`` known: wait for them, no create (unless ``retry_key`` is set and they all
    failed). ``media_url``: the face swap source is already uploaded. ``source_sha256``: the
    content hash of the row's local ``source``.
    """

    row: Row
    idempotency_key: str
    job_ids: tuple[str, ...] = ()
    media_url: str | None = attrs.field(default=None, repr=False)
    source_sha256: str | None = None
    #: retry-failed: the key of the row's new attempt, used only once its earlier jobs (``job_ids``)
    #: are known to have failed; a job that may have completed is never paid for again.
    retry_key: str | None = None


@attrs.frozen
class OutputFile:
    """One output of a finished row: its URL (a private media URL: keep it out of logs), type and local file.

    ``path`` and ``bytes``: where the run downloaded it, and its size then (``None`` when it was
    not downloaded). A rerun with downloads trusts the file only if it is still that size.
    """

    job_id: str
    url: str = attrs.field(repr=False)
    content_type: str | None
    path: str | None = None
    bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id, "url": self.url, "content_type": self.content_type, "path": self.path,
            "bytes": self.bytes,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputFile:
        size = data.get("bytes")
        return cls(
            str(data["job_id"]), str(data["url"]), data.get("content_type"), data.get("path"),
            size if type(size) is int else None,
        )  # fmt: skip


@attrs.frozen
class RowOutcome:
    """How a row ended: ``completed`` (with outputs) or ``failed`` (with the error's code and message).

    ``from_journal`` is true for rows a previous run had already finished.
    """

    row_id: str
    kind: str
    status: str
    job_ids: tuple[str, ...]
    outputs: tuple[OutputFile, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    from_journal: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def to_dict(self) -> dict[str, Any]:
        """The row as a results line: id, kind, job ids, status, outputs, error code and message."""
        return {
            "id": self.row_id,
            "kind": self.kind,
            "job_ids": list(self.job_ids),
            "status": self.status,
            "outputs": [o.to_dict() for o in self.outputs],
            "error": None if self.error_code is None else {"code": self.error_code, "message": self.error_message},
        }


@attrs.define
class Progress:
    """Counts for a UI; a fresh copy is handed to ``on_progress`` on every change.

    ``created`` counts jobs created in this run, ``running`` jobs not yet finished,
    ``completed``/``failed`` rows (including ``skipped`` rows a previous run finished),
    ``downloaded`` files, ``credits_charged`` the workspace balance spent during the run
    (known at the end, ``None`` when the API does not report balances).
    """

    total: int = 0
    skipped: int = 0
    created: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    downloaded: int = 0
    credits_charged: int | None = None

    @property
    def pending(self) -> int:
        return max(0, self.total - self.completed - self.failed)


@attrs.frozen
class RunEnd:
    """Why a run stopped before every row finished (``None`` from :func:`run_items` when nothing stopped it)."""

    reason: str
    message: str


@attrs.frozen
class DownloadOptions:
    """Where and how the outputs of finished rows are downloaded."""

    dest_dir: Path
    max_bytes: int | None = None
    max_concurrency: int = 4


class Reporter(Protocol):
    """Receives what the runner learns, and makes it durable before returning."""

    async def uploaded(self, sha256: str, media_url: str) -> None: ...
    async def created(self, row_id: str, job_ids: Sequence[str]) -> None: ...
    async def finished(self, outcome: RowOutcome) -> None: ...


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in chunks (call it in a worker thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class _Stop(Exception):
    """Ends one row's processing because the whole run is stopping."""


class _Run:
    def __init__(
        self,
        client: AsyncSume,
        reporter: Reporter,
        *,
        pacer: Pacer,
        gate: RateLimitGate,
        download: DownloadOptions | None,
        progress: Progress,
        on_progress: Callable[[Progress], object] | None,
        base_dir: Path | None,
        wait_timeout: float | NotGiven | None,
    ) -> None:
        self.client = client
        self.reporter = reporter
        self.pacer = pacer
        self.gate = gate
        self.download = download
        self.progress = progress
        self.on_progress = on_progress
        self.base_dir = base_dir
        self.wait_timeout = wait_timeout
        self.stopped: RunEnd | None = None
        self.scope = anyio.CancelScope()
        self.uploads: dict[str, anyio.Event] = {}
        self.media_urls: dict[str, str] = {}
        self.refused_sources: dict[str, SumeError] = {}
        self.download_slots = anyio.CapacityLimiter(download.max_concurrency if download else 1)

    def changed(self) -> None:
        if self.on_progress is not None:
            self.on_progress(attrs.evolve(self.progress))

    def stop(self, reason: str, message: str, *, at_once: bool = False) -> None:
        if self.stopped is None or at_once:
            self.stopped = RunEnd(reason, message)
        if at_once:
            self.scope.cancel()

    async def run(self, items: Iterable[WorkItem] | AsyncIterable[WorkItem]) -> None:
        with self.scope:
            async with anyio.create_task_group() as tg:
                async for item in _each(items):
                    if self.stopped is not None:
                        break
                    n = len(item.job_ids) or item.row.jobs
                    await self.pacer.acquire(n)
                    if self.stopped is not None:
                        await self.pacer.release(n)
                        break
                    tg.start_soon(self.item, item, n)

    async def item(self, item: WorkItem, slots: int) -> None:
        row = item.row
        running = 0
        finished: list[Job | SumeError] | None = None
        try:
            job_ids = item.job_ids or await self.create(item)
            running = len(job_ids)
            self.progress.running += running
            self.changed()
            finished = await self.wait(job_ids)
            if item.retry_key is not None and item.job_ids and _all_failed(finished):
                # retry-failed: the earlier jobs are known to have failed, so a new attempt may be paid for.
                self.progress.running -= running
                running = 0
                job_ids = await self.create(attrs.evolve(item, idempotency_key=item.retry_key, job_ids=()))
                running = len(job_ids)
                self.progress.running += running
                finished = await self.wait(job_ids)
        except _Stop:
            return
        finally:
            # The jobs are terminal (or given up on): let the next create go while this row downloads.
            with anyio.CancelScope(shield=True):
                self.progress.running -= running
                await self.pacer.release(slots)
        try:
            outcome = await self.outcome(row, job_ids, finished)
        except _Stop:
            return
        if outcome is None:
            return
        await self.reporter.finished(outcome)
        if outcome.ok:
            self.progress.completed += 1
        else:
            self.progress.failed += 1
        self.changed()

    async def wait(self, job_ids: tuple[str, ...]) -> list[Job | SumeError]:
        """Wait for the jobs; an answer that is not about the job (a glitch) is waited through a few times."""
        timeout = self.wait_timeout
        for attempt in range(1, MAX_TRANSIENT + 1):
            finished = await self.client.jobs.wait_all(list(job_ids), timeout=timeout, return_exceptions=True)
            if attempt == MAX_TRANSIENT or not any(_glitch(done) for done in finished):
                return finished
            await anyio.sleep(self.client.retry_policy.delay(attempt))
        raise AssertionError("unreachable")

    # -- create ------------------------------------------------------------------------------

    async def create(self, item: WorkItem) -> tuple[str, ...]:
        row = item.row
        kind = KINDS[row.kind]
        params = dict(row.params)
        source = kind.local_source
        if source is not None and source.param in params:
            params.pop(source.param)
            params[source.field] = item.media_url or await self.upload_source(item, source.purpose)
        method = kind.method(self.client)
        limited = transient = 0
        while True:
            await self.gate.wait()
            if self.stopped is not None:
                raise _Stop
            try:
                created = await method(**params, idempotency_key=item.idempotency_key)
            except RateLimitError as exc:
                limited += 1
                if limited >= MAX_RATE_LIMITED:
                    self.stop(STOP_RATE, "Sume kept answering 429 (rate limited); run again later to resume.")
                    raise _Stop from None
                self.gate.limited(exc.retry_after)
                continue
            except ClientClosedError:
                raise
            except SumeError as exc:
                if _verdict(exc):
                    await self.fail_before_create(row, exc)
                    raise _Stop from None
                self.account_stop(exc)
                # The job may exist: never give up on this key by failing the row.
                transient += 1
                if transient >= MAX_TRANSIENT:
                    self.stop(STOP_UNAVAILABLE, f"Creates kept failing ({type(exc).__name__}); run again to resume.")
                    raise _Stop from None
                await anyio.sleep(self.client.retry_policy.delay(transient))
                continue
            self.gate.succeeded()
            jobs: list[Job] = created if isinstance(created, list) else [created]
            job_ids = tuple(job.id for job in jobs)
            await self.reporter.created(row.id, job_ids)
            self.progress.created += len(job_ids)
            return job_ids

    def account_stop(self, exc: SumeError) -> None:
        """Stop the run for an account-level answer (key refused, out of credits); ``_Stop`` if so."""
        if not disposition(exc).stops_batch:
            return
        if isinstance(exc, InsufficientCreditsError):
            self.stop(STOP_CREDITS, "Out of credits: creating stopped. Add credits and run again to resume.")
            raise _Stop from None
        status = f" ({exc.status_code} {exc.code})" if isinstance(exc, APIStatusError) else ""
        self.stop(STOP_AUTH, f"Sume refused the API key{status}; nothing more was sent.", at_once=True)
        raise _Stop from None

    async def fail_before_create(self, row: Row, exc: SumeError) -> None:
        code, message = _error_fields(exc)
        await self.reporter.finished(RowOutcome(row.id, row.kind, "failed", (), (), code, message))
        self.progress.failed += 1
        self.changed()

    async def upload_source(self, item: WorkItem, purpose: Any) -> str:
        """Upload the row's local file once per content hash; later rows with the same file reuse it.

        A source the API refuses (a verdict, such as a 422) fails every row using that file, and
        only those; anything else (network, 5xx) leaves the rows pending and stops the run, resumable.
        """
        path = item.row.source_path(self.base_dir)
        assert path is not None
        sha = item.source_sha256
        try:
            if sha is None:
                sha = await anyio.to_thread.run_sync(file_sha256, path)
            while sha not in self.media_urls:
                if sha in self.refused_sources:
                    raise self.refused_sources[sha]
                event = self.uploads.get(sha)
                if event is not None:
                    await event.wait()
                    continue
                self.uploads[sha] = event = anyio.Event()
                try:
                    uploaded = await self.client.uploads.upload(path, purpose=purpose)
                    if not uploaded.media_url:
                        raise APIResponseValidationError("The upload carries no media_url")
                    await self.reporter.uploaded(sha, uploaded.media_url)
                    self.media_urls[sha] = uploaded.media_url
                except SumeError as exc:
                    if _verdict(exc):
                        self.refused_sources[sha] = exc
                    raise
                finally:
                    del self.uploads[sha]
                    event.set()
        except OSError as exc:
            await self.fail_before_create(item.row, InvalidInputError("params.source", _os_problem(exc)))
            raise _Stop from None
        except ClientClosedError:
            raise
        except SumeError as exc:
            if _verdict(exc):
                await self.fail_before_create(item.row, exc)
                raise _Stop from None
            self.account_stop(exc)
            self.stop(STOP_UNAVAILABLE, f"Uploading a source failed ({type(exc).__name__}); run again.")
            raise _Stop from None
        return self.media_urls[sha]

    # -- wait, result, download ----------------------------------------------------------------

    async def outcome(
        self, row: Row, job_ids: tuple[str, ...], finished: Sequence[Job | SumeError]
    ) -> RowOutcome | None:
        """The row's outcome, or ``None`` when it is left for a rerun (its jobs stay journaled by id).

        Only a verdict about a job (it ended failed, canceled or expired) fails the row; any other
        error of a poll or of the result (a glitch, a malformed answer, a timeout) leaves the row
        waiting by id: the job may have completed, and it is paid for.
        """
        failure: SumeError | None = None
        for done in finished:
            if isinstance(done, ClientClosedError):
                raise done
            if isinstance(done, JobTimeoutError):
                self.stop(STOP_TIMEOUT, "Some jobs did not finish in time; run again to keep waiting.")
                return None
            if isinstance(done, SumeError) and not isinstance(done, JobFailedError):
                self.leave_for_rerun(done, "Waiting for jobs")
                return None
            if isinstance(done, JobFailedError) and failure is None:
                failure = done
        if failure is not None:
            code, message = _error_fields(failure)
            return RowOutcome(row.id, row.kind, "failed", job_ids, (), code, message)
        outputs: list[OutputFile] = []
        for job_id in job_ids:
            try:
                result = await self.result(job_id)
                files = await self.fetch(result)
            except JobFailedError as exc:
                code, message = _error_fields(exc)
                return RowOutcome(row.id, row.kind, "failed", job_ids, (), code, message)
            except DownloadError as exc:
                # The job is done and paid for: keep the row waiting by id, so a rerun only downloads.
                self.stop(STOP_DOWNLOAD, f"A download failed ({exc}); run again to resume (or without downloads).")
                return None
            except ClientClosedError:
                raise
            except SumeError as exc:
                self.leave_for_rerun(exc, "Fetching results")
                return None
            outputs.extend(files)
        return RowOutcome(row.id, row.kind, "completed", job_ids, tuple(outputs))

    def leave_for_rerun(self, exc: SumeError, doing: str) -> None:
        """The row's jobs stay journaled by id; the run stops creating and ends resumable."""
        try:
            self.account_stop(exc)
        except _Stop:
            return
        self.stop(STOP_UNAVAILABLE, f"{doing} failed ({type(exc).__name__}); run again to resume.")

    async def result(self, job_id: str) -> JobWithResult:
        """The job's result; an answer that is not about the job (a glitch) is asked again a few times."""
        for attempt in range(1, MAX_TRANSIENT + 1):
            try:
                return await self.client.jobs.result(job_id)
            except SumeError as exc:
                if attempt == MAX_TRANSIENT or not _glitch(exc):
                    raise
            await anyio.sleep(self.client.retry_policy.delay(attempt))
        raise AssertionError("unreachable")

    async def fetch(self, result: JobWithResult) -> list[OutputFile]:
        outputs = [OutputFile(result.id, url, content_type) for url, content_type in outputs_of(result)]
        if self.download is None or not outputs:
            return outputs
        async with self.download_slots:
            paths = await self.client.jobs.download(
                result,
                self.download.dest_dir,
                max_bytes=self.download.max_bytes,
                max_concurrency=self.download.max_concurrency,
            )
        self.progress.downloaded += len(paths)
        sizes = await anyio.to_thread.run_sync(_sizes, paths)
        return [attrs.evolve(o, path=str(p), bytes=n) for o, p, n in zip(outputs, paths, sizes, strict=True)]


def _sizes(paths: Sequence[Path]) -> list[int | None]:
    """Each file's size as downloaded (what a rerun checks the file against)."""
    found: list[int | None] = []
    for path in paths:
        try:
            found.append(path.stat().st_size)
        except OSError:
            found.append(None)
    return found


def _verdict(exc: BaseException) -> bool:
    """A final answer about this request or job: the row fails, the others go on (the one error mapping)."""
    return disposition(exc).verdict


def _glitch(done: object) -> bool:
    """An error that says nothing about the job nor the account: trying again may succeed."""
    if not isinstance(done, SumeError) or isinstance(done, JobTimeoutError | ClientClosedError):
        return False
    kind = disposition(done)
    return not kind.verdict and not kind.stops_batch


def _all_failed(finished: Sequence[Job | SumeError]) -> bool:
    return bool(finished) and all(isinstance(done, JobFailedError) for done in finished)


def _os_problem(exc: OSError) -> str:
    return f"cannot be read ({exc.strerror or type(exc).__name__})"


def _error_fields(exc: SumeError) -> tuple[str, str]:
    if isinstance(exc, JobFailedError):
        return exc.error_code or exc.status, exc.error_message or f"The job ended {exc.status}."
    if isinstance(exc, APIStatusError):
        return exc.code or f"http_{exc.status_code}", exc.message or str(exc)
    if isinstance(exc, InvalidInputError):
        return "invalid_input", str(exc)
    return type(exc).__name__, str(exc)


async def _each(items: Iterable[WorkItem] | AsyncIterable[WorkItem]) -> AsyncIterator[WorkItem]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


async def run_items(
    client: AsyncSume,
    items: Iterable[WorkItem] | AsyncIterable[WorkItem],
    reporter: Reporter,
    *,
    max_in_flight: int | None = None,
    pacer: Pacer | None = None,
    gate: RateLimitGate | None = None,
    download: DownloadOptions | None = None,
    progress: Progress | None = None,
    on_progress: Callable[[Progress], object] | None = None,
    base_dir: Path | None = None,
    wait_timeout: float | NotGiven | None = NOT_GIVEN,
) -> RunEnd | None:
    """Run ``items`` with ``client``, reporting to ``reporter``; the reason it stopped early, or ``None``.

    ``items`` may be an async iterable (read as the run goes: only the items in flight are held).

    The seam for distributed engines: give each worker its own ``AsyncSume`` and a reporter
    that forwards ``created`` to the driver as it happens, and pass a cluster-wide ``pacer``.
    Give either ``max_in_flight`` or ``pacer``. Cancelling the call stops creating at once;
    what was already reported stays reported.
    """
    if pacer is None:
        if max_in_flight is None:
            raise InvalidInputError("max_in_flight", "give max_in_flight or a pacer")
        pacer = LocalPacer(max_in_flight)
    run = _Run(
        client,
        reporter,
        pacer=pacer,
        gate=gate or RateLimitGate(),
        download=download,
        progress=progress or Progress(),
        on_progress=on_progress,
        base_dir=base_dir,
        wait_timeout=wait_timeout,
    )
    try:
        await run.run(items)
    except BaseExceptionGroup as group:
        raise one_error(group) from None
    return run.stopped


def leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    """The exceptions of a (nested) group, flattened."""
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


def one_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first ``SumeError`` of a group whose errors all are ``SumeError`` (a full disk fails every row
    writing at once: the caller gets that one typed error, not a nested group); else the group itself."""
    found = leaves(group)
    if found and all(isinstance(exc, SumeError) for exc in found):
        return found[0]
    return group
