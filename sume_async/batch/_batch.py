"""``Batch``: the journal-backed driver around the runner (one process, crash-safe, resumable).

Planning happens before anything is sent: rows are checked, duplicate ids refused, each row's
fingerprint and key computed and compared with the journal. Finished rows are skipped, rows
with recorded job ids are waited for by id, the rest are created with their deterministic
key. A row whose parameters changed since it was journaled is refused unless
``recreate_changed=True`` (then it gets a new attempt, hence a new key).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import anyio
import anyio.lowlevel
import anyio.to_thread
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._client import AsyncSume
from .._errors import InvalidInputError, SumeError
from .._options import NOT_GIVEN, NotGiven
from . import _journal as journal_states
from ._check import RowChecker
from ._journal import Journal, JournalRow
from ._keys import KEY_PREFIX, fingerprint, idempotency_key
from ._rows import KINDS, Row, parse_row
from ._runner import (
    DownloadOptions,
    OutputFile,
    Progress,
    Reporter,
    RowOutcome,
    RunEnd,
    WorkItem,
    file_sha256,
    leaves,
    one_error,
    run_items,
)

__all__ = ["DEFAULT_MAX_IN_FLIGHT", "Batch", "BatchRun", "Engine", "ParamsChangedError", "deferred_items", "plan_rows"]

#: Unfinished jobs at once when neither the caller nor ``GET /credits`` says.
DEFAULT_MAX_IN_FLIGHT = 10


class ParamsChangedError(InvalidInputError):
    """Rows whose parameters differ from what the journal recorded for them (``row_ids``)."""

    def __init__(self, row_ids: Sequence[str]) -> None:
        shown = ", ".join(repr(r) for r in row_ids[:5]) + (f" and {len(row_ids) - 5} more" if len(row_ids) > 5 else "")
        super().__init__(
            "params",
            f"changed since the journal recorded row {shown}; refusing to create new jobs for them "
            "(opt in with recreate_changed=True / --recreate-changed)",
        )
        self.row_ids: tuple[str, ...] = tuple(row_ids)


@attrs.frozen
class Plan:
    """What a run will do: the work items in order, and how many rows a previous run finished.

    Finished rows are not held: the plan hands each to ``on_skipped`` as it reads it (a run
    reports its outcome from that read). ``damaged`` counts journal rows whose bytes could not
    be read (re-planned: their deterministic key finds any job they made). ``row_ids`` are the
    ids of every row given.
    """

    items: tuple[WorkItem, ...]
    skipped: int
    planned: int
    total: int
    damaged: int = 0
    row_ids: AbstractSet[str] = attrs.field(default=frozenset(), repr=False)
    #: ``defer_new``: rows new to the journal, journaled but not held in ``items``
    #: (:func:`deferred_items` reads them again); their positions start at ``first_new``.
    deferred: int = 0
    first_new: int = 0


def journaled_outcome(row: JournalRow) -> RowOutcome:
    """A finished journal row as a :class:`RowOutcome`."""
    outputs = tuple([OutputFile.from_dict(o) for o in row.outputs if _output_ok(o)])
    return RowOutcome(
        row.row_id, row.kind, row.status, row.job_ids, outputs, row.error_code, row.error_message, from_journal=True
    )


def _output_ok(output: Mapping[str, Any]) -> bool:
    """An output as the journal wrote it (``OutputFile.to_dict``): anything else is left out."""
    content_type, path = output.get("content_type"), output.get("path")
    return (
        type(output.get("job_id")) is str and type(output.get("url")) is str
        and (content_type is None or type(content_type) is str) and (path is None or type(path) is str)
    )  # fmt: skip


#: Rows planned per journal lookup.
PLAN_CHUNK = 2000


#: Called with each finished row a plan skips, as it is read (a run reports its outcome from it).
OnSkipped = Callable[[JournalRow], Awaitable[object]]


class _Planner:
    def __init__(
        self,
        journal: Journal,
        checker: RowChecker,
        base_dir: Path | None,
        recreate_changed: bool,
        retry_failed: bool,
        on_skipped: OnSkipped | None,
        download_dir: Path | None,
    ) -> None:
        self.journal = journal
        self.on_skipped = on_skipped
        self.download_dir = download_dir
        self.defer_new = False
        self.deferred = 0
        self.fresh_rows: list[JournalRow] = []
        self.check = checker
        self.base_dir = base_dir
        self.recreate_changed = recreate_changed
        self.retry_failed = retry_failed
        self.hashes: dict[Path, str] = {}
        self.uploads: dict[str, str] = {}
        self.items: list[WorkItem] = []
        self.new_rows: list[JournalRow] = []
        self.changed: list[str] = []
        self.skipped = self.damaged = 0
        self.next_position = 0

    async def source_hash(self, row: Row, label: str) -> str | None:
        path = row.source_path(self.base_dir)
        if path is None:
            return None
        try:
            return await _content_hash(path, self.hashes)
        except OSError:
            self.check.body(row, label)  # the checker's own verdict first, as the dry run gives it
            raise InvalidInputError(f"{label}.params.source", f"no such file: {path.name}") from None

    async def chunk(self, rows: Sequence[tuple[str, Row]]) -> None:
        """Plan one chunk: a single indexed lookup; only rows that will run are checked.

        A finished row whose fingerprint is unchanged is skipped, and handed to ``on_skipped``
        from this very read of it (a run reports it from here, not from a second pass).
        """
        known = await self.journal.lookup([row.id for _, row in rows])
        # retry-failed: a failed row is not finished business (it is given a new attempt).
        done = {journal_states.COMPLETED} if self.retry_failed else journal_states.FINISHED
        undownloaded: set[str] = set()
        if self.download_dir is not None:
            completed = [entry for entry in known.values() if entry.status == journal_states.COMPLETED]
            undownloaded = await anyio.to_thread.run_sync(_undownloaded, completed, self.download_dir)
        for label, row in rows:
            sha = await self.source_hash(row, label) if KINDS[row.kind].local_source is not None else None
            fp = fingerprint(row, sha)
            entry = known.get(row.id)
            if entry is not None and entry.status in done and not entry.damaged and entry.fingerprint == fp:
                if row.id in undownloaded:  # finished, paid for: only its files are fetched again
                    self.items.append(WorkItem(row, entry.idempotency_key, entry.job_ids, None, sha))
                    continue
                self.skipped += 1
                if self.on_skipped is not None:
                    await self.on_skipped(entry)
                continue
            self.check.body(row, label)  # synchronous: once per row, no coroutine
            self.plan(row, sha, fp, entry)
        if self.fresh_rows:
            await self.journal.plan(self.fresh_rows)
            self.fresh_rows = []

    def plan(self, row: Row, sha: str | None, fp: str, entry: JournalRow | None) -> None:
        media_url = self.uploads.get(sha) if sha is not None else None
        if entry is not None and entry.damaged:
            # Unreadable on disk: re-planned with its key as recorded (the server answers it with
            # any job it made), or the key of its first attempt when the key itself is unreadable.
            self.damaged += 1
            key = entry.idempotency_key
            if not _is_key(key):
                key = idempotency_key(self.journal.name, row.id, fp, 0)
            self.new_rows.append(self.journal_row(row, fp, entry.position, entry.attempt, key, ()))
            self.items.append(WorkItem(row, key, (), media_url, sha))
            return
        if entry is not None and entry.fingerprint != fp:
            if not self.recreate_changed:
                self.changed.append(row.id)
                return
            attempt = entry.attempt + 1
            key = idempotency_key(self.journal.name, row.id, fp, attempt)
            self.new_rows.append(self.journal_row(row, fp, entry.position, attempt, key, ()))
            self.items.append(WorkItem(row, key, (), media_url, sha))
            return
        if entry is None:
            key = idempotency_key(self.journal.name, row.id, fp, 0)
            if self.defer_new:  # journaled with its chunk, read again by `deferred_items`
                self.fresh_rows.append(self.journal_row(row, fp, -1, 0, key, ()))
                self.deferred += 1
                return
            self.new_rows.append(self.journal_row(row, fp, -1, 0, key, ()))
            self.items.append(WorkItem(row, key, (), media_url, sha))
            return
        if entry.status == journal_states.FAILED:  # retry_failed: a new attempt, paid only if needed
            attempt = entry.attempt + 1
            key = idempotency_key(self.journal.name, row.id, fp, attempt)
            # Its earlier jobs stay journaled: until they are known to have failed, no new job is paid for.
            self.new_rows.append(self.journal_row(row, fp, entry.position, attempt, key, entry.job_ids))
            self.items.append(WorkItem(row, entry.idempotency_key, entry.job_ids, media_url, sha, retry_key=key))
            return
        self.items.append(WorkItem(row, entry.idempotency_key, entry.job_ids, media_url, sha))

    def journal_row(
        self, row: Row, fp: str, position: int, attempt: int, key: str, job_ids: tuple[str, ...]
    ) -> JournalRow:
        if position < 0:
            position, self.next_position = self.next_position, self.next_position + 1
        status = journal_states.CREATED if job_ids else journal_states.PENDING
        return JournalRow(row.id, position, row.kind, fp, attempt, key, status, job_ids, (), None, None)


async def _content_hash(path: Path, hashes: dict[Path, str]) -> str:
    """A local source file's content hash, read once per path (in a worker thread); ``OSError`` if unreadable."""
    if path not in hashes:
        hashes[path] = await anyio.to_thread.run_sync(file_sha256, path)
    return hashes[path]


