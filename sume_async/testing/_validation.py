"""Request validation with the contract's ``422 validation_error`` and ``details.fields``.

The readers collect every problem of a request before failing, so one response names all the
bad fields, as a real API does. The mock is at least as strict as the OpenAPI snapshot (so
schema-invalid requests never succeed) and adds the documented semantic rules (HTTPS
reference URLs, video duration 4..15, known avatars, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import QueryParams

from .. import _rules as rules
from ._errors import validation_error
from ._pagination import DEFAULT_LIMIT, MAX_LIMIT

__all__ = ["BodyReader", "QueryReader", "is_https_url", "parse_datetime"]

_INT_RE = re.compile(r"^[+-]?\d{1,18}$")
_RFC3339_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def is_https_url(value: str) -> bool:
    """An absolute ``https://host/...`` URL without whitespace."""
    if not value or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


def parse_datetime(value: str) -> datetime | None:
    """Parse an RFC 3339 date-time (any offset, lowercase ``t``/``z``, leap second) to UTC."""
    match = _RFC3339_RE.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    if offset in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        moment = datetime(max(year, 1), month, day, hour, minute, min(second, 59), micro, tzinfo=tz)
    except ValueError:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if year < 5000 else datetime.max.replace(tzinfo=UTC)


class BodyReader:
    """Typed access to a JSON object body, collecting errors per field."""

    def __init__(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise validation_error({"body": "must be a JSON object"})
        self.body: dict[str, Any] = body
        self.errors: dict[str, str] = {}

    @classmethod
    def by_schema(cls, operation_id: str, body: Any) -> BodyReader:
        """A reader that has already applied every rule the schema states for ``operation_id``'s body
        (the SDK's own checker, :mod:`sume_async._rules`); handlers add only semantic rules."""
        reader = cls(body)
        reader.errors.update(rules.body_problems(operation_id, body))
        return reader

    def value(self, name: str, default: Any = None) -> Any:
        """A field that passed the schema's rules, else ``default``."""
        value = self.body.get(name)
        return default if value is None or name in self.errors else value

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> None:
        """Raise ``422 validation_error`` if any field was bad."""
        if self.errors:
            raise validation_error(self.errors)

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.body or (self.body[name] is None and not required):
            if required:
                self.fail(name, "is required")
            return None
        return self.body[name]

    def string(self, name: str, *, required: bool = False, max_length: int = 10_000) -> str | None:
        value = self._get(name, required)
        if value is None:
            if required and name in self.body:
                self.fail(name, "must be a string")
            return None
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return None
        if not value.strip():
            self.fail(name, "must not be empty")
            return None
        if len(value) > max_length:
            self.fail(name, f"must be at most {max_length} characters")
            return None
        return value

    def integer(
        self, name: str, *, required: bool = False, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self._get(name, required)
        if value is None:
            if required and name in self.body:
                self.fail(name, "must be an integer")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(name, "must be an integer")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.fail(name, f"must be between {minimum} and {maximum}" if maximum is not None else f">= {minimum}")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(name, "must be a boolean")
            return None
        return value

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        options = tuple(choices)
        value = self._get(name, required)
        if value is None:
            return None
        if value not in options:
            self.fail(name, "must be one of: " + ", ".join(options))
            return None
        return str(value)

    def pattern(self, name: str, regex: re.Pattern[str], hint: str) -> str | None:
        value = self.string(name, max_length=32)
        if value is not None and not regex.match(value):
            self.fail(name, hint)
            return None
        return value

    def https_url(self, name: str, *, required: bool = False) -> str | None:
        value = self.string(name, required=required, max_length=2048)
        if value is not None and not is_https_url(value):
            self.fail(name, "must be an HTTPS URL")
            return None
        return value

    def string_list(self, name: str, *, required: bool = False, min_items: int = 0, max_items: int = 10) -> list[str]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(name, "must be a list of non-empty strings")
            return []
        if not min_items <= len(value) <= max_items:
            self.fail(name, f"must have {min_items} to {max_items} items")
            return []
        return list(value)

    def https_url_list(self, name: str, *, max_items: int = 10) -> list[str]:
        urls = self.string_list(name, max_items=max_items)
        bad = [i for i, url in enumerate(urls) if not is_https_url(url)]
        if bad:
            self.fail(name, f"item {bad[0]} must be an HTTPS URL")
            return []
        return urls


class QueryReader:
    """Typed access to query parameters; a bad value is a ``422`` naming the parameter."""

    def __init__(self, query: QueryParams) -> None:
        self.query = query
        self.errors: dict[str, str] = {}

    def done(self) -> None:
        if self.errors:
            raise validation_error(self.errors)

    def string(self, name: str) -> str | None:
        value = self.query.get(name)
        return value if value is not None and value != "" else None

    def limit(self) -> int:
        raw = self.query.get("limit")
        if raw is None:
            return DEFAULT_LIMIT
        if not _INT_RE.match(raw) or not 1 <= int(raw) <= MAX_LIMIT:
            self.errors["limit"] = f"must be an integer from 1 to {MAX_LIMIT}"
            return DEFAULT_LIMIT
        return int(raw)

    def cursor(self) -> str | None:
        return self.query.get("cursor") or None

    def choice(self, name: str, choices: Iterable[str]) -> str | None:
        options = tuple(choices)
        raw = self.query.get(name)
        if raw is None:
            return None
        if raw not in options:
            self.errors[name] = "must be one of: " + ", ".join(options)
            return None
        return raw

    def boolean(self, name: str) -> bool | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        self.errors[name] = "must be true or false"
        return None

    def number(self, name: str) -> float | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.errors[name] = "must be a number"
            return None
        return value

    def datetime(self, name: str) -> datetime | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        value = parse_datetime(raw)
        if value is None:
            self.errors[name] = "must be an RFC 3339 date-time"
        return value
