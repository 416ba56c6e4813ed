"""Asset Library filtering, text scoring and ordering.

The mock's search is plain text matching (case-insensitive, over the title and every metadata
value): enough to make search demos and pagination over ranked results realistic without
pretending to be semantic search. ``search_mode=auto`` therefore resolves to ``text``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._clock import isoformat
from ._state import AssetRecord

__all__ = ["SEARCH_MODES", "SORTS", "AssetQuery", "matches", "render_asset", "score", "sort_key"]

SORTS: tuple[str, ...] = ("relevance", "created_at_desc", "created_at_asc", "duration_desc")
SEARCH_MODES: tuple[str, ...] = ("auto", "text")
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class AssetQuery:
    """The filters of ``GET /assets`` (all optional)."""

    q: str | None = None
    search_mode: str | None = None
    source_type: str | None = None
    segment_type: str | None = None
    brand: str | None = None
    product: str | None = None
    tag: str | None = None
    keyword: str | None = None
    cta_present: bool | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: str | None = None

    @property
    def effective_sort(self) -> str:
        """Relevance when searching, newest first otherwise."""
        if self.sort is not None and (self.sort != "relevance" or self.q):
            return self.sort
        return "relevance" if self.q else "created_at_desc"


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _flatten(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _flatten(item)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


def searchable_text(asset: AssetRecord) -> str:
    return " ".join([asset.title or "", *_flatten(asset.metadata)]).lower()


def score(asset: AssetRecord, query: str) -> float:
    """0..1: 0.9 x the share of query words found in the asset's text, +0.1 for the exact phrase."""
    text = searchable_text(asset)
    phrase = query.strip().lower()
    words = _WORD_RE.findall(phrase) or ([phrase] if phrase else [])
    if not words:
        return 0.0
    found = set(_WORD_RE.findall(text))
    hits = sum(1 for word in words if word in found)
    if not hits:
        return 0.0
    return round(0.9 * hits / len(words) + (0.1 if phrase in text else 0.0), 4)


def _eq(actual: Any, wanted: str) -> bool:
    return isinstance(actual, str) and actual.lower() == wanted.lower()


def _contains(values: Any, wanted: str) -> bool:
    return isinstance(values, list) and any(_eq(v, wanted) for v in values)


def matches(asset: AssetRecord, query: AssetQuery) -> bool:
    """Whether ``asset`` passes every filter (the text query is scored separately)."""
    meta = asset.metadata
    checks: list[Callable[[], bool]] = [
        lambda: query.source_type is None or _eq(meta.get("source_type"), query.source_type),
        lambda: query.segment_type is None or _eq(meta.get("segment_type"), query.segment_type),
        lambda: query.brand is None or _eq(meta.get("brand"), query.brand),
        lambda: query.product is None or _eq(meta.get("product"), query.product),
        lambda: query.tag is None or _contains(meta.get("tags"), query.tag),
        lambda: query.keyword is None or _contains(meta.get("keywords"), query.keyword),
        lambda: query.cta_present is None or meta.get("cta_present") is query.cta_present,
        lambda: query.min_duration is None or asset.duration >= query.min_duration,
        lambda: query.max_duration is None or asset.duration <= query.max_duration,
        lambda: query.created_after is None or asset.created_at > query.created_after,
        lambda: query.created_before is None or asset.created_at < query.created_before,
    ]
    return all(check() for check in checks)


def sort_key(sort: str, scores: dict[str, float]) -> Callable[[AssetRecord], tuple[float, ...]]:
    """Ascending key for ``sort``; the creation sequence breaks ties so the order is total."""
    if sort == "relevance":
        return lambda a: (-scores.get(a.id, 0.0), -float(a.seq))
    if sort == "created_at_asc":
        return lambda a: (a.created_at.timestamp(), float(a.seq))
    if sort == "duration_desc":
        return lambda a: (-a.duration, -float(a.seq))
    return lambda a: (-a.created_at.timestamp(), -float(a.seq))


def render_asset(asset: AssetRecord, search: dict[str, Any] | None) -> dict[str, Any]:
    """The contract's Asset object (plus ``created_at``, which the filters are about)."""
    return {
        "id": asset.id,
        "object": "asset",
        "title": asset.title,
        "media_url": asset.media_url,
        "clip_url": asset.clip_url,
        "source_media_url": asset.source_media_url,
        "thumbnail_url": asset.thumbnail_url,
        "start_time_seconds": asset.start,
        "end_time_seconds": asset.end,
        "created_at": isoformat(asset.created_at),
        "metadata": dict(asset.metadata),
        "search": search,
    }