def _undownloaded(rows: Sequence[JournalRow], folder: Path) -> set[str]:
    """The completed rows whose outputs are not all in ``folder`` as they were downloaded.

    Known from the journal, one ``stat`` per output (the folder is never listed): a file is
    whole if it is there with the size it had when it was downloaded. A file of another size
    (cut short, or replaced) is ours, named after its job: it is removed, to be fetched again.
    """
    found: set[str] = set()
    for row in rows:
        for output in row.outputs:
            path, size = output.get("path"), output.get("bytes")
            if not isinstance(path, str) or not path:
                found.add(row.row_id)
                break
            here = folder / Path(path).name
            try:
                actual = here.stat().st_size
            except OSError:
                found.add(row.row_id)
                break
            if type(size) is int and actual != size:
                with contextlib.suppress(OSError):
                    here.unlink()
                found.add(row.row_id)
                break
    return found


def _is_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX) and len(value) == len(KEY_PREFIX) + 64 and value.isascii()


async def plan_rows(
    journal: Journal,
    rows: Iterable[Row | Mapping[str, Any]],
    *,
    base_dir: Path | None = None,
    recreate_changed: bool = False,
    retry_failed: bool = False,
    checker: RowChecker | None = None,
    on_skipped: OnSkipped | None = None,
    download_dir: Path | None = None,
    defer_new: bool = False,
) -> Plan:
    """Check ``rows`` against the journal and journal the new ones; nothing is sent to Sume.

    Rows are read once, in chunks: each chunk is looked up in the journal with one indexed query
    and compared by the stored fingerprint (a canonical hash of the parameters). Finished rows
    are skipped without being checked or held, each handed to ``on_skipped`` as it is read
    (with ``download_dir``: unless its outputs are not all there, whole, in that folder; it is
    then planned to fetch them again, by its job ids, never created again); every other row is
    checked as ``--dry-run`` checks it (the same :class:`RowChecker`) before anything is
    journaled. Labels in errors come from ``rows.where`` when ``rows`` is a
    :class:`~sume_async.batch.Manifest`.

    ``defer_new=True`` (``rows`` must be iterable again, as a :class:`ManifestFile` is): rows
    new to the journal are journaled chunk by chunk and not held; :func:`deferred_items` reads
    ``rows`` again for them. Memory then stays flat however many new rows there are. If the plan
    fails (a bad row, changed parameters), the rows it journaled are taken out again.

    The driver side of the seam: a distributed engine plans here, ships ``Plan.items`` to
    its workers, and records what they report with ``journal.created``/``finished``.
    """
    if checker is None:
        async with RowChecker(base_dir) as own:
            return await plan_rows(
                journal, rows, base_dir=base_dir, recreate_changed=recreate_changed, retry_failed=retry_failed,
                checker=own, on_skipped=on_skipped, download_dir=download_dir, defer_new=defer_new,
            )  # fmt: skip
    labels: Sequence[str] | None = getattr(rows, "where", None)
    planner = _Planner(journal, checker, base_dir, recreate_changed, retry_failed, on_skipped, download_dir)
    planner.uploads = await journal.uploads()
    planner.next_position = first_new = await journal.next_position()
    planner.defer_new = defer_new
    try:
        return await _plan(planner, rows, labels, first_new)
    except BaseException:
        if planner.deferred:
            with anyio.CancelScope(shield=True):
                await journal.forget_new(first_new)
        raise


