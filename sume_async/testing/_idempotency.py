"""``Idempotency-Key`` handling for the POST endpoints.

Scoped per workspace. The first *successful* response for a key is stored with a fingerprint
of the route and the canonical JSON body; within 24 simulated hours the same key and body
replay that response byte for byte (and create or charge nothing), while the same key with a
different body or route is ``409 idempotency_key_reused``. Error responses are not stored, so a
corrected retry runs normally.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ._errors import ApiError, validation_error
from ._state import IdempotencyEntry, Store

__all__ = ["IDEMPOTENCY_WINDOW", "MAX_KEY_LENGTH", "check_key", "fingerprint", "lookup", "remember"]

IDEMPOTENCY_WINDOW = 24 * 3600.0
MAX_KEY_LENGTH = 255


def check_key(raw: str | None) -> str | None:
    """The header's value, or ``422`` when empty or longer than 255 characters."""
    if raw is None:
        return None
    if not raw or len(raw) > MAX_KEY_LENGTH:
        raise validation_error({"Idempotency-Key": f"must be 1 to {MAX_KEY_LENGTH} characters"})
    return raw


def fingerprint(route_key: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{route_key}\n{canonical}".encode()).hexdigest()


def lookup(store: Store, workspace_id: str, key: str, print_: str, now: float) -> IdempotencyEntry | None:
    """The stored response to replay, ``None`` to execute, or ``409`` for a reused key."""
    entry = store.idempotency.get((workspace_id, key))
    if entry is None or now - entry.created > IDEMPOTENCY_WINDOW:
        return None
    if entry.fingerprint != print_:
        raise ApiError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request.",
        )
    return entry


def remember(store: Store, workspace_id: str, key: str, print_: str, status: int, body: bytes, now: float) -> None:
    store.idempotency[(workspace_id, key)] = IdempotencyEntry(print_, status, body, now)
