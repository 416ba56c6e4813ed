r"""Printing results and errors: JSON for scripts, tables for people, nothing secret for anyone.

* ``--json``: stdout carries only the data, one JSON document; an error goes to stderr as
  one JSON object (see ``_exit``). Progress and notes are never printed.
* Human output on a terminal: rich tables, colour (unless ``NO_COLOR``), a spinner while waiting.
  Ids are never wrapped across lines (they are copied into the next command).
* Human output piped to a file or another program: plain text without colour or progress:
  a list is tab-separated lines under a header line, a record ``key: value`` lines.
* Control characters in human output (escape sequences from server text: clearing the
  screen, OSC 52 writing the clipboard, bidi overrides) are printed as visible escapes
  (``\x1b``), never raw. JSON escapes them by construction.
* A stream that cannot encode a character (a non-UTF-8 stdout) gets ``\uXXXX`` escapes in JSON
  and backslash escapes in text, never an error.

Everything printed goes through :func:`~sume_async.cli._redact.redact`.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import json
import os
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

import attrs

from ._exit import ExitCode, error_object, exit_code_for
from ._redact import redact, secret_values

__all__ = ["ListWriter", "Output", "sanitize", "to_data"]


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


def sanitize(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control and bidi-override characters shown as escapes (``\\x1b``), not sent raw.

    Tabs are kept; newlines too with ``keep_newlines`` (multi-line text the CLI itself composed
    around server strings).
    """
    if text.isprintable():
        return text
    return "".join(_visible(ch, keep_newlines) for ch in text)


def _visible(ch: str, keep_newlines: bool) -> str:
    if ch == "\t" or (keep_newlines and ch == "\n"):
        return ch
    if ch.isprintable() or (ch == " "):
        return ch
    category = unicodedata.category(ch)
    if category in ("Zs",):  # a space other than " " (no-break space...): harmless
        return ch
    if category == "Cf" and ord(ch) not in _BIDI_CONTROLS:  # zero-width joiners in names, emoji sequences
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Characters that reorder the text around them (Trojan Source): shown, never applied.
_BIDI_CONTROLS = frozenset({*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C})


def _dumps(value: Any, stream: IO[str]) -> str:
    """One line of JSON; non-ASCII is kept only when ``stream`` writes UTF-8."""
    return json.dumps(value, ensure_ascii=not _utf8(stream), separators=(",", ":"))


def _utf8(stream: IO[str]) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        import codecs

        return codecs.lookup(encoding).name in ("utf-8", "utf-16", "utf-32")
    except LookupError:
        return False