async def _plan(
    planner: _Planner, rows: Iterable[Row | Mapping[str, Any]], labels: Sequence[str] | None, first_new: int
) -> Plan:
    journal = planner.journal
    seen: set[str] = set()
    chunk: list[tuple[str, Row]] = []
    for index, value in enumerate(rows):
        label = labels[index] if labels is not None else f"rows[{index}]"
        try:
            row = parse_row(value, where=label)
            if row.id in seen:
                raise InvalidInputError(f"{label}.id", f"duplicate row id {row.id!r}")
        except InvalidInputError:
            await planner.chunk(chunk)  # an earlier bad row is the one to name, as the dry run would
            raise
        seen.add(row.id)
        chunk.append((label, row))
        if len(chunk) >= PLAN_CHUNK:
            await planner.chunk(chunk)
            chunk = []
    if chunk:
        await planner.chunk(chunk)
    if planner.changed:
        raise ParamsChangedError(planner.changed)
    if planner.new_rows:
        await journal.plan(planner.new_rows)
    items = planner.items
    # Rows already waiting on jobs first: they hold the workspace's capacity already.
    items.sort(key=lambda item: not item.job_ids)
    return Plan(
        tuple(items), planner.skipped, len(planner.new_rows) + planner.deferred, len(seen), planner.damaged, seen,
        planner.deferred, first_new,
    )  # fmt: skip


