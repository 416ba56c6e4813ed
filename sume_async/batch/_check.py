"""Checking rows by the SDK's own rules, without sending anything: ``--dry-run`` and every run's plan.

One path for both: :class:`RowChecker` checks a row's parameters as its create method would
(unknown and missing parameters included, a face swap ``source`` file must exist) and raises
``InvalidInputError`` naming the row and the field. :func:`check_rows` streams any number of
rows through it and counts them; :func:`~sume_async.batch.plan_rows` checks every row it will
create with the same checker, so a dry run refuses exactly what a real run would.

Each row's create method is called on a client whose transport refuses to send: the SDK
validates every argument before it builds a request, so an ``InvalidInputError`` means a bad
row, and reaching the transport means the row is valid. Nothing leaves the process.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from .._client import AsyncSume
from .._errors import APIStatusError, InvalidInputError
from ._rows import KINDS, SOURCE_PARAM, Row, parse_row

__all__ = ["RowChecker", "check_rows"]

_PLACEHOLDER_MEDIA = "https://dry-run.invalid/source.mp4"
#: What the refusing transport answers (never retried, never logged as a give-up).
_REFUSED = 418


class _Refuse(httpx.AsyncBaseTransport):
    """A transport that never sends: the request reaching it proves the arguments passed validation."""

    sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(_REFUSED, json={"error": {"code": "dry_run", "message": "not sent"}})


class RowChecker:
    """Checks rows without sending anything: ``async with RowChecker(base_dir) as check: await check(row, label)``."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self.base_dir = base_dir
        self._http: httpx.AsyncClient | None = None
        self._client: AsyncSume | None = None

    async def __aenter__(self) -> Self:
        self._http = httpx.AsyncClient(transport=_Refuse())
        self._client = AsyncSume("dry-run", base_url="https://dry-run.invalid", http_client=self._http, max_retries=0)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.close()
        if self._http is not None:
            await self._http.aclose()

    async def __call__(self, row: Row, label: str) -> None:
        """``InvalidInputError`` (``<label>.params.<field>``) if ``row`` would be refused."""
        assert self._client is not None, "use `async with RowChecker(...)`"
        kind = KINDS[row.kind]
        allowed = kind.signature()
        params = dict(row.params)
        for name in params:
            if name not in allowed:
                raise InvalidInputError(f"{label}.params.{name}", f"not a parameter of {row.kind}")
        for name, parameter in allowed.items():
            required = parameter.default is inspect.Parameter.empty and name not in (SOURCE_PARAM, "media_url")
            if required and name not in params:
                raise InvalidInputError(f"{label}.params.{name}", "is required")
        if SOURCE_PARAM in params:
            path = row.source_path(self.base_dir)
            if path is None or not path.is_file():
                raise InvalidInputError(f"{label}.params.source", "no such file")
            params.pop(SOURCE_PARAM)
            params["media_url"] = _PLACEHOLDER_MEDIA
        try:
            await kind.method(self._client)(**params)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{label}.params.{exc.field}", exc.problem) from None
        except APIStatusError as exc:
            if exc.status_code != _REFUSED:
                raise
            # Validated, then stopped by the transport before anything left: the row is good.
        except TypeError:
            raise InvalidInputError(f"{label}.params", "do not match the create method") from None


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
