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
import socket
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
    utf8(field, value)
    return value


def utf8(field: str, value: str) -> str:
    """``value``, refused when it cannot be sent as UTF-8 (a lone surrogate, such as an undecodable file name)."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInputError(field, "is not valid Unicode text (it contains a lone surrogate)") from None
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
    url = parsed_url(field, checked)
    if url.scheme != "https" or not url.host:
        raise InvalidInputError(field, "must be an https:// URL")
    return checked


def service_url(field: str, value: Any, *, allow_insecure_http: bool) -> httpx.URL:
    """A URL the SDK sends credentials or data to (``base_url``, a presigned ``upload_url``).

    https only, except for loopback hosts (a local mock) or an explicit opt-in; a valid
    port; no credentials in it. ``base_url`` is further refused a query or fragment.
    """
    checked = text(field, value, max_length=8_192)
    url = parsed_url(field, checked)
    port = url.port
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


def parsed_url(field: str, value: str) -> httpx.URL:
    """``value`` as an ``httpx.URL`` whose host and port can be read.

    httpx decodes an ``xn--`` host only when ``.host`` is first read, and its IDNA errors
    (``idna.IDNAError``) would escape from there: they are read here, inside the check.
    """
    try:
        url = httpx.URL(value)
        _ = url.host, url.port
    except (httpx.InvalidURL, TypeError, ValueError):  # idna's errors are UnicodeErrors, so ValueErrors
        raise InvalidInputError(field, "is not a valid URL") from None
    return url


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


#: Carrier-grade NAT (RFC 6598): not "private" to :mod:`ipaddress`, yet no public host.
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")


def is_local_address(host: str) -> bool:
    """A host of this machine or a private network: what a client on a public API must never fetch.

    Loopback, link-local (cloud metadata at 169.254.169.254), private, unique-local,
    unspecified, multicast and reserved addresses, in any spelling the system resolver reads as
    one (``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``::ffff:127.0.0.1``), and the ``localhost``
    names. A public name that resolves to a private address cannot be told apart without
    resolving it; literal addresses and these names can.
    """
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(name))  # the resolver's legacy IPv4 forms
        except (OSError, ValueError):
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address in _SHARED_ADDRESS_SPACE
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def idempotency_key(value: Any) -> str:
    """A header-safe key of at most 255 visible ASCII characters."""
    key = text("idempotency_key", value, max_length=255)
    if not all(0x21 <= ord(ch) <= 0x7E for ch in key):
        raise InvalidInputError("idempotency_key", "must be visible ASCII characters only")
    return key
