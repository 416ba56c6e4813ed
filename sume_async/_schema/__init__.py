"""The schema tools: where a schema comes from (:mod:`.source`) and what changed between two (:mod:`.diff`).

Used only by ``sume-async schema check`` and ``scripts/update_schema.py``; nothing in the SDK's
request path imports this package.
"""

from __future__ import annotations

from .diff import Change, Kind, diff_schemas, has_breaking, inferred_changes, render_text
from .source import LIVE_URL, TIMEOUT_SECONDS, SchemaError, check_openapi3, fetch_schema, read_schema, snapshot

__all__ = [
    "LIVE_URL",
    "TIMEOUT_SECONDS",
    "Change",
    "Kind",
    "SchemaError",
    "check_openapi3",
    "diff_schemas",
    "fetch_schema",
    "has_breaking",
    "inferred_changes",
    "read_schema",
    "render_text",
    "snapshot",
]
