"""The batch journal: a stdlib ``sqlite3`` database in WAL mode, written off the event loop.

Every statement runs in a worker thread (``anyio.to_thread``), one at a time. Writes use
group commit without a background task: the first writer to arrive commits everything queued
so far in one transaction while later writers queue behind it; when that commit ends, one of
them commits the next group. A commit, once started, is shielded from cancellation, so a
cancelled run never leaves a half-written group, and :meth:`Journal.close` commits whatever
is still queued. SQLite's own atomic commits make a SIGKILL safe at any moment.

Row states: ``pending`` (not created yet, or not known to be), ``created`` (job ids recorded),
``completed`` and ``failed``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import anyio
import anyio.to_thread
import attrs

from .._errors import InvalidInputError, SumeError

__all__ = ["Journal", "JournalError", "JournalRow"]

SCHEMA_VERSION = "1"
PENDING, CREATED, COMPLETED, FAILED = "pending", "created", "completed", "failed"
FINISHED = frozenset({COMPLETED, FAILED})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    status TEXT NOT NULL,
    job_ids TEXT NOT NULL DEFAULT '[]',
    outputs TEXT NOT NULL DEFAULT '[]',
    error_code TEXT,
    error_message TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_status ON rows (status);
CREATE TABLE IF NOT EXISTS uploads (sha256 TEXT PRIMARY KEY, media_url TEXT NOT NULL);
"""

_COLUMNS = (
    "row_id, position, kind, fingerprint, attempt, idempotency_key, status, job_ids, outputs, error_code, error_message"
)


class JournalError(SumeError):
    """The batch state file could not be read or written (disk full, file locked or damaged)."""


@attrs.frozen
class JournalRow:
    """A row as journaled."""

    row_id: str
    position: int
    kind: str
    fingerprint: str
    attempt: int
    idempotency_key: str
    status: str
    job_ids: tuple[str, ...]
    outputs: tuple[dict[str, Any], ...]
    error_code: str | None
    error_message: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _row(record: tuple[Any, ...]) -> JournalRow:
    (row_id, position, kind, fp, attempt, key, status, job_ids, outputs, code, message) = record
    return JournalRow(
        row_id, position, kind, fp, attempt, key, status, tuple(json.loads(job_ids)), tuple(json.loads(outputs)),
        code, message,
    )  # fmt: skip


_Op = Callable[[sqlite3.Connection], object]


class _Group:
    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.done = False
        self.error: BaseException | None = None


