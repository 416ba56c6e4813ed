"""Cursor pagination shared by every list endpoint.

Keyset pagination: items are ordered by a sort key that ends in the item's creation sequence
number, and the cursor holds the key of the last item served. The next page starts strictly
after that key, so items created while a client pages (newer, hence earlier in a newest-first
order) neither repeat nor shift later pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from ._errors import ApiError

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "paginate", "paginate_presorted"]

T = TypeVar("T")
SortKey = tuple[float, ...]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _encode(order: str, key: SortKey) -> str:
    raw = json.dumps({"o": order, "k": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> ApiError:
    # A cursor that does not decode is a malformed request (400 bad_request), not a schema
    # violation: the schema types ``cursor`` as any string.
    return ApiError(400, "bad_request", "The cursor is not valid for this list.", {"fields": {"cursor": "invalid"}})


def _decode(order: str, cursor: str) -> SortKey:
    bad = _bad_cursor()
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("o") != order:
        raise bad
    key = data.get("k")
    if not isinstance(key, list) or not key:
        raise bad
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in key):
        raise bad
    return tuple(float(v) for v in key)


def paginate(
    items: Sequence[T],
    sort_key: Callable[[T], SortKey],
    *,
    order: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[T], bool, str | None]:
    """``(page, has_more, next_cursor)`` of ``items`` in ascending ``sort_key`` order.

    ``order`` names the ordering (and its filters' shape); a cursor minted for another
    ordering is rejected rather than silently misread.
    """
    keyed = sorted(((sort_key(item), item) for item in items), key=lambda pair: pair[0])
    if cursor is not None:
        after = _decode(order, cursor)
        if keyed and len(keyed[0][0]) != len(after):
            raise _bad_cursor()
        keyed = [pair for pair in keyed if pair[0] > after]
    page = keyed[:limit]
    has_more = len(keyed) > limit
    next_cursor = _encode(order, page[-1][0]) if has_more else None
    return [item for _, item in page], has_more, next_cursor


def paginate_presorted(
    items: Iterable[T],
    sort_key: Callable[[T], SortKey],
    *,
    order: str,
    limit: int,
    cursor: str | None,
    keep: Callable[[T], bool] = lambda _: True,
) -> tuple[list[T], bool, str | None]:
    """Like :func:`paginate` for ``items`` already in ascending key order, filtered by ``keep``.

    Stops after ``limit + 1`` kept items, and applies ``keep`` only after the cursor, so
    paging through a long job list stays cheap (no sort, no status computed for skipped jobs).
    """
    after = _decode(order, cursor) if cursor is not None else None
    page: list[tuple[SortKey, T]] = []
    for item in items:
        key = sort_key(item)
        if after is not None:
            if len(key) != len(after):
                raise _bad_cursor()
            if key <= after:
                continue
        if not keep(item):
            continue
        page.append((key, item))
        if len(page) > limit:
            break
    has_more = len(page) > limit
    page = page[:limit]
    next_cursor = _encode(order, page[-1][0]) if has_more else None
    return [item for _, item in page], has_more, next_cursor
