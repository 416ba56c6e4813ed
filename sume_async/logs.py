"""Logging without secrets.

The SDK logs to the ``sume_async`` logger: method, path without query, status,
``request_id``, attempt and elapsed time, never headers or bodies. httpx logs each
request's full URL at INFO; for a presigned upload that URL *is* the credential, so a
filter on the ``httpx`` logger replaces secret-looking query strings before any
handler sees them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

logger = logging.getLogger("sume_async")

REDACTED = "<redacted>"

_SECRET_QUERY_KEY = re.compile(r"sig|signature|token|key|credential|policy|expires|auth|secret", re.IGNORECASE)


def redact_url(url: httpx.URL | str) -> str:
    """The URL with its query replaced when any query parameter looks like a secret."""
    parsed = httpx.URL(str(url)) if not isinstance(url, httpx.URL) else url
    if not parsed.query:
        return str(parsed)
    if any(_SECRET_QUERY_KEY.search(key) for key in parsed.params):
        return str(parsed.copy_with(query=REDACTED.encode()))
    return str(parsed)


class RedactURLFilter(logging.Filter):
    """Rewrites URL arguments of a log record with :func:`redact_url`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        return True


def _redact_arg(arg: Any) -> Any:
    if isinstance(arg, httpx.URL):
        return redact_url(arg)
    if isinstance(arg, str) and "?" in arg and "://" in arg:
        return redact_url(arg)
    return arg


_FILTER = RedactURLFilter()


def install_library_filters() -> None:
    """Attach the redacting filter to httpx's logger (once; idempotent)."""
    httpx_logger = logging.getLogger("httpx")
    if _FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_FILTER)