class Journal:
    """The journal of one batch in one SQLite file; open with ``async with await Journal.open(path, name=...)``.

    Reads return :class:`JournalRow`; writes are awaited until committed.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, name: str) -> None:
        self.path = path
        self.name = name
        self._db = connection
        self._limiter = anyio.CapacityLimiter(1)
        self._pending = _Group()
        self._flushing = False
        self._idle = anyio.Event()
        self._closed = False
        #: Seconds inside SQLite calls as the worker thread saw them (GIL waits included), and
        #: the CPU seconds those calls used: the benchmark's "journal share of wall time".
        self.busy_seconds: float = 0.0
        self.cpu_seconds: float = 0.0
        self.commits: int = 0

    @classmethod
    async def open(cls, path: str | Path, *, name: str) -> Journal:
        """Open (or create) the journal at ``path`` for the batch ``name``.

        ``InvalidInputError`` if the file belongs to another batch or is not a journal.
        """
        target = Path(path)
        return await anyio.to_thread.run_sync(cls._open_sync, target, name)

    @classmethod
    def _open_sync(cls, path: Path, name: str) -> Journal:
        if path.parent and not path.parent.exists():
            raise InvalidInputError("state", "its folder does not exist")
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
        except sqlite3.Error:
            raise InvalidInputError("state", "cannot be opened as a batch state file") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("BEGIN IMMEDIATE")
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                db.execute(statement)
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not found:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)", [("batch_name", name), ("schema", SCHEMA_VERSION)]
                )
            db.execute("COMMIT")
        except sqlite3.DatabaseError:
            db.close()
            raise InvalidInputError("state", "is not a batch state file (or is damaged)") from None
        if found and found.get("batch_name") != name:
            db.close()
            raise InvalidInputError("name", f"the state file belongs to the batch {found.get('batch_name')!r}")
        if found and found.get("schema") != SCHEMA_VERSION:
            db.close()
            raise InvalidInputError("state", "was written by an incompatible version")
        return cls(path, db, name)

    @staticmethod
    async def read_name(path: str | Path) -> str:
        """The batch name recorded in an existing state file."""

        def read() -> str:
            if not Path(path).is_file():
                raise InvalidInputError("state", "no such file")
            try:
                db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
                try:
                    found = db.execute("SELECT value FROM meta WHERE key = 'batch_name'").fetchone()
                finally:
                    db.close()
            except sqlite3.Error:
                raise InvalidInputError("state", "is not a batch state file") from None
            if found is None:
                raise InvalidInputError("state", "is not a batch state file")
            return str(found[0])

        return await anyio.to_thread.run_sync(read)

    # -- reads -----------------------------------------------------------------------------------

    async def _run(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        def timed() -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(self._db)
            except sqlite3.Error as exc:
                raise JournalError(f"The batch state file failed ({type(exc).__name__}: {exc})") from None
            finally:
                self.busy_seconds += time.perf_counter() - started
                self.cpu_seconds += time.thread_time() - cpu

        return await anyio.to_thread.run_sync(timed, limiter=self._limiter)

    async def rows(self) -> dict[str, JournalRow]:
        """Every journaled row by id."""
        found: list[tuple[Any, ...]] = await self._run(
            lambda db: db.execute(f"SELECT {_COLUMNS} FROM rows ORDER BY position").fetchall()
        )
        return {record[0]: _row(record) for record in found}

    async def get(self, row_id: str) -> JournalRow | None:
        found = await self._run(
            lambda db: db.execute(f"SELECT {_COLUMNS} FROM rows WHERE row_id = ?", (row_id,)).fetchone()
        )
        return None if found is None else _row(found)

    async def counts(self) -> dict[str, int]:
        """Rows per status."""
        found = await self._run(lambda db: db.execute("SELECT status, COUNT(*) FROM rows GROUP BY status").fetchall())
        return {str(status): int(count) for status, count in found}

    async def uploads(self) -> dict[str, str]:
        """``sha256 -> media_url`` of the face swap sources uploaded so far."""
        found = await self._run(lambda db: db.execute("SELECT sha256, media_url FROM uploads").fetchall())
        return {str(sha): str(url) for sha, url in found}

    # -- writes ----------------------------------------------------------------------------------

    async def plan(self, rows: Sequence[JournalRow]) -> None:
        """Insert or replace the given rows (new rows, or rows given a new attempt)."""
        now = time.time()
        values = [
            (
                r.row_id, r.position, r.kind, r.fingerprint, r.attempt, r.idempotency_key, r.status,
                json.dumps(list(r.job_ids)), json.dumps(list(r.outputs)), r.error_code, r.error_message, now,
            )
            for r in rows
        ]  # fmt: skip
        await self._write(
            lambda db: db.executemany(
                f"INSERT OR REPLACE INTO rows ({_COLUMNS}, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", values
            )
        )

    async def created(self, row_id: str, job_ids: Iterable[str]) -> None:
        """Record the job ids a create returned (the row is then waited by id on a rerun)."""
        ids = json.dumps(list(job_ids))
        now = time.time()
        await self._write(
            lambda db: db.execute(
                "UPDATE rows SET status = ?, job_ids = ?, updated_at = ? WHERE row_id = ? AND status != ?",
                (CREATED, ids, now, row_id, COMPLETED),
            )
        )

    async def finished(
        self,
        row_id: str,
        *,
        status: str,
        job_ids: Iterable[str],
        outputs: Sequence[dict[str, Any]] = (),
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> None:
        """Record a row's final status, outputs and error."""
        if status not in FINISHED:
            raise ValueError(f"not a final status: {status!r}")
        values = (status, json.dumps(list(job_ids)), json.dumps(list(outputs)), error_code, error_message, time.time())
        await self._write(
            lambda db: db.execute(
                "UPDATE rows SET status = ?, job_ids = ?, outputs = ?, error_code = ?, error_message = ?, "
                "updated_at = ? WHERE row_id = ?",
                (*values, row_id),
            )
        )

    async def uploaded(self, sha256: str, media_url: str) -> None:
        """Record a face swap source's upload (before any create that uses it)."""
        await self._write(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO uploads (sha256, media_url) VALUES (?, ?)", (sha256, media_url)
            )
        )

    async def _write(self, op: _Op) -> None:
        if self._closed:
            raise RuntimeError("the journal is closed")
        group = self._pending
        group.ops.append(op)
        while not group.done:
            if self._flushing:
                await self._idle.wait()
                continue
            await self._flush()
        if group.error is not None:
            raise group.error

    async def _flush(self) -> None:
        """Commit everything queued, in one transaction, shielded from cancellation."""
        group, self._pending = self._pending, _Group()
        if not group.ops:
            group.done = True
            return
        self._flushing = True
        try:
            with anyio.CancelScope(shield=True):
                await self._run(lambda db: _apply(db, group.ops))
            self.commits += 1
        except BaseException as exc:
            group.error = exc
            raise
        finally:
            group.done = True
            self._flushing = False
            idle, self._idle = self._idle, anyio.Event()
            idle.set()

    async def flush(self) -> None:
        """Commit whatever is queued now."""
        while self._flushing:
            await self._idle.wait()
        await self._flush()

    async def close(self) -> None:
        """Commit what is queued and close the file. Idempotent."""
        if self._closed:
            return
        with anyio.CancelScope(shield=True):
            await self.flush()
            self._closed = True
            await self._run(lambda db: db.close())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _apply(db: sqlite3.Connection, ops: list[_Op]) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for op in ops:
            op(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