async def deferred_items(
    journal: Journal, rows: Iterable[Row | Mapping[str, Any]], plan: Plan, *, base_dir: Path | None = None
) -> AsyncIterator[WorkItem]:
    """The work items of the rows a ``defer_new`` plan journaled without holding them, read again from ``rows``.

    A chunk at a time, each with one indexed lookup: a row is run if the plan journaled it
    (position from ``plan.first_new``) and it is still pending. Its key is the one journaled;
    ``rows`` must give the same rows again: one whose parameters differ from what the plan
    checked ends the run with ``InvalidInputError`` before anything is sent for it.
    """
    if not plan.deferred:
        return
    uploads = await journal.uploads()
    hashes: dict[Path, str] = {}
    chunk: list[Row] = []

    async def items(rows_: list[Row]) -> list[WorkItem]:
        known = await journal.lookup([row.id for row in rows_])
        found: list[WorkItem] = []
        for row in rows_:
            entry = known.get(row.id)
            if entry is None or entry.position < plan.first_new or entry.status != journal_states.PENDING:
                continue
            path = row.source_path(base_dir)
            try:
                sha = None if path is None else await _content_hash(path, hashes)
            except OSError:
                raise InvalidInputError(f"row {row.id!r}", "its source file went away during the run") from None
            if fingerprint(row, sha) != entry.fingerprint:
                raise InvalidInputError(f"row {row.id!r}", "changed while the batch ran (the manifest was edited?)")
            found.append(WorkItem(row, entry.idempotency_key, (), uploads.get(sha) if sha else None, sha))
        return found

    for value in rows:
        chunk.append(parse_row(value))
        if len(chunk) >= PLAN_CHUNK:
            for item in await items(chunk):
                yield item
            chunk = []
    if chunk:
        for item in await items(chunk):
            yield item


class Engine(Protocol):
    """Where a batch's work items run: :class:`Batch` plans and journals, an engine runs the items.

    The default (``engine=None``) is :func:`run_items` in this process;
    :class:`~sume_async.batch.DaskEngine` runs them on a Dask cluster. ``reporter`` is the
    journal: an engine reports every job id and outcome to it, on the caller's event loop.
    """

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
    ) -> RunEnd | None: ...


class _JournalReporter:
    def __init__(self, journal: Journal, send: MemoryObjectSendStream[RowOutcome]) -> None:
        self.journal = journal
        self.send = send

    async def uploaded(self, sha256: str, media_url: str) -> None:
        await self.journal.uploaded(sha256, media_url)

    async def created(self, row_id: str, job_ids: Sequence[str]) -> None:
        await self.journal.created(row_id, job_ids)

    async def finished(self, outcome: RowOutcome) -> None:
        await self.journal.finished(
            outcome.row_id,
            status=outcome.status,
            job_ids=outcome.job_ids,
            outputs=[o.to_dict() for o in outcome.outputs],
            error_code=outcome.error_code,
            error_message=outcome.error_message,
        )
        await self.send.send(outcome)


