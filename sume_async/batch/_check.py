"""Checking rows with the SDK's own validation, without sending anything (``--dry-run``).

Each row's create method is called on a client whose transport refuses to send: the SDK
validates every argument before it builds a request, so an ``InvalidInputError`` means a bad
row, and reaching the transport means the row is valid. Nothing leaves the process.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

from .._client import AsyncSume
from .._errors import APIStatusError, InvalidInputError
from ._rows import KINDS, SOURCE_PARAM, Row

__all__ = ["check_rows"]

_PLACEHOLDER_MEDIA = "https://dry-run.invalid/source.mp4"
#: What the refusing transport answers (never retried, never logged as a give-up).
_REFUSED = 418


class _Refuse(httpx.AsyncBaseTransport):
    """A transport that never sends: the request reaching it proves the arguments passed validation."""

    sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(_REFUSED, json={"error": {"code": "dry_run", "message": "not sent"}})


async def check_rows(
    rows: Sequence[Row], *, base_dir: Path | None = None, where: Sequence[str] | None = None
) -> Counter[str]:
    """Rows per kind; ``InvalidInputError`` naming the row (``where[i]``) and field of the first bad one."""
    counts: Counter[str] = Counter()
    refuse = _Refuse()
    async with (
        httpx.AsyncClient(transport=refuse) as http,
        AsyncSume("dry-run", base_url="https://dry-run.invalid", http_client=http, max_retries=0) as dry,
    ):
        for index, row in enumerate(rows):
            label = where[index] if where is not None else f"row {row.id!r}"
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
                path = row.source_path(base_dir)
                if path is None or not path.is_file():
                    raise InvalidInputError(f"{label}.params.source", "no such file")
                params.pop(SOURCE_PARAM)
                params["media_url"] = _PLACEHOLDER_MEDIA
            try:
                await kind.method(dry)(**params)
            except InvalidInputError as exc:
                raise InvalidInputError(f"{label}.params.{exc.field}", exc.problem) from None
            except APIStatusError as exc:
                if exc.status_code != _REFUSED:
                    raise
                # Validated, then stopped by the transport before anything left: the row is good.
            except TypeError:
                raise InvalidInputError(f"{label}.params", "do not match the create method") from None
            counts[row.kind] += 1
    return counts
