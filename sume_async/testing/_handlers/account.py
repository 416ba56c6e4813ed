"""Account, credits, Brand DNA and avatars: the read-only endpoints."""

from __future__ import annotations

from typing import Any

from .._catalog import AVATARS, BRANDS, avatar_by_id
from .._context import Call, Reply
from .._errors import ApiError
from .._lifecycle import is_terminal, job_state
from .._pagination import paginate
from .._validation import QueryReader

__all__ = ["get_avatar", "get_credits", "get_current_brand", "get_me", "list_avatars", "list_brands"]

#: Scopes shown for every mock key (sanitized; the mock does not enforce scopes).
KEY_SCOPES = ["account:read", "generation:write", "assets:write"]


def _key_prefix(key: str) -> str:
    """A sanitized prefix that never reveals more than half of a key."""
    return key[: min(14, len(key) // 2)]


def list_page(call: Call, items: list[dict[str, Any]], order: str) -> Reply:
    """A list envelope over a fixed catalog (ordered by catalog position)."""
    reader = QueryReader(call.query)
    limit, cursor = reader.limit(), reader.cursor()
    reader.done()
    indexed = list(enumerate(items))
    page, has_more, next_cursor = paginate(
        indexed, lambda pair: (float(pair[0]),), order=order, limit=limit, cursor=cursor
    )
    return Reply(
        200,
        {"object": "list", "data": [dict(item) for _, item in page], "has_more": has_more, "next_cursor": next_cursor},
    )


def get_me(call: Call) -> Reply:
    ws = call.workspace
    return Reply(
        200,
        {
            "object": "account",
            "user": {"id": f"user_{ws.id.removeprefix('ws_')}", "name": "Mock User", "email": "dev@mock.sume.test"},
            "workspace": {"id": ws.id, "name": ws.name},
            "api_key": {"prefix": _key_prefix(ws.api_key), "scopes": list(KEY_SCOPES)},
        },
    )


def get_credits(call: Call) -> Reply:
    ws = call.workspace
    active = sum(
        1
        for job in call.runtime.store.jobs.values()
        if job.workspace_id == ws.id and not is_terminal(job_state(job, call.now)[0])
    )
    return Reply(
        200,
        {
            "object": "credits",
            "plan": "mock",
            "monthly_credits": ws.monthly_credits,
            "bonus_credits": 0,
            "remaining_credits": ws.remaining_credits,
            "active_generations": active,
            "max_concurrent_generations": call.runtime.settings.max_concurrent_generations,
        },
    )


def _normalize_domain(value: str) -> str:
    value = value.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return value.split("/", 1)[0]


def list_brands(call: Call) -> Reply:
    domain = call.query.get("domain")
    brands = list(BRANDS)
    if domain:
        wanted = _normalize_domain(domain)
        brands = [b for b in brands if b.get("domain") and _normalize_domain(str(b["domain"])) == wanted]
    return list_page(call, brands, "brands")


def get_current_brand(call: Call) -> Reply:
    return Reply(200, dict(BRANDS[0]))


def list_avatars(call: Call) -> Reply:
    return list_page(call, list(AVATARS), "avatars")


def get_avatar(call: Call) -> Reply:
    avatar = avatar_by_id(call.path_params["avatarId"])
    if avatar is None:
        raise ApiError(404, "not_found", "No such avatar.")
    return Reply(200, dict(avatar))
