"""The batch journal: a stdlib ``sqlite3`` database in WAL mode, written off the event loop.

Every statement runs in a worker thread (``anyio.to_thread``), one at a time. Writes use
group commit without a background task: the first writer to arrive commits everything queued
so far in one transaction while later writers queue behind it; when that commit ends, one of
them commits the next group. A commit, once started, is shielded from cancellation, so a
cancelled run never leaves a half-written group, and :meth:`Journal.close` commits whatever
is still queued. SQLite's own atomic commits make a SIGKILL safe at any moment.

Row states: ``pending`` (not created yet, or not known to be), ``created`` (job ids recorded),
``completed`` and ``failed``.

The file is the user's: it is created readable by its owner only (it holds private media URLs),
an SQLite file that is not a sume-async journal is refused before anything is written to it,
and a row damaged on disk (bytes that are not UTF-8, JSON that does not parse) is read as
``damaged`` rather than crashing the reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import anyio
import anyio.to_thread
import attrs

from .._errors import InvalidInputError, SumeError

__all__ = ["Journal", "JournalError", "JournalRow"]

SCHEMA_VERSION = "1"
#: ``PRAGMA application_id`` of a journal ("SUMB"): another program's SQLite file is never adopted.
APPLICATION_ID = 0x53554D42
#: The tables a journal holds (an older journal may lack ``application_id``, never these).
_TABLES = frozenset({"meta", "rows", "uploads"})
#: Rows per indexed lookup (SQLite's bound-parameter limit is far above it).
LOOKUP_CHUNK = 500
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
CREATE INDEX IF NOT EXISTS rows_position ON rows (position);
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
    #: Part of the row on disk was unreadable (not UTF-8, or JSON that does not parse): what could
    #: be read is kept, the rest is empty. A rerun re-plans it; its key finds any job it made.
    damaged: bool = False

    @property
    def finished(self) -> bool:
        return self.status in FINISHED and not self.damaged


def _text(raw: bytes) -> str:
    """SQLite text as ``str``; bytes that are not UTF-8 become lone surrogates (marking the row damaged)."""
    return raw.decode("utf-8", "surrogateescape")


def _not_utf8(exc: sqlite3.Error) -> bool:
    """SQLite's answer to a read of text that is not UTF-8 under the default (C-speed) decoder."""
    return isinstance(exc, sqlite3.OperationalError) and str(exc).startswith("Could not decode to UTF-8")


def _clean(value: object) -> bool:
    if not isinstance(value, str):
        return value is None or isinstance(value, int | float)
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_decode = json.JSONDecoder().raw_decode


def _json_list(text: object, item: type) -> tuple[Any, ...] | None:
    """A JSON list of ``item`` as the journal wrote it (``json.dumps``); ``None`` if it is anything else."""
    if text == "[]":
        return ()
    if type(text) is not str or not text.startswith("["):
        return None
    try:
        value, end = _decode(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to be the journal's
        return None
    if end != len(text) or type(value) is not list:
        return None
    for v in value:  # a loop, not all(...): once per journaled row on a resume
        if type(v) is not item:
            return None
    return tuple(value)


def _job_ids(text: object) -> tuple[str, ...] | None:
    """``job_ids`` as the journal wrote them (``json.dumps`` of a list of strings); ``None`` if damaged.

    The usual ``["job_a", "job_b"]`` (no escapes) is split at C speed: a JSON string without a
    backslash or a control character holds its characters as they are. Anything else goes
    through the JSON decoder.
    """
    if type(text) is str and text.startswith('["') and text.endswith('"]') and "\\" not in text and text.isprintable():
        ids = tuple(text[2:-2].split('", "'))
        if '"' not in "".join(ids):
            return ids
    return _json_list(text, str)


def _row(record: tuple[Any, ...]) -> JournalRow:
    (row_id, position, kind, fp, attempt, key, status, job_ids, outputs, code, message) = record
    ids, files = _job_ids(job_ids), _json_list(outputs, dict)
    # Straight-line checks (a resume reads every finished row back): types, then one isascii.
    if (
        ids is not None and files is not None and type(position) is int and type(attempt) is int
        and type(row_id) is str and type(kind) is str and type(fp) is str and type(key) is str
        and type(status) is str and (code is None or type(code) is str)
        and (message is None or type(message) is str)
    ):  # fmt: skip
        texts = f"{row_id}{kind}{fp}{key}{status}{job_ids}{outputs}{code or ''}{message or ''}"
        if texts.isascii() or _clean(texts):
            return JournalRow(row_id, position, kind, fp, attempt, key, status, ids, files, code, message)
    return JournalRow(
        str(row_id), position if isinstance(position, int) else -1, str(kind), str(fp),
        attempt if isinstance(attempt, int) else 0, str(key), str(status), ids or (), files or (),
        None if code is None else str(code), None if message is None else str(message), True,
    )  # fmt: skip


def _connect(path: Path) -> sqlite3.Connection:
    """The journal's connection (one seam, so tests can model a full disk with ``max_page_count``)."""
    return sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)


