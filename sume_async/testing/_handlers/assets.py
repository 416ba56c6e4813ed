"""Asset Library listing, search and lookup (``GET /assets``, ``GET /assets/{assetId}``)."""

from __future__ import annotations

from typing import Any

from .._context import Call, Reply
from .._errors import ApiError
from .._lifecycle import job_state
from .._pagination import paginate
from .._search import SEARCH_MODES, SORTS, AssetQuery, matches, render_asset, score, sort_key
from .._state import AssetRecord
from .._validation import QueryReader

__all__ = ["get_asset", "list_assets"]


def _ingested(call: Call, asset: AssetRecord) -> bool:
    """Seeded assets always; uploaded ones once their ingest job has completed."""
    if asset.ingest_job_id is None:
        return True
    job = call.runtime.store.jobs[asset.ingest_job_id]
    return job_state(job, call.now)[0] == "completed"


def _visible(call: Call, asset: AssetRecord) -> bool:
    return asset.workspace_id in (None, call.workspace.id)


def _search(query: str, mode: str | None, value: float | None) -> dict[str, Any]:
    # The mock only has text search, so ``auto`` resolves to ``text``.
    del mode
    return {"mode": "text", "score": value, "query": query}


def list_assets(call: Call) -> Reply:
    reader = QueryReader(call.query)
    limit, cursor = reader.limit(), reader.cursor()
    query = AssetQuery(
        q=reader.string("q"),
        search_mode=reader.choice("search_mode", SEARCH_MODES),
        source_type=reader.string("source_type"),
        segment_type=reader.string("segment_type"),
        brand=reader.string("brand"),
        product=reader.string("product"),
        tag=reader.string("tag"),
        keyword=reader.string("keyword"),
        cta_present=reader.boolean("cta_present"),
        min_duration=reader.number("min_duration_seconds"),
        max_duration=reader.number("max_duration_seconds"),
        created_after=reader.datetime("created_after"),
        created_before=reader.datetime("created_before"),
        sort=reader.choice("sort", SORTS),
    )
    reader.done()
    candidates = [
        asset
        for asset in call.runtime.store.assets.values()
        if _visible(call, asset) and _ingested(call, asset) and matches(asset, query)
    ]
    scores: dict[str, float] = {}
    if query.q:
        scores = {asset.id: score(asset, query.q) for asset in candidates}
        candidates = [asset for asset in candidates if scores[asset.id] > 0]
    order = query.effective_sort
    page, has_more, next_cursor = paginate(
        candidates, sort_key(order, scores), order=f"assets:{order}", limit=limit, cursor=cursor
    )
    data = [
        render_asset(asset, _search(query.q, query.search_mode, scores[asset.id]) if query.q else None)
        for asset in page
    ]
    return Reply(200, {"object": "list", "data": data, "has_more": has_more, "next_cursor": next_cursor})


def get_asset(call: Call) -> Reply:
    """One asset; with ``q`` it carries the search context (``search_score`` wins over a rescore).

    An uploaded video's own asset is visible here as soon as it is finalized, its scenes only
    after ingest.
    """
    asset = call.runtime.store.assets.get(call.path_params["assetId"])
    if asset is None or not _visible(call, asset) or not (asset.is_source or _ingested(call, asset)):
        raise ApiError(404, "not_found", "No such asset in this workspace.")
    reader = QueryReader(call.query)
    q = reader.string("q")
    mode = reader.choice("search_mode", SEARCH_MODES)
    given = reader.number("search_score")
    reader.done()
    search = _search(q, mode, given if given is not None else score(asset, q)) if q else None
    body = render_asset(asset, search)
    if asset.is_source:
        status = job_state(call.runtime.store.jobs[asset.ingest_job_id or ""], call.now)[0]
        body["metadata"]["ingest_status"] = status
    return Reply(200, body)
