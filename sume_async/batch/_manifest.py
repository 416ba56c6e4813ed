"""Reading a batch manifest: JSONL rows, or CSV with one kind for every row.

JSONL: one ``{"id", "kind", "params"}`` object per line (blank lines skipped). CSV: a header
with an ``id`` column; every other column is a parameter of ``kind``'s create method, typed
from that method's signature (integers, booleans, lists as JSON arrays or ``|``-separated);
empty cells are left out. Errors name the line and the field.

Either format is read as a stream (:func:`iter_manifest`), a line at a time: a line over
:data:`MAX_LINE` characters is refused as soon as the cap is reached, before the rest of it is
read; a CSV cell over the csv module's cap, JSON nested too deeply and row ids that are not
valid text are refused naming their line. A UTF-8 byte-order mark (Excel's "CSV UTF-8") is
accepted.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError
from ._rows import KINDS, Row, parse_row

__all__ = ["Manifest", "ManifestFile", "in_shard", "iter_manifest", "load_manifest"]

MAX_LINE = 1024 * 1024


class Manifest(list[Row]):
    """The rows of a manifest, with ``where[i]``: the file and line of row ``i`` (for error messages)."""

    where: list[str]


class ManifestFile:
    """A manifest read from its file each time it is iterated: ``Batch(...).run(ManifestFile(path))``.

    Nothing is held but the current line's label (``where[i]``, for error messages): a run
    checks and journals every row in a first pass, then reads the file again for the rows it
    creates, so memory stays flat however many rows the file has. ``shard=(i, n)`` keeps the
    rows of that shard (:func:`in_shard`).
    """

    def __init__(self, path: str | Path, *, kind: str | None = None, shard: tuple[int, int] | None = None) -> None:
        self.path = Path(path)
        self.kind = kind
        self.shard = check_shard(shard)
        self._where = ""

    def __iter__(self) -> Iterator[Row]:
        for where, row in iter_manifest(self.path, kind=self.kind):
            if in_shard(row.id, self.shard):
                self._where = where
                yield row

    def __getitem__(self, index: int) -> str:
        return self._where

    @property
    def where(self) -> ManifestFile:
        """The labels, as a :class:`Manifest` has them (here: the current row's, whatever ``i``)."""
        return self


def load_manifest(path: str | Path, *, kind: str | None = None) -> Manifest:
    """The rows of a ``.jsonl`` manifest, or of a ``.csv`` one (``kind`` required for CSV)."""
    found = list(iter_manifest(path, kind=kind))
    rows = Manifest(row for _, row in found)
    rows.where = [where for where, _ in found]
    return rows


def iter_manifest(path: str | Path, *, kind: str | None = None) -> Iterator[tuple[str, Row]]:
    """``(where, row)`` for each row of a manifest, read as a stream (``where``: its file and line).

    Memory stays flat whatever the manifest's size, but for the ids seen so far (duplicates
    are refused, naming both lines).
    """
    manifest = Path(path)
    is_csv = manifest.suffix.lower() == ".csv"
    if is_csv and kind is None:
        raise InvalidInputError("kind", "a CSV manifest needs --kind (every row is of that kind)")
    if kind is not None and kind not in KINDS:
        raise InvalidInputError("kind", f"must be one of {', '.join(KINDS)}")
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            yield from _csv_rows(handle, kind or "", manifest.name) if is_csv else _jsonl_rows(handle, manifest.name)
    except OSError:
        raise InvalidInputError("manifest", f"cannot read {manifest.name}") from None
    except UnicodeDecodeError:
        raise InvalidInputError("manifest", f"{manifest.name} is not UTF-8 text") from None


def _lines(handle: Any, name: str) -> Iterator[tuple[int, str]]:
    """Numbered lines, each read only up to the cap (a longer line is refused before the rest is read)."""
    number = 0
    while line := handle.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise InvalidInputError(f"{name} line {number}", f"line is too long (over {MAX_LINE} characters)")
        yield number, line


def _jsonl_rows(handle: Any, name: str) -> Iterator[tuple[str, Row]]:
    seen: dict[str, int] = {}
    for number, line in _lines(handle, name):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            value = json.loads(line)
        except RecursionError:
            raise InvalidInputError(where, "is nested too deeply") from None
        except ValueError:
            raise InvalidInputError(where, "is not valid JSON") from None
        row = parse_row(value, where=where)
        _unique(row, seen, number, where)
        yield where, row


def _unique(row: Row, seen: dict[str, int], number: int, where: str) -> None:
    if row.id in seen:
        raise InvalidInputError(f"{where}.id", f"duplicate row id {row.id!r} (first on line {seen[row.id]})")
    seen[row.id] = number


def _csv_rows(handle: Any, kind: str, name: str) -> Iterator[tuple[str, Row]]:
    reader = csv.DictReader(handle)
    try:
        fieldnames = reader.fieldnames
    except csv.Error:
        raise InvalidInputError(f"{name} line 1", "is not a valid CSV header") from None
    if fieldnames is None or "id" not in fieldnames:
        raise InvalidInputError(f"{name} line 1", "the header needs an id column")
    annotations = _annotations(kind)
    unknown = [f for f in fieldnames if f != "id" and f not in annotations]
    if unknown:
        raise InvalidInputError(f"{name} line 1.{unknown[0]}", f"not a parameter of {kind}")
    seen: dict[str, int] = {}
    for record in _records(reader, name):
        number = reader.line_num
        where = f"{name} line {number}"
        if None in record:
            raise InvalidInputError(where, "has more cells than the header")
        params = {}
        for field, cell in record.items():
            if field == "id" or cell is None or cell == "":
                continue
            params[field] = _typed(cell, annotations[field], f"{where}.params.{field}")
        row = parse_row({"id": record.get("id") or "", "kind": kind, "params": params}, where=where)
        _unique(row, seen, number, where)
        yield where, row


def _records(reader: csv.DictReader[str], name: str) -> Iterator[dict[str | Any, str | Any]]:
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = "a cell is too large" if "field limit" in str(exc) else "is not valid CSV"
            # The line being read when the cell overflowed is not counted yet.
            raise InvalidInputError(f"{name} line {reader.line_num + 1}", problem) from None
        yield record


def _annotations(kind: str) -> dict[str, str]:
    """Each parameter's JSON type, from the schema's rule (``string`` when it does not say)."""
    return {name: str(rule.get("type", "string")) for name, rule in KINDS[kind].parameters().items()}


def _typed(cell: str, json_type: str, where: str) -> Any:
    if json_type == "array":
        if cell.lstrip().startswith("["):
            try:
                value = json.loads(cell)
            except ValueError:
                raise InvalidInputError(where, "is not a JSON list") from None
            return value
        return [part.strip() for part in cell.split("|") if part.strip()]
    if json_type == "boolean":
        lowered = cell.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise InvalidInputError(where, "must be true or false")
    if json_type == "integer":
        try:
            return int(cell)
        except ValueError:
            raise InvalidInputError(where, "must be an integer") from None
    return cell


def check_shard(shard: tuple[int, int] | None) -> tuple[int, int] | None:
    """``shard`` as ``(i, n)`` with ``0 <= i < n``; ``InvalidInputError`` otherwise."""
    if shard is None:
        return None
    if (
        not isinstance(shard, tuple) or len(shard) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in shard)
        or not 0 <= shard[0] < shard[1]
    ):  # fmt: skip
        raise InvalidInputError("shard", "must be (i, n) with 0 <= i < n")
    return shard


def in_shard(row_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``row_id`` belongs to shard ``(i, n)``: a stable hash of the id, the same on every machine."""
    if shard is None:
        return True
    index, count = shard
    return int.from_bytes(hashlib.sha256(row_id.encode()).digest()[:8], "big") % count == index
