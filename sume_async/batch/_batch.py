"""``Batch``: the journal-backed driver around the runner (one process, crash-safe, resumable).

Planning happens before anything is sent: rows are checked, duplicate ids refused, each row's
fingerprint and key computed and compared with the journal. Finished rows are skipped, rows
with recorded job ids are waited for by id, the rest are created with their deterministic
key. A row whose parameters changed since it was journaled is refused unless
``recreate_changed=True`` (then it gets a new attempt, hence a new key).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
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
from ._journal import Journal, JournalRow, Known
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

__all__ = ["DEFAULT_MAX_IN_FLIGHT", "Batch", "BatchRun", "Engine", "ParamsChangedError", "plan_rows"]

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

    Finished rows are not held: a run reads their outcomes back from the journal in chunks
    (those whose ids are in ``row_ids``, the plan's rows). ``damaged`` counts journal rows whose
    bytes could not be read (re-planned: their deterministic key finds any job they made).
    """

    items: tuple[WorkItem, ...]
    skipped: int
    planned: int
    total: int
    damaged: int = 0
    row_ids: frozenset[str] = attrs.field(default=frozenset(), repr=False)


def journaled_outcome(row: JournalRow) -> RowOutcome:
    """A finished journal row as a :class:`RowOutcome`."""
    return RowOutcome(
        row.row_id,
        row.kind,
        row.status,
        row.job_ids,
        tuple(OutputFile.from_dict(o) for o in row.outputs if _output_ok(o)),
        row.error_code,
        row.error_message,
        from_journal=True,
    )


def _output_ok(output: Mapping[str, Any]) -> bool:
    return isinstance(output.get("job_id"), str) and isinstance(output.get("url"), str)


#: Rows planned per journal lookup.
PLAN_CHUNK = 2000


class _Planner:
    def __init__(
        self, journal: Journal, checker: RowChecker, base_dir: Path | None, recreate_changed: bool, retry_failed: bool
    ) -> None:
        self.journal = journal
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
        if path not in self.hashes:
            try:
                self.hashes[path] = await anyio.to_thread.run_sync(file_sha256, path)
            except OSError:
                await self.check(row, label)  # the checker's own verdict first, as the dry run gives it
                raise InvalidInputError(f"{label}.params.source", f"no such file: {path.name}") from None
        return self.hashes[path]

    async def chunk(self, rows: Sequence[tuple[str, Row]]) -> None:
        """Plan one chunk: a single indexed lookup; only rows that will run are checked."""
        known = await self.journal.lookup([row.id for _, row in rows])
        for label, row in rows:
            sha = await self.source_hash(row, label) if KINDS[row.kind].local_source is not None else None
            fp = fingerprint(row, sha)
            entry = known.get(row.id)
            retried = self.retry_failed and entry is not None and entry.status == journal_states.FAILED
            if entry is not None and entry.finished and entry.fingerprint == fp and not retried:
                self.skipped += 1
                continue
            await self.check(row, label)
            self.plan(row, sha, fp, entry)

    def plan(self, row: Row, sha: str | None, fp: str, entry: Known | None) -> None:
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
) -> Plan:
    """Check ``rows`` against the journal and journal the new ones; nothing is sent to Sume.

    Rows are read once, in chunks: each chunk is looked up in the journal with one indexed query
    and compared by the stored fingerprint (a canonical hash of the parameters). Finished rows
    are skipped without being checked or held; every other row is checked as ``--dry-run``
    checks it (the same :class:`RowChecker`) before anything is journaled. Labels in errors
    come from ``rows.where`` when ``rows`` is a :class:`~sume_async.batch.Manifest`.

    The driver side of the seam: a distributed engine plans here, ships ``Plan.items`` to
    its workers, and records what they report with ``journal.created``/``finished``.
    """
    if checker is None:
        async with RowChecker(base_dir) as own:
            return await plan_rows(
                journal, rows, base_dir=base_dir, recreate_changed=recreate_changed, retry_failed=retry_failed,
                checker=own,
            )  # fmt: skip
    labels: Sequence[str] | None = getattr(rows, "where", None)
    planner = _Planner(journal, checker, base_dir, recreate_changed, retry_failed)
    planner.uploads = await journal.uploads()
    planner.next_position = await journal.next_position()
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
    return Plan(tuple(items), planner.skipped, len(planner.new_rows), len(seen), planner.damaged, frozenset(seen))


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

    Rows a previous run finished come first (``from_journal=True``). After the loop,
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
        self.row_ids: frozenset[str] = frozenset()
        self._tg: TaskGroup | None = None
        self._receive: MemoryObjectReceiveStream[RowOutcome] | None = None

    async def __aenter__(self) -> Self:
        batch = self._batch
        self.journal = await Journal.open(batch.state, name=batch.name)
        try:
            plan = await plan_rows(
                self.journal,
                self._rows,
                base_dir=batch.base_dir,
                recreate_changed=batch.recreate_changed,
                retry_failed=batch.retry_failed,
            )
            self._rows = ()
            self.row_ids = plan.row_ids
            send, self._receive = anyio.create_memory_object_stream[RowOutcome](1024)
            self._tg = anyio.create_task_group()
            await self._tg.__aenter__()
        except BaseException:
            await self.journal.close()
            raise
        self._tg.start_soon(self._drive, plan, send)
        return self

    async def _drive(self, plan: Plan, send: MemoryObjectSendStream[RowOutcome]) -> None:
        batch = self._batch
        assert self.journal is not None
        progress = self.progress
        progress.total = plan.total
        progress.skipped = plan.skipped
        async with send:
            if plan.skipped:
                # Read back from the journal in chunks, not held (after planning, the plan's
                # finished rows are exactly the rows it skipped).
                sent = 0
                async for row in self.journal.iter_rows(finished=True):
                    if row.damaged or row.row_id not in plan.row_ids:
                        continue
                    outcome = journaled_outcome(row)
                    progress.completed += outcome.ok
                    progress.failed += not outcome.ok
                    sent += 1
                    try:  # no event-loop round trip per journaled row while the reader keeps up
                        send.send_nowait(outcome)
                    except anyio.WouldBlock:
                        await send.send(outcome)
                    if sent % 256 == 0:
                        await anyio.lowlevel.checkpoint()
            if batch.on_progress is not None:
                batch.on_progress(attrs.evolve(progress))
            if not plan.items:
                return
            limit, before = await self._capacity()
            run = run_items if batch.engine is None else batch.engine.run
            self.stopped = await run(
                batch.client,
                plan.items,
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


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and math.isfinite(value) else None
