"""Checks on caller input, run before anything is sent.

A bad argument must fail fast with :class:`InvalidInputError`, naming the field,
instead of costing a round trip (or credits) to learn the same thing from a 422.
The rules the schema states (ranges, lengths, enums, patterns) are applied by :mod:`._rules`;
this module holds the ones JSON Schema cannot say: https-only URLs, path ids, header values,
and the SDK's own options.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any, TypeVar

import httpx

from ._errors import InvalidInputError

T = TypeVar("T")

MAX_TEXT = 100_000
MAX_ID = 256
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")


def text(field: str, value: Any, *, max_length: int = MAX_TEXT) -> str:
    """A non-blank string."""
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidInputError(field, f"must be at most {max_length} characters")
    if "\x00" in value:
        raise InvalidInputError(field, "must not contain NUL characters")
    return value


def optional_text(field: str, value: Any, *, max_length: int = MAX_TEXT) -> str | None:
    return None if value is None else text(field, value, max_length=max_length)


def resource_id(field: str, value: Any) -> str:
    """An id that goes into a URL path.

    The generated code percent-encodes ``/``, ``?`` and ``#``; what encoding cannot
    make safe is an empty id (``/jobs/`` is the list route) or a dot segment
    (``/jobs/..`` is normalised to another route), so those are refused here.
    """
    checked = text(field, value, max_length=MAX_ID)
    if checked.strip(".") == "" or checked != checked.strip():
        raise InvalidInputError(field, "is not a valid id")
    if _CONTROL_CHARS.search(checked):
        raise InvalidInputError(field, "must not contain control characters")
    return checked


def integer(field: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An int (not a bool, not a float) within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(field, f"must be an integer, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise InvalidInputError(field, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(field, f"must be at most {maximum}")
    return value


def number(field: str, value: Any, *, minimum: float | None = None) -> float:
    """A finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(field, f"must be a number, not {type(value).__name__}")
    if not math.isfinite(value):
        raise InvalidInputError(field, "must be a finite number")
    if minimum is not None and value < minimum:
        raise InvalidInputError(field, f"must be at least {minimum}")
    return float(value)


def boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be True or False, not {type(value).__name__}")
    return value


def https_url(field: str, value: Any) -> str:
    """An absolute ``https://`` URL with a host."""
    checked = text(field, value, max_length=8_192)
    try:
        url = httpx.URL(checked)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidInputError(field, "is not a valid URL") from None
    if url.scheme != "https" or not url.host:
        raise InvalidInputError(field, "must be an https:// URL")
    return checked


def service_url(field: str, value: Any, *, allow_insecure_http: bool) -> httpx.URL:
    """A URL the SDK sends credentials or data to (``base_url``, a presigned ``upload_url``).

    https only, except for loopback hosts (a local mock) or an explicit opt-in; a valid
    port; no credentials in it. ``base_url`` is further refused a query or fragment.
    """
    checked = text(field, value, max_length=8_192)
    try:
        url = httpx.URL(checked)
        port = url.port
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidInputError(field, "is not a valid URL") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidInputError(field, "must be an absolute https:// URL")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidInputError(field, "has a port outside 1-65535")
    if url.userinfo:
        raise InvalidInputError(field, "must not carry credentials")
    if url.scheme == "http" and not (allow_insecure_http or is_loopback(url.host)):
        raise InvalidInputError(
            field, "must use https (plain http is allowed only for loopback hosts or allow_insecure_http=True)"
        )
    return url


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def idempotency_key(value: Any) -> str:
    """A header-safe key of at most 255 visible ASCII characters."""
    key = text("idempotency_key", value, max_length=255)
    if not all(0x21 <= ord(ch) <= 0x7E for ch in key):
        raise InvalidInputError("idempotency_key", "must be visible ASCII characters only")
    return key
