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
import anyio.to_thread
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._client import AsyncSume
from .._errors import InvalidInputError, SumeError
from .._options import NOT_GIVEN, NotGiven
from . import _journal as journal_states
from ._journal import Journal, JournalRow
from ._keys import fingerprint, idempotency_key
from ._rows import Row, parse_row
from ._runner import (
    DownloadOptions,
    OutputFile,
    Progress,
    Reporter,
    RowOutcome,
    RunEnd,
    WorkItem,
    file_sha256,
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
    """What a run will do: the work items in order, and the rows a previous run finished."""

    items: tuple[WorkItem, ...]
    finished: tuple[JournalRow, ...]
    new_rows: tuple[JournalRow, ...]
    total: int


def journaled_outcome(row: JournalRow) -> RowOutcome:
    """A finished journal row as a :class:`RowOutcome`."""
    return RowOutcome(
        row.row_id,
        row.kind,
        row.status,
        row.job_ids,
        tuple(OutputFile.from_dict(o) for o in row.outputs),
        row.error_code,
        row.error_message,
        from_journal=True,
    )


async def _hash_sources(rows: Sequence[Row], base_dir: Path | None) -> dict[str, str]:
    """Content hashes of the face swap rows' local files, by path (each file read once)."""
    paths = {p for row in rows if (p := row.source_path(base_dir)) is not None}

    def hash_all() -> dict[str, str]:
        hashes = {}
        for path in sorted(paths):
            if not path.is_file():
                raise InvalidInputError("params.source", f"no such file: {path.name}")
            hashes[str(path)] = file_sha256(path)
        return hashes

    return await anyio.to_thread.run_sync(hash_all) if paths else {}


async def plan_rows(
    journal: Journal,
    rows: Iterable[Row | Mapping[str, Any]],
    *,
    base_dir: Path | None = None,
    recreate_changed: bool = False,
    retry_failed: bool = False,
) -> Plan:
    """Check ``rows`` against the journal and journal the new ones; nothing is sent to Sume.

    The driver side of the seam: a distributed engine plans here, ships ``Plan.items`` to
    its workers, and records what they report with ``journal.created``/``finished``.
    """
    parsed: list[Row] = []
    seen: set[str] = set()
    for index, value in enumerate(rows):
        row = parse_row(value, where=f"rows[{index}]")
        if row.id in seen:
            raise InvalidInputError(f"rows[{index}].id", f"duplicate row id {row.id!r}")
        seen.add(row.id)
        parsed.append(row)
    hashes = await _hash_sources(parsed, base_dir)
    known = await journal.rows()
    uploads = await journal.uploads()
    items: list[WorkItem] = []
    finished: list[JournalRow] = []
    new_rows: list[JournalRow] = []
    changed: list[str] = []
    next_position = max((r.position for r in known.values()), default=-1) + 1
    for row in parsed:
        path = row.source_path(base_dir)
        sha = hashes[str(path)] if path is not None else None
        fp = fingerprint(row, sha)
        entry = known.get(row.id)
        if entry is not None and entry.fingerprint != fp and not recreate_changed:
            changed.append(row.id)
            continue
        if entry is None or entry.fingerprint != fp or (retry_failed and entry.status == journal_states.FAILED):
            attempt = 0 if entry is None else entry.attempt + 1
            position = next_position if entry is None else entry.position
            next_position += entry is None
            entry = JournalRow(
                row.id, position, row.kind, fp, attempt, idempotency_key(journal.name, row.id, fp, attempt),
                journal_states.PENDING, (), (), None, None,
            )  # fmt: skip
            new_rows.append(entry)
        if entry.finished:
            finished.append(entry)
            continue
        media_url = uploads.get(sha) if sha is not None else None
        items.append(WorkItem(row, entry.idempotency_key, entry.job_ids, media_url, sha))
    if changed:
        raise ParamsChangedError(changed)
    if new_rows:
        await journal.plan(new_rows)
    # Rows already waiting on jobs first: they hold the workspace's capacity already.
    items.sort(key=lambda item: not item.job_ids)
    return Plan(tuple(items), tuple(finished), tuple(new_rows), len(parsed))


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
            send, self._receive = anyio.create_memory_object_stream[RowOutcome](64)
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
        progress.skipped = len(plan.finished)
        async with send:
            for row in plan.finished:
                outcome = journaled_outcome(row)
                progress.completed += outcome.ok
                progress.failed += not outcome.ok
                await send.send(outcome)
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
        async for outcome in self._receive:
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
            if exc is not None and all(error is exc for error in group.exceptions):
                return False
            if len(group.exceptions) == 1 and isinstance(group.exceptions[0], SumeError):
                raise group.exceptions[0] from None
            raise
        finally:
            self._receive.close()
            await self.journal.close()


def _number(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and math.isfinite(value) else None