class Batch:
    """A named, journaled batch of rows for one ``AsyncSume``.

    ``state`` is the journal's SQLite file. ``max_in_flight`` bounds unfinished jobs (default:
    the workspace's ``max_concurrent_generations``, else 10). ``download_dir`` downloads every
    finished row's outputs there. ``base_dir`` resolves relative face swap ``source`` paths.
    ``wait_timeout`` bounds each row's wait (not given: per job type, as ``jobs.wait``; ``None``:
    no limit); a row
    that runs out of it stays journaled and is waited for again by the next run. ``engine``
    runs the items elsewhere (``DaskEngine(...)``: on a Dask cluster); the journal stays here.
    """

    def __init__(
        self,
        client: AsyncSume,
        *,
        name: str,
        state: str | Path,
        max_in_flight: int | None = None,
        download_dir: str | Path | None = None,
        max_download_bytes: int | None = None,
        download_concurrency: int = 4,
        recreate_changed: bool = False,
        retry_failed: bool = False,
        base_dir: str | Path | None = None,
        wait_timeout: float | NotGiven | None = NOT_GIVEN,
        on_progress: Callable[[Progress], object] | None = None,
        engine: Engine | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise InvalidInputError("name", "must be a non-empty string of at most 200 characters")
        if max_in_flight is not None and (
            not isinstance(max_in_flight, int) or isinstance(max_in_flight, bool) or max_in_flight < 1
        ):
            raise InvalidInputError("max_in_flight", "must be a positive integer")
        if not isinstance(download_concurrency, int) or download_concurrency < 1:
            raise InvalidInputError("download_concurrency", "must be a positive integer")
        if not (wait_timeout is None or isinstance(wait_timeout, NotGiven)) and not (
            isinstance(wait_timeout, int | float) and not isinstance(wait_timeout, bool) and wait_timeout > 0
        ):
            raise InvalidInputError(
                "wait_timeout", "must be a positive number of seconds, None (no limit) or NOT_GIVEN"
            )
        self.client = client
        self.name = name
        self.state: Path = Path(state)
        self.max_in_flight = max_in_flight
        self.download: DownloadOptions | None = (
            None
            if download_dir is None
            else DownloadOptions(Path(download_dir), max_download_bytes, download_concurrency)
        )
        self.recreate_changed = recreate_changed
        self.retry_failed = retry_failed
        self.base_dir: Path | None = None if base_dir is None else Path(base_dir)
        self.wait_timeout = wait_timeout
        self.on_progress = on_progress
        self.engine = engine

    def run(self, rows: Iterable[Row | Mapping[str, Any]]) -> BatchRun:
        """``async with batch.run(rows) as outcomes: async for outcome in outcomes: ...``"""
        return BatchRun(self, rows)


class BatchRun:
    """A running batch: iterate it for one :class:`RowOutcome` per row, in completion order.

    Rows a previous run finished come first (``from_journal=True``), as the plan reads them.
    Every row is checked before anything is sent: a bad row or changed parameters end the
    iteration, and the error is raised as the ``async with`` block exits. After the loop,
    ``stopped`` says why the run ended early (``None``: every row finished) and ``progress``
    holds the final counts. Leaving the ``async with`` block with an exception, or cancelling
    a scope around it, stops the run; leaving it normally (even after ``break``) lets the run
    finish. Either way the journal stays consistent and the next run resumes.
    """

    def __init__(self, batch: Batch, rows: Iterable[Row | Mapping[str, Any]]) -> None:
        self._batch = batch
        self._rows = rows
        self.progress: Progress = Progress()
        self.stopped: RunEnd | None = None
        self.journal: Journal | None = None
        #: The ids of the rows given (known once the run has planned them).
        self.row_ids: AbstractSet[str] = frozenset()
        self._tg: TaskGroup | None = None
        self._receive: MemoryObjectReceiveStream[RowOutcome] | None = None

    async def __aenter__(self) -> Self:
        batch = self._batch
        self.journal = await Journal.open(batch.state, name=batch.name)
        try:
            send, self._receive = anyio.create_memory_object_stream[RowOutcome](1024)
            self._tg = anyio.create_task_group()
            await self._tg.__aenter__()
        except BaseException:
            await self.journal.close()
            raise
        self._tg.start_soon(self._drive, send)
        return self

    async def _drive(self, send: MemoryObjectSendStream[RowOutcome]) -> None:
        batch = self._batch
        assert self.journal is not None
        progress = self.progress
        sent = 0

        async def skipped(row: JournalRow) -> None:
            # Reported from the plan's own read of the row: no second pass over the journal, and
            # no event-loop round trip per row while the reader keeps up.
            nonlocal sent
            outcome = journaled_outcome(row)
            progress.completed += outcome.ok
            progress.failed += not outcome.ok
            sent += 1
            try:
                send.send_nowait(outcome)
            except anyio.WouldBlock:
                await send.send(outcome)
            if sent % 256 == 0:
                await anyio.lowlevel.checkpoint()

        async with send:
            rows = self._rows
            # Rows that can be read again (a ManifestFile) are not held: the new ones are read
            # again as they run. A list or a generator is planned into memory, as is what a
            # distributed engine ships.
            defer = batch.engine is None and not isinstance(rows, Iterator | Sequence)
            plan = await plan_rows(
                self.journal,
                rows,
                base_dir=batch.base_dir,
                recreate_changed=batch.recreate_changed,
                retry_failed=batch.retry_failed,
                on_skipped=skipped,
                download_dir=None if batch.download is None else batch.download.dest_dir,
                defer_new=defer,
            )
            self._rows = ()
            self.row_ids = plan.row_ids
            progress.total = plan.total
            progress.skipped = plan.skipped
            if batch.on_progress is not None:
                batch.on_progress(attrs.evolve(progress))
            if not plan.items and not plan.deferred:
                return
            limit, before = await self._capacity()
            items: Sequence[WorkItem] | AsyncIterator[WorkItem] = plan.items
            if plan.deferred:
                items = _chain(plan.items, deferred_items(self.journal, rows, plan, base_dir=batch.base_dir))
            run = run_items if batch.engine is None or not isinstance(items, Sequence) else batch.engine.run
            self.stopped = await run(
                batch.client,
                items,  # type: ignore[arg-type]  # an engine is given a Sequence (defer is for run_items only)
                _JournalReporter(self.journal, send),
                max_in_flight=limit,
                download=batch.download,
                progress=progress,
                on_progress=batch.on_progress,
                base_dir=batch.base_dir,
                wait_timeout=batch.wait_timeout,
            )
            after = await self._balance()
            if before is not None and after is not None:
                progress.credits_charged = max(0, before - after)
                if batch.on_progress is not None:
                    batch.on_progress(attrs.evolve(progress))

    async def _capacity(self) -> tuple[int, int | None]:
        """``max_in_flight`` (given, or from ``GET /credits``) and the balance before the run."""
        try:
            credits = (await self._batch.client.credits.get()).to_dict()
        except SumeError:
            credits = {}
        limit = self._batch.max_in_flight
        reported = credits.get("max_concurrent_generations")
        if limit is None:
            limit = int(reported) if isinstance(reported, int | float) and reported >= 1 else DEFAULT_MAX_IN_FLIGHT
        return limit, _number(credits.get("remaining_credits"))

    async def _balance(self) -> int | None:
        try:
            return _number((await self._batch.client.credits.get()).to_dict().get("remaining_credits"))
        except SumeError:
            return None

    def __aiter__(self) -> AsyncIterator[RowOutcome]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[RowOutcome]:
        if self._receive is None:
            raise RuntimeError("use `async with batch.run(rows) as outcomes:` first")
        receive, taken = self._receive, 0
        while True:
            try:  # no event-loop round trip per outcome while some are waiting
                outcome = receive.receive_nowait()
            except anyio.WouldBlock:
                try:
                    outcome = await receive.receive()
                except anyio.EndOfStream:
                    return
            except anyio.EndOfStream:
                return
            taken += 1
            if taken % 256 == 0:
                await anyio.lowlevel.checkpoint()
            yield outcome

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._tg is not None and self._receive is not None and self.journal is not None
        if exc is not None:
            self._tg.cancel_scope.cancel()
        else:
            # Drain what the caller did not read, so the run can finish. A run that fails
            # cancels this wait: the task group must still be exited, and says why.
            try:
                async for _ in self._receive:
                    pass
            except BaseException as error:
                if not await self._exit_group(type(error), error, error.__traceback__):
                    raise
                return None
        return await self._exit_group(exc_type, exc, tb)

    async def _exit_group(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._tg is not None and self._receive is not None and self.journal is not None
        try:
            return await self._tg.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            found = leaves(group)
            if exc is not None and all(error is exc for error in found):
                return False
            single = one_error(group)
            if single is not group:
                raise single from None
            raise
        finally:
            self._receive.close()
            await self.journal.close()


async def _chain(first: Iterable[WorkItem], then: AsyncIterator[WorkItem]) -> AsyncIterator[WorkItem]:
    for item in first:
        yield item
    async for item in then:
        yield item


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and math.isfinite(value) else None
