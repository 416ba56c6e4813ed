"""Checking rows by the SDK's own rules, without sending anything: ``--dry-run`` and every run's plan.

One path for both: :class:`RowChecker` checks a row's parameters as its create method would
(unknown and missing parameters included, a face swap ``source`` file must exist) and raises
``InvalidInputError`` naming the row and the field. :func:`check_rows` streams any number of
rows through it and counts them; :func:`~sume_async.batch.plan_rows` checks every row it will
create with the same checker, so a dry run refuses exactly what a real run would.

Each row's create method runs on its resource built over a caller that stops at the first
step that would send: the SDK validates every argument and builds the request body first, so
an ``InvalidInputError`` means a bad row, and reaching the caller (with the body) means the
row is valid. No client, request, transport or event-loop round trip per row: the coroutine
is driven by hand, to the point where it would have sent.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from .._errors import InvalidInputError
from ._rows import KINDS, SOURCE_PARAM, Row, parse_row

__all__ = ["RowChecker", "check_rows"]

_PLACEHOLDER_MEDIA = "https://dry-run.invalid/source.mp4"
#: A valid key, so that checking a row does not draw a random one (the real run sends its own).
_DRY_RUN_KEY = "sume-batch-dry-run"


class _Built(Exception):
    """Raised by the stopping caller: the body the create would have sent."""

    def __init__(self, body: Any) -> None:
        self.body = body


class _StopBeforeSending:
    """Stands in for the ``EndpointCaller``: the first call it receives is the request, never sent."""

    async def call(self, endpoint: Any, model: Any, **kwargs: Any) -> Any:
        raise _Built(kwargs.get("body"))


class RowChecker:
    """Checks rows without sending anything: ``async with RowChecker(base_dir) as check: await check(row, label)``.

    :meth:`body` is the same check, synchronous, returning the JSON body the create would send.
    """

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir
        caller: Any = _StopBeforeSending()
        self._methods = {name: getattr(kind.owner(caller), kind.method_name) for name, kind in KINDS.items()}
        self._signatures = {name: kind.signature() for name, kind in KINDS.items()}
        self._required = {
            name: [
                p for p, parameter in signature.items()
                if parameter.default is inspect.Parameter.empty and p not in (SOURCE_PARAM, "media_url")
            ]
            for name, signature in self._signatures.items()
        }  # fmt: skip

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
        allowed = self._signatures[row.kind]
        params = dict(row.params)
        for name in params:
            if name not in allowed:
                raise InvalidInputError(f"{label}.params.{name}", f"not a parameter of {row.kind}")
        for name in self._required[row.kind]:
            if name not in params:
                raise InvalidInputError(f"{label}.params.{name}", "is required")
        if SOURCE_PARAM in params:
            path = row.source_path(self.base_dir)
            if path is None or not path.is_file():
                raise InvalidInputError(f"{label}.params.source", "no such file")
            params.pop(SOURCE_PARAM)
            params["media_url"] = _PLACEHOLDER_MEDIA
        try:
            coroutine = self._methods[row.kind](**params, idempotency_key=_DRY_RUN_KEY)
        except TypeError:
            raise InvalidInputError(f"{label}.params", "do not match the create method") from None
        try:
            coroutine.send(None)
        except _Built as built:
            body = built.body
            return dict(body.to_dict()) if hasattr(body, "to_dict") else dict(body or {})
        except InvalidInputError as exc:
            raise InvalidInputError(f"{label}.params.{exc.field}", exc.problem) from None
        except TypeError:
            raise InvalidInputError(f"{label}.params", "do not match the create method") from None
        except StopIteration:
            pass
        coroutine.close()
        raise RuntimeError(f"the {row.kind} create did not stop before sending")  # a bug of this module


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
            await check(row, label)
            counts[row.kind] += 1
    return counts
