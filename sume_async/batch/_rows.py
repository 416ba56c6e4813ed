"""Rows of a batch: what each kind creates, and checking a row before anything is sent.

A row is ``{"id": "sku-1", "kind": "image", "params": {...}}``; ``params`` are the keyword
arguments of the kind's create method. :data:`KINDS` is built from the operations table
(``_operations.OPERATIONS``): each batch kind is an operation's ``batch_kind``; its create
method, job type, jobs per row and local source file come from that row, not from here.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from .._errors import InvalidInputError
from .._operations import OPERATIONS, LocalSource, Operation
from ._canonical import canonical_json

if TYPE_CHECKING:
    from .._client import AsyncSume

__all__ = ["KINDS", "Kind", "Row", "parse_row"]

MAX_ROW_ID = 200
_CONTROL = re.compile(r"[\x00-\x1f]")

#: Face Swap's local source parameter (the operations table's ``local_source.param``), kept as a
#: name for older imports; the batch reads it from the table.
SOURCE_PARAM = "source"


@attrs.frozen
class Kind:
    """One row kind: an operation of the operations table that batches offer."""

    name: str
    operation: Operation

    @property
    def job_type(self) -> str:
        return str(self.operation.job_type.value)

    @property
    def path(self) -> tuple[str, ...]:
        return self.operation.client_path

    @property
    def method_name(self) -> str:
        return self.operation.method

    @property
    def local_source(self) -> LocalSource | None:
        return self.operation.local_source

    def method(self, client: AsyncSume) -> Callable[..., Awaitable[Any]]:
        """The bound create method of ``client``."""
        return cast(Callable[..., Awaitable[Any]], self.operation.bound(client))

    def parameters(self) -> Mapping[str, Mapping[str, Any]]:
        """The parameters a row may give, each with its schema rule (a local source as a string)."""
        found = dict(self.operation.parameters())
        if self.local_source is not None:
            found[self.local_source.param] = {"type": "string"}
        return found

    def signature(self) -> dict[str, inspect.Parameter]:
        """The keyword arguments a row may give, by name (required ones have no default)."""
        required = self.operation.required()
        if self.local_source is not None:
            required = required - {self.local_source.field}
        empty = inspect.Parameter.empty
        return {
            name: inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=empty if name in required else None)
            for name in self.parameters()
        }

    def jobs(self, params: Mapping[str, Any]) -> int:
        """How many jobs a row with ``params`` creates (Face Swap: one per avatar)."""
        return self.operation.jobs_per_create(params)

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON body the create would send (``InvalidInputError`` naming the field): the operation's check."""
        return self.operation.check(params)


KINDS: Mapping[str, Kind] = {
    op.batch_kind: Kind(op.batch_kind, op) for op in OPERATIONS.values() if op.batch_kind is not None
}


def _as_dict(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(params)


@attrs.frozen
class Row:
    """One unit of work: ``id`` is unique in the batch, ``params`` are the create method's arguments.

    For ``face_swap`` rows, ``params["source"]`` may name a local video file (absolute, or
    relative to the batch's ``base_dir``) in place of ``media_url``.
    """

    id: str
    kind: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_as_dict)
    #: The canonical JSON of ``params``, set by :func:`parse_row` (what the fingerprint hashes): a
    #: row that has it was checked by that function, and parsing it again returns it as it is.
    _canonical: str | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def jobs(self) -> int:
        """How many jobs the row creates (the operation's ``jobs_per_create``: one per avatar for Face Swap)."""
        return KINDS[self.kind].jobs(self.params)

    @property
    def canonical(self) -> str | None:
        """``params`` as canonical JSON (sorted keys, no spaces), when :func:`parse_row` made the row."""
        return self._canonical

    def source_path(self, base_dir: Path | None) -> Path | None:
        """The row's local source file, resolved against ``base_dir``; ``None`` if it has none."""
        source = KINDS[self.kind].local_source if self.kind in KINDS else None
        value = self.params.get(source.param) if source is not None else None
        if value is None:
            return None
        path = Path(str(value)).expanduser()
        return path if path.is_absolute() or base_dir is None else base_dir / path


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_FIELDS = frozenset({"id", "kind", "params"})


def _check_id(row_id: object, where: str) -> str:
    if isinstance(row_id, int) and not isinstance(row_id, bool):
        row_id = str(row_id)
    if not isinstance(row_id, str) or not row_id.strip() or len(row_id) > MAX_ROW_ID:
        raise InvalidInputError(f"{where}.id", f"must be a non-empty string of at most {MAX_ROW_ID} characters")
    if row_id.isascii() and row_id.isprintable():  # the usual id, checked at C speed
        return row_id
    if _CONTROL.search(row_id):
        raise InvalidInputError(f"{where}.id", "must not contain control characters")
    if not _is_text(row_id):
        raise InvalidInputError(f"{where}.id", "must be valid Unicode text (it holds a lone surrogate)")
    return row_id


def parse_row(value: Any, *, where: str = "row") -> Row:
    """A :class:`Row` from a mapping (or a ``Row``); ``InvalidInputError`` naming ``where`` and the field."""
    # A manifest's rows pass here once per row: the usual case (a dict from JSON) is tested first.
    if type(value) is not dict:
        if isinstance(value, Row):
            if value._canonical is not None:  # made by this function: not checked twice
                return value
            value = {"id": value.id, "kind": value.kind, "params": value.params}
        elif not isinstance(value, Mapping):
            raise InvalidInputError(where, "must be an object with id, kind and params")
    if not value.keys() <= _FIELDS:
        unknown = sorted(set(value) - _FIELDS)
        raise InvalidInputError(f"{where}.{unknown[0]}", "unknown field (expected id, kind, params)")
    row_id = _check_id(value.get("id"), where)
    kind = value.get("kind")
    if kind not in KINDS:
        raise InvalidInputError(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    params = value.get("params", {})
    if not (type(params) is dict or isinstance(params, Mapping)) or not _str_keys(params):
        raise InvalidInputError(f"{where}.params", "must be an object")
    try:
        canonical = canonical_json(params)
    except RecursionError:
        raise InvalidInputError(f"{where}.params", "are nested too deeply") from None
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}.params", "must be plain JSON values (no NaN or Infinity)") from None
    if not canonical.isascii() and not _is_text(canonical):
        raise InvalidInputError(f"{where}.params", "must be valid Unicode text (they hold a lone surrogate)")
    source = KINDS[str(kind)].local_source
    if source is not None:
        has_source, has_url = source.param in params, source.field in params
        if has_source == has_url:
            raise InvalidInputError(
                f"{where}.params", f"a {kind} row needs exactly one of {source.param} or {source.field}"
            )
        if has_source and (not isinstance(params[source.param], str) or not params[source.param]):
            raise InvalidInputError(f"{where}.params.{source.param}", "must be a file path")
    row = Row(row_id, str(kind), params)
    object.__setattr__(row, "_canonical", canonical)  # frozen: set once, here
    return row


def _str_keys(params: Mapping[Any, Any]) -> bool:
    # A loop, not all(...): once per manifest row, and a generator costs more than the test.
    for key in params:  # noqa: SIM110
        if type(key) is not str and not isinstance(key, str):
            return False
    return True
