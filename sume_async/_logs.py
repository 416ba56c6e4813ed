"""Logging without secrets.

The SDK logs to the ``sume_async`` logger: method, path without query, status,
``request_id``, attempt and elapsed time, never headers or bodies. httpx logs each
request's full URL at INFO; for a presigned upload that URL *is* the credential (and its
path holds the object key), so a filter on the ``httpx`` logger reduces such URLs to
their host before any handler sees them: URLs with a signed-looking query, and every
storage URL while its request is in flight (:func:`private_url`), signed or not (storage
that authenticates by header still has the object key in its path).
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

logger = logging.getLogger("sume_async")
# A library's records reach handlers only when the application (or SUME_LOG) configures
# logging; without this, Python's last-resort handler would print WARNINGs to stderr.
logger.addHandler(logging.NullHandler())

REDACTED = "<redacted>"

_SECRET_QUERY_KEY = re.compile(r"sig|signature|token|key|credential|policy|expires|auth|secret", re.IGNORECASE)


#: Storage URLs with a request in flight (how many requests), redacted whatever they look like.
_PRIVATE: Counter[str] = Counter()


@contextmanager
def private_url(url: httpx.URL | None) -> Iterator[None]:
    """While the block runs, ``url`` is logged by httpx as its host only."""
    if url is None:
        yield
        return
    key = str(url)
    _PRIVATE[key] += 1
    try:
        yield
    finally:
        _PRIVATE[key] -= 1
        if _PRIVATE[key] <= 0:
            del _PRIVATE[key]


def redact_url(url: httpx.URL | str) -> str:
    """The URL without path and query when it is private or a query parameter looks like a credential.

    A presigned URL carries its signature in the query and the object key in the path,
    so only the scheme and host are kept. Other URLs are returned unchanged.
    """
    try:
        parsed = httpx.URL(str(url)) if not isinstance(url, httpx.URL) else url
    except (httpx.InvalidURL, TypeError, ValueError):
        return REDACTED
    if str(parsed) in _PRIVATE or (parsed.query and any(_SECRET_QUERY_KEY.search(key) for key in parsed.params)):
        return f"{parsed.scheme}://{parsed.netloc.decode('ascii', 'replace')}/{REDACTED}"
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
    if isinstance(arg, str) and "://" in arg and ("?" in arg or arg in _PRIVATE):
        return redact_url(arg)
    return arg


_FILTER = RedactURLFilter()


def install_library_filters() -> None:
    """Attach the redacting filter to httpx's logger (once; idempotent)."""
    httpx_logger = logging.getLogger("httpx")
    if _FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_FILTER)


#: ``SUME_LOG`` values, as ``OPENAI_LOG``/``ANTHROPIC_LOG`` in the Stainless SDKs.
_ENV_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def configure_from_env() -> None:
    """``SUME_LOG=debug|info``: log the SDK (and httpx) at that level to stderr.

    As in the Stainless SDKs, this calls ``logging.basicConfig`` (which does nothing when
    the application configured logging already) and sets the level of the ``sume_async``
    and ``httpx`` loggers. Other values are ignored; without the variable nothing changes.
    """
    level = _ENV_LEVELS.get(os.environ.get("SUME_LOG", "").strip().lower())
    if level is None:
        return
    logging.basicConfig(format="[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
    logger.setLevel(level)
    logging.getLogger("httpx").setLevel(level)