def _create_private(path: Path) -> None:
    """Create the state file readable and writable by its owner only (it holds private media URLs)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))


def _refuse_foreign(db: sqlite3.Connection) -> None:
    """``InvalidInputError`` for an SQLite file that is not a journal (read before anything is written)."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    tables = {str(name) for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id not in (0, APPLICATION_ID) or (tables and ("meta" not in tables or not tables <= _TABLES)):
        raise InvalidInputError("state", "is an SQLite file of another program, not a sume-async batch state file")
    if "meta" in tables:
        found = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if "batch_name" not in found:
            raise InvalidInputError("state", "is not a sume-async batch state file")


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
        if path.is_dir():
            raise InvalidInputError("state", "is a folder, not a batch state file")
        try:
            _create_private(path)
            db = _connect(path)
        except (OSError, sqlite3.Error):
            raise InvalidInputError("state", "cannot be opened as a batch state file") from None
        db.text_factory = _text  # the meta table is read before the file is known to be a journal
        try:
            _refuse_foreign(db)
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
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("COMMIT")
        except InvalidInputError:
            db.close()
            raise
        except sqlite3.OperationalError as exc:
            db.close()
            raise JournalError(_problem(exc)) from None
        except sqlite3.DatabaseError:
            db.close()
            raise InvalidInputError("state", "is not a batch state file (or is damaged)") from None
        if found and found.get("batch_name") != name:
            db.close()
            raise InvalidInputError("name", f"the state file belongs to the batch {found.get('batch_name')!r}")
        if found and found.get("schema") != SCHEMA_VERSION:
            db.close()
            raise InvalidInputError("state", "was written by an incompatible version")
        db.text_factory = str  # reads decode at C speed; ``_run`` falls back to ``_text`` for a damaged row
        return cls(path, db, name)

    @staticmethod
    async def read_name(path: str | Path) -> str:
        """The batch name recorded in an existing state file."""

        def read() -> str:
            if not Path(path).is_file():
                raise InvalidInputError("state", "no such file")
            try:
                db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
                db.text_factory = _text
                try:
                    _refuse_foreign(db)
                    found = db.execute("SELECT value FROM meta WHERE key = 'batch_name'").fetchone()
                finally:
                    db.close()
            except sqlite3.Error:
                raise InvalidInputError("state", "is not a batch state file") from None
            if found is None or not _clean(found[0]):
                raise InvalidInputError("state", "is not a batch state file")
            return str(found[0])

        return await anyio.to_thread.run_sync(read)

    # -- reads -----------------------------------------------------------------------------------

    async def _run(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        def timed() -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                try:
                    return fn(self._db)
                except sqlite3.Error as exc:
                    if not _not_utf8(exc):
                        raise
                # A damaged row (text that is not UTF-8): read again with the tolerant decoder, which
                # keeps such bytes as lone surrogates; the row is then read as damaged. Only reads
                # can meet this error, and a read can be run again.
                self._db.text_factory = _text
                try:
                    return fn(self._db)
                finally:
                    self._db.text_factory = str
            except sqlite3.Error as exc:
                raise JournalError(_problem(exc)) from None
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

    async def lookup(self, row_ids: Sequence[str]) -> dict[str, JournalRow]:
        """The journaled rows of ``row_ids`` (those it holds) by id, in indexed queries of :data:`LOOKUP_CHUNK`."""
        return {row.row_id: row for row in map(_row, await self._run(partial(_select, row_ids)))}

    async def next_position(self) -> int:
        """The position a new row gets (after every journaled one)."""
        found = await self._run(lambda db: db.execute("SELECT MAX(position) FROM rows").fetchone())
        return int(found[0]) + 1 if found and isinstance(found[0], int) else 0

    async def iter_rows(self, *, finished: bool | None = None, chunk: int = 2000) -> AsyncIterator[JournalRow]:
        """Every journaled row in position order, read ``chunk`` rows at a time (memory stays flat).

        ``finished=True``: only completed and failed rows; ``False``: only the others.
        """
        where = "" if finished is None else f"AND status {'IN' if finished else 'NOT IN'} (?, ?)"
        statuses = () if finished is None else (COMPLETED, FAILED)
        after = -(2**63)
        while True:
            # By position, in order: the status index would make each chunk a scan and a sort.
            query = (
                f"SELECT {_COLUMNS} FROM rows INDEXED BY rows_position WHERE position > ? {where} "
                "ORDER BY position LIMIT ?"
            )
            records: list[tuple[Any, ...]] = await self._run(partial(_fetch, query, (after, *statuses, chunk)))
            for record in records:
                row = _row(record)
                if finished is None or row.finished == finished or row.damaged:
                    yield row
            if len(records) < chunk:
                return
            after = records[-1][1]

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
                _json_text(r.job_ids), _json_text(r.outputs), r.error_code, r.error_message, now,
            )
            for r in rows
        ]  # fmt: skip
        await self._write(
            lambda db: db.executemany(
                f"INSERT OR REPLACE INTO rows ({_COLUMNS}, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", values
            )
        )

    async def forget_new(self, first_position: int) -> None:
        """Take out the rows a failed plan journaled from ``first_position`` on (never sent: pending, no job ids)."""
        await self._write(
            lambda db: db.execute(
                "DELETE FROM rows WHERE position >= ? AND status = ? AND job_ids = '[]'", (first_position, PENDING)
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


def _json_text(values: Sequence[Any]) -> str:
    """A list as the journal stores it (``json.dumps``; a new row's empty lists without the encoder)."""
    return json.dumps(list(values)) if values else "[]"


def _problem(exc: sqlite3.Error) -> str:
    """What went wrong with the state file, for a person: the disk, a lock, or damage."""
    text = str(exc)
    if "full" in text:
        return f"The batch state file cannot be written: the disk is full ({text}); free space and run again to resume."
    if "locked" in text or "busy" in text:
        return f"The batch state file is locked by another process ({text}); run again once it is done."
    if isinstance(exc, sqlite3.DatabaseError) and "malformed" in text:
        return f"The batch state file is damaged ({text}); restore it from a copy, or start a new one."
    return f"The batch state file failed ({type(exc).__name__}: {text})"


def _select(row_ids: Sequence[str], db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The journaled rows of ``row_ids``, in indexed queries of :data:`LOOKUP_CHUNK` ids."""
    records: list[tuple[Any, ...]] = []
    for start in range(0, len(row_ids), LOOKUP_CHUNK):
        chunk = row_ids[start : start + LOOKUP_CHUNK]
        records += db.execute(
            f"SELECT {_COLUMNS} FROM rows WHERE row_id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
    return records


def _fetch(query: str, values: tuple[Any, ...], db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return db.execute(query, values).fetchall()


def _apply(db: sqlite3.Connection, ops: list[_Op]) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for op in ops:
            op(db)
        db.execute("COMMIT")
    except BaseException:
        # SQLite ends the transaction itself on some errors (SQLITE_FULL): roll back only what is open,
        # so that the error the caller sees is the one that happened.
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise
