"""Printing results and errors: JSON for scripts, tables for people, nothing secret for anyone.

* ``--json``: stdout carries only the data, one JSON document; an error goes to stderr as
  one JSON object (see ``_exit``). Progress and notes are never printed.
* Human output on a terminal: rich tables, colour (unless ``NO_COLOR``), a spinner while waiting.
* Human output piped to a file or another program: plain text without colour or progress:
  a list is tab-separated lines under a header line, a record ``key: value`` lines.

Everything printed goes through :func:`~sume_async.cli._redact.redact`.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from ._exit import ExitCode, error_object, exit_code_for
from ._redact import redact, secret_values

__all__ = ["Output", "to_data"]


def to_data(value: Any) -> Any:
    """A JSON-able copy of an SDK value: generated models, attrs classes, enums, dates, paths."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_data(to_dict())
    if attrs.has(type(value)):
        return to_data(attrs.asdict(value, recurse=False))
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_data(v) for v in value]
    if isinstance(value, enum.Enum):
        return to_data(value.value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)


@attrs.define
class Output:
    """Where a command's results, notes and errors go, and in what form.

    ``json``: machine output (``--json``). ``show_urls``: print media URLs (``--show-urls``).
    The streams default to ``sys.stdout``/``sys.stderr``; ``interactive`` is whether stdout
    is a terminal (tables and colour), ``progress`` whether stderr is (spinners, notes).
    """

    json: bool = False
    show_urls: bool = False
    stdout: IO[str] = attrs.field(factory=lambda: sys.stdout)
    stderr: IO[str] = attrs.field(factory=lambda: sys.stderr)
    #: Ids of jobs this command created: every error report names them, so nobody pays twice.
    created: list[str] = attrs.field(factory=list)
    #: The Idempotency-Key of a create in flight: if it fails before a job id is known, the error
    #: gives it, and a rerun with ``--idempotency-key`` gets that job instead of paying for another.
    idempotency_key: str | None = None

    @property
    def interactive(self) -> bool:
        return not self.json and _isatty(self.stdout)

    @property
    def progress(self) -> bool:
        return not self.json and _isatty(self.stderr)

    def safe(self, value: Any) -> Any:
        """``value`` as JSON-able data with secrets (and media URLs, unless shown) redacted."""
        return redact(to_data(value), show_urls=self.show_urls, secrets=secret_values())

    # -- results -------------------------------------------------------------------------

    def data(self, value: Any, *, columns: Sequence[str] | None = None, title: str | None = None) -> None:
        """Print a result: a record (mapping), a list of records, or a scalar.

        ``columns`` picks the table columns of a list (dotted paths into each record);
        JSON output always carries every field.
        """
        safe = self.safe(value)
        if self.json:
            self.stdout.write(json.dumps(safe, ensure_ascii=False, separators=(",", ":")) + "\n")
        elif isinstance(safe, list):
            self._table(safe, columns, title)
        elif isinstance(safe, dict):
            self._record(safe, title)
        else:
            self.stdout.write(f"{safe}\n")
        self.stdout.flush()

    def page(self, items: Sequence[Any], next_cursor: str | None, *, columns: Sequence[str] | None = None) -> None:
        """One page of a list: ``{"data": [...], "next_cursor": ...}`` in JSON, a table otherwise."""
        if self.json:
            self.data({"data": list(items), "next_cursor": next_cursor})
            return
        self.data(list(items), columns=columns)
        if next_cursor:
            self.note(f"More results: add --cursor {self.safe(next_cursor)}")

    def note(self, text: str) -> None:
        """A line for the person at the terminal (stderr); silent with ``--json``."""
        if not self.json:
            self._console(self.stderr).print(text, markup=False, highlight=False)

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner on stderr while the block runs, only when stderr is a terminal."""
        if not self.progress:
            yield
            return
        with self._console(self.stderr).status(text):
            yield

    # -- errors --------------------------------------------------------------------------

    def error(self, exc: BaseException, *, option_for: dict[str, str] | None = None) -> ExitCode:
        """Report ``exc`` on stderr and return its exit code (see ``_exit``)."""
        obj = self.safe(error_object(exc, option_for=option_for))
        if self.created:
            obj["job_ids"] = list(self.created)
        elif self.idempotency_key is not None:
            obj["idempotency_key"] = self.idempotency_key
        if self.json:
            self.stderr.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            extra = f" [{obj['code']}]" if obj.get("code") else ""
            rid = f" (request_id {obj['request_id']})" if obj.get("request_id") else ""
            console = self._console(self.stderr)
            console.print(f"Error{extra}: {obj['message']}{rid}", style="bold red", markup=False, highlight=False)
            if self.created:
                ids = " ".join(self.created)
                console.print(f"Created jobs go on; to see them through: sume-async jobs wait {ids}", markup=False)
            elif self.idempotency_key is not None:
                console.print(
                    f"If a job was created, rerunning with --idempotency-key {self.idempotency_key} "
                    "returns it instead of paying again (for 24 h).",
                    markup=False,
                )
        self.stderr.flush()
        return exit_code_for(exc)

    # -- rendering -----------------------------------------------------------------------

    def _console(self, stream: IO[str]) -> Any:
        from rich.console import Console

        tty = _isatty(stream)
        return Console(file=stream, force_terminal=tty, no_color=not tty, highlight=False, soft_wrap=not tty)

    def _table(self, rows: list[Any], columns: Sequence[str] | None, title: str | None) -> None:
        records = [r if isinstance(r, dict) else {"value": r} for r in rows]
        cols = list(columns) if columns else _columns_of(records)
        cells = [[_cell(_dig(r, c)) for c in cols] for r in records]
        if not self.interactive:
            self.stdout.write("\t".join(cols) + "\n")
            for line in cells:
                self.stdout.write("\t".join(_plain(c) for c in line) + "\n")
            return
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for c in cols:
            table.add_column(c, overflow="fold")
        for line in cells:
            table.add_row(*line)
        if not rows:
            self._console(self.stdout).print("(none)")
            return
        self._console(self.stdout).print(table)

    def _record(self, record: dict[str, Any], title: str | None) -> None:
        flat = list(_flatten(record))
        if not self.interactive:
            for key, value in flat:
                self.stdout.write(f"{key}: {_plain(_cell(value))}\n")
            return
        from rich.table import Table

        table = Table(title=title, show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for key, value in flat:
            table.add_row(key, _cell(value))
        self._console(self.stdout).print(table)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _columns_of(records: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in records[:50]:
        for k, v in r.items():
            if k not in cols and not isinstance(v, dict | list) and k != "object":
                cols.append(k)
    return cols or ["value"]


def _dig(record: Mapping[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _flatten(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _plain(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