def _encodable(text: str, stream: IO[str]) -> str:
    """``text`` with what ``stream`` cannot encode as backslash escapes."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or _utf8(stream):
        return text
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    return text


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
            self.stdout.write(_dumps(safe, self.stdout) + "\n")
        elif isinstance(safe, list):
            self._table(safe, columns, title)
        elif isinstance(safe, dict):
            self._record(safe, title)
        else:
            self._write(sanitize(str(safe)) + "\n")
        self.stdout.flush()

    def json_line(self, value: Any, *, indent: int | None = None) -> None:
        """``value`` (already made safe) as JSON on stdout: non-ASCII kept only on a UTF-8 stream."""
        self.stdout.write(json.dumps(value, indent=indent, ensure_ascii=not _utf8(self.stdout)) + "\n")

    def text(self, text: str) -> None:
        """Human text composed by the CLI (a report): sanitized, newlines kept."""
        self._write(sanitize(text, keep_newlines=True))
        self.stdout.flush()

    def lines(self, *, columns: Sequence[str]) -> ListWriter:
        """A list printed page by page (``--all``): memory stays one page whatever its length."""
        return ListWriter(self, list(columns))

    def _write(self, text: str) -> None:
        self.stdout.write(_encodable(text, self.stdout))

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
            self._console(self.stderr).print(sanitize(text), markup=False, highlight=False)

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
            self.stderr.write(_dumps(obj, self.stderr) + "\n")
        else:
            extra = f" [{obj['code']}]" if obj.get("code") else ""
            rid = f" (request_id {obj['request_id']})" if obj.get("request_id") else ""
            console = self._console(self.stderr)
            line = sanitize(f"Error{extra}: {obj['message']}{rid}")
            console.print(line, style="bold red", markup=False, highlight=False)
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
        no_color = not tty or bool(os.environ.get("NO_COLOR"))  # no-color.org: set and not empty
        return Console(
            file=cast(IO[str], _EncodingSafe(stream)),
            force_terminal=tty,
            no_color=no_color,
            highlight=False,
            soft_wrap=not tty,
        )

    def _table(self, rows: list[Any], columns: Sequence[str] | None, title: str | None) -> None:
        records = [r if isinstance(r, dict) else {"value": r} for r in rows]
        cols = list(columns) if columns else _columns_of(records)
        cells = [[_cell(_dig(r, c)) for c in cols] for r in records]
        if not self.interactive:
            self._write("\t".join(sanitize(c) for c in cols) + "\n")
            for line in cells:
                self._write("\t".join(_plain(c) for c in line) + "\n")
            return
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for index, c in enumerate(cols):
            if _is_id_column(c):  # copied into the next command: never folded across lines
                width = max((len(line[index]) for line in cells), default=0)
                table.add_column(sanitize(c), no_wrap=True, min_width=min(width, 64), overflow="ellipsis")
            else:
                table.add_column(sanitize(c), overflow="fold")
        for line in cells:
            table.add_row(*(_encodable(cell, self.stdout) for cell in line))  # escaped before rich measures them
        if not rows:
            self._console(self.stdout).print("(none)")
            return
        self._console(self.stdout).print(table)

    def _record(self, record: dict[str, Any], title: str | None) -> None:
        flat = list(_flatten(record))
        if not self.interactive:
            for key, value in flat:
                self._write(f"{sanitize(key)}: {_plain(_cell(value))}\n")
            return
        from rich.table import Table

        table = Table(title=title, show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for key, value in flat:
            table.add_row(sanitize(key), _cell(value))
        self._console(self.stdout).print(table)


class ListWriter:
    """Prints a list as its pages arrive: JSON ``{"data": [...], "next_cursor": ...}``, lines or tables.

    ``close(next_cursor)`` ends the document; a list cut short (an error, a stop) is closed
    with the cursor to continue from, so the output is still whole JSON and says where it stopped.
    """

    def __init__(self, out: Output, columns: list[str]) -> None:
        self.out = out
        self.columns = columns
        self.count = 0
        self._started = False

    def add(self, items: Sequence[Any]) -> None:
        out = self.out
        safe = [out.safe(item) for item in items]
        if out.json:
            parts = [_dumps(item, out.stdout) for item in safe]
            head = '{"data":[' if not self._started else ("," if self.count and parts else "")
            out.stdout.write(head + ",".join(parts))
        elif out.interactive:
            if safe:
                out._table(safe, self.columns, None)
        else:
            if not self._started:
                out._write("\t".join(self.columns) + "\n")
            records = [r if isinstance(r, dict) else {"value": r} for r in safe]
            for record in records:
                out._write("\t".join(_plain(_cell(_dig(record, c))) for c in self.columns) + "\n")
        self._started = True
        self.count += len(safe)
        out.stdout.flush()

    def close(self, next_cursor: str | None) -> None:
        out = self.out
        if out.json:
            head = '{"data":[' if not self._started else ""
            out.stdout.write(f'{head}],"next_cursor":{_dumps(out.safe(next_cursor), out.stdout)}}}\n')
        elif not self._started or (out.interactive and not self.count):
            self.add([])
            if out.interactive and not self.count:
                out._console(out.stdout).print("(none)")
        out.stdout.flush()
        if next_cursor and not out.json:
            out.note(f"More results: add --cursor {out.safe(next_cursor)}")


class _EncodingSafe:
    """A text stream for rich that escapes what the real stream cannot encode."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_encodable(text, self._stream))

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return _isatty(self._stream)

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        """The real stream's: rich then draws ASCII boxes on a terminal that cannot show others."""
        return str(getattr(self._stream, "encoding", None) or "utf-8")


def _is_id_column(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return leaf == "id" or leaf.endswith("_id")


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
        return sanitize(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return sanitize(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _plain(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
