"""Checking rows by the SDK's own rules, without sending anything: ``--dry-run`` and every run's plan.

One path for both: :class:`RowChecker` checks a row's parameters as its create method would
(unknown and missing parameters included, a face swap ``source`` file must exist) and raises
``InvalidInputError`` naming the row and the field. :func:`check_rows` streams any number of
rows through it and counts them; :func:`~sume_async.batch.plan_rows` checks every row it will
create with the same checker, so a dry run refuses exactly what a real run would.

A row is checked by its operation's ``check`` (the operations table: the schema's rules, one
function per rule, unknown and missing parameters included), which builds the JSON body once
with no client, request, transport or event loop: about as fast as parsing the row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import anyio.lowlevel

from .._errors import InvalidInputError
from ._rows import KINDS, Row, parse_row

__all__ = ["RowChecker", "check_rows"]

_PLACEHOLDER_MEDIA = "https://dry-run.invalid/source.mp4"
#: A valid key, so that checking a row does not draw a random one (the real run sends its own).
_DRY_RUN_KEY = "sume-batch-dry-run"


class RowChecker:
    """Checks rows without sending anything: ``async with RowChecker(base_dir) as check: await check(row, label)``.

    :meth:`body` is the same check, synchronous, returning the JSON body the create would send.
    """

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def __call__(self, row: Row, label: str) -> None:
        """``InvalidInputError`` (``<label>.params.<field>``) if ``row`` would be refused."""
        self.body(row, label)

    def body(self, row: Row, label: str) -> dict[str, Any]:
        """The JSON body ``row``'s create would send; ``InvalidInputError`` naming ``label`` if it would be refused."""
        kind = KINDS[row.kind]
        try:
            body = kind.check(row.params)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{label}.params.{exc.field}", exc.problem) from None
        source = kind.local_source
        if source is not None and source.param in row.params:
            path = row.source_path(self.base_dir)
            if path is None or not path.is_file():
                raise InvalidInputError(f"{label}.params.{source.param}", "no such file")
        return body


class Labels(Protocol):
    """Where row ``i`` comes from, for error messages (a list, or a stream's current line)."""

    def __getitem__(self, index: int, /) -> str: ...


async def check_rows(
    rows: Iterable[Row | Mapping[str, Any]], *, base_dir: Path | None = None, where: Labels | None = None
) -> Counter[str]:
    """Rows per kind; ``InvalidInputError`` naming the row (``where[i]``) and field of the first bad one.

    ``rows`` is streamed (a generator of a million rows is fine); duplicate ids are refused.
    """
    counts: Counter[str] = Counter()
    labels = where if where is not None else getattr(rows, "where", None)
    seen: set[str] = set()
    async with RowChecker(base_dir) as check:
        for index, value in enumerate(rows):
            label = labels[index] if labels is not None else f"rows[{index}]"
            row = parse_row(value, where=label)
            if row.id in seen:
                raise InvalidInputError(f"{label}.id", f"duplicate row id {row.id!r}")
            seen.add(row.id)
            check.body(row, label)  # synchronous: once per row, no coroutine
            counts[row.kind] += 1
            if index % 1024 == 1023:  # let the event loop run between chunks of rows
                await anyio.lowlevel.checkpoint()
    return counts
