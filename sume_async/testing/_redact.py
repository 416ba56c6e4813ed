"""Redaction for the request log: keys, upload tokens, signed URLs and object keys.

The log is what a failing test prints, so it must never hold a secret (the contract lists API
keys, upload URLs, object keys, required headers and signed URLs as secrets).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["REDACTED", "SECRET_HEADERS", "redact_headers"]

REDACTED = "[REDACTED]"

#: Headers whose values are secrets (lower-case names).
SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "x-sume-upload-token", "cookie", "set-cookie", "proxy-authorization"}
)


def redact_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-cased header names to values, secrets replaced (``Bearer`` keeps its scheme)."""
    headers: dict[str, str] = {}
    for name_b, value_b in raw:
        name = name_b.decode("latin-1").lower()
        value = value_b.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {REDACTED}" if name == "authorization" and rest else REDACTED
        headers[name] = value
    return headers
