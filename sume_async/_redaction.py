"""What the CLI, the MCP server and ``doctor`` may print: data with its secrets taken out, by construction.

Every value printed goes through :func:`redact` first (the CLI's ``Output`` does it):

* upload credentials (``upload_url``, ``object_key``, ``required_headers``, tokens) are always
  replaced by ``"<redacted>"``;
* strings that look like an API key (``sume_live_...``) or equal the configured key, anywhere;
* media URLs (any other ``http(s)://`` string: job outputs, ``media_url``, ``preview_url``...)
  are replaced unless the user asked for them (``--show-urls``; the MCP server shows them, an
  agent needs them to use a result). Signed media URLs count as media URLs: asked for, shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._logs import REDACTED

__all__ = ["REDACTED", "SECRET_KEYS", "redact", "secret_values"]

#: Keys whose values are credentials, whatever they hold.
SECRET_KEYS = frozenset(
    {
        "upload_url",
        "object_key",
        "required_headers",
        "authorization",
        "x-api-key",
        "x_api_key",
        "token",
        "upload_token",
        "x-sume-upload-token",
        "secret",
        "password",
    }
)

_API_KEY = re.compile(r"\bsume_(?:live|test)_[A-Za-z0-9_\-]{16,}")
_URL = re.compile(r"^\s*https?://", re.IGNORECASE)


def secret_values() -> frozenset[str]:
    """Strings that must never be printed: the configured API key."""
    key = os.environ.get("SUME_API_KEY", "").strip()
    return frozenset({key}) if len(key) >= 8 else frozenset()


def redact(value: Any, *, show_urls: bool = False, secrets: Iterable[str] = ()) -> Any:
    """A copy of JSON-able ``value`` that is safe to print (see the module docstring)."""
    hidden = tuple(s for s in secrets if s)
    return _walk(value, show_urls, hidden)


def _walk(value: Any, show_urls: bool, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if str(k).lower() in SECRET_KEYS and v is not None else _walk(v, show_urls, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_walk(v, show_urls, secrets) for v in value]
    if isinstance(value, str):
        return _text(value, show_urls, secrets)
    return value


def _text(value: str, show_urls: bool, secrets: tuple[str, ...]) -> str:
    if not show_urls and _URL.match(value):
        return REDACTED
    for secret in secrets:
        if secret in value:
            value = value.replace(secret, REDACTED)
    return _API_KEY.sub(REDACTED, value)
