"""The snapshot's rules about requests, applied: one checker for the SDK, the mock, the CLI and MCP.

Every range, length, enum and pattern a request must satisfy is written once, as JSON Schema, in
``openapi/openapi.json``; ``scripts/generate.py`` exports them per operation into the generated
package (``rules.OPERATIONS``), and this module is the one place that reads them. The SDK checks
its arguments here before anything is sent, the mock answers ``422`` with the same checks, the
CLI derives its option types and choices and the MCP server its input schemas from the same
table. Rules JSON Schema cannot state live in the SDK and are applied here too: ``format: uri``
is an absolute ``https://`` URL (:func:`._validation.https_url`), and no string may hold a NUL or
a lone surrogate.

Changing a rule is a schema change and ``make generate``; nothing else restates it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from . import _validation as validation
from ._errors import InvalidInputError
from ._generated.rules import OPERATIONS

__all__ = [
    "OPERATIONS",
    "body_problems",
    "body_schema",
    "check",
    "check_body",
    "check_field",
    "check_parameter",
    "describe",
    "parameter_schema",
    "problems",
]

#: What a pattern means, for messages (the pattern itself is the rule and stays in the schema).
_PATTERN_HINTS = {
    "\\S": "must not be blank",
    "^https://": "must be an https:// URL",
    "^[!-~]+$": "must be visible ASCII characters only",
    "^(?!\\.+$)[^\\s\\u0000-\\u001f\\u007f]+$": "is not a valid id (no spaces, control characters or dots alone)",
}
_JSON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (Mapping,),
}


def body_schema(operation_id: str) -> Mapping[str, Any]:
    """The JSON body schema of ``operation_id`` (``KeyError`` for an operation without one)."""
    body = OPERATIONS[operation_id]["body"]
    if body is None:
        raise KeyError(f"{operation_id} takes no JSON body")
    return body  # type: ignore[no-any-return]


def parameter_schema(operation_id: str, name: str) -> Mapping[str, Any]:
    """The schema of one parameter (query, path or header) of ``operation_id``."""
    return OPERATIONS[operation_id]["parameters"][name]["schema"]  # type: ignore[no-any-return]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def problems(
    field: str, value: Any, schema: Mapping[str, Any], *, from_json: bool = False
) -> Iterator[tuple[str, str]]:
    """Every way ``value`` breaks ``schema``, as ``(field, problem)``; nothing for a good value.

    ``from_json``: the value was decoded from JSON (the mock), so an integral float is an integer,
    as JSON Schema has it; a Python caller's ``5.0`` is not an ``int``.
    """
    expected = schema.get("type")
    if expected is not None:
        kinds = _JSON_TYPES[expected]
        wrong = not isinstance(value, kinds) or (expected != "boolean" and isinstance(value, bool))
        if wrong and expected == "integer" and from_json and isinstance(value, float) and value.is_integer():
            wrong = False
        if wrong:
            yield field, f"must be {_article(expected)}, not {_type_name(value)}"
            return
    if isinstance(value, str):
        yield from _string_problems(field, value, schema)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from _number_problems(field, value, schema)
    elif isinstance(value, list | tuple):
        yield from _array_problems(field, value, schema, from_json=from_json)
    if "enum" in schema and value not in schema["enum"]:
        yield field, "must be one of " + ", ".join(str(item) for item in schema["enum"])


def _article(json_type: str) -> str:
    return {"integer": "an integer", "array": "a list", "object": "an object"}.get(json_type, f"a {json_type}")


def _string_problems(field: str, value: str, schema: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if "\x00" in value:
        yield field, "must not contain NUL characters"
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        yield field, "must be valid Unicode text (no lone surrogates)"
        return
    if "minLength" in schema and len(value) < schema["minLength"]:
        least = schema["minLength"]
        yield field, "must not be empty" if least == 1 else f"must be at least {least} characters"
        return
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield field, f"must be at most {schema['maxLength']} characters"
        return
    if schema.get("format") == "uri":
        try:
            validation.https_url(field, value)
        except InvalidInputError as exc:
            yield field, exc.problem
            return
    pattern = schema.get("pattern")
    if pattern is not None and not _compiled(pattern).search(value):
        yield field, _pattern_hint(pattern, schema)


def _pattern_hint(pattern: str, schema: Mapping[str, Any]) -> str:
    if pattern in _PATTERN_HINTS:
        return _PATTERN_HINTS[pattern]
    examples = schema.get("examples")
    if examples:
        return f"must look like {examples[-1]}"
    return f"must match {pattern}"


def _number_problems(field: str, value: float, schema: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if isinstance(value, float) and not math.isfinite(value):
        yield field, "must be a finite number"
        return
    if "minimum" in schema and value < schema["minimum"]:
        yield field, f"must be at least {schema['minimum']}"
    elif "maximum" in schema and value > schema["maximum"]:
        yield field, f"must be at most {schema['maximum']}"
    elif "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        yield field, f"must be more than {schema['exclusiveMinimum']}"
    elif "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        yield field, f"must be less than {schema['exclusiveMaximum']}"


def _array_problems(
    field: str, value: list[Any] | tuple[Any, ...], schema: Mapping[str, Any], *, from_json: bool
) -> Iterator[tuple[str, str]]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield field, f"must have at least {schema['minItems']} item(s)"
        return
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        yield field, f"must have at most {schema['maxItems']} items"
        return
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            yield from problems(f"{field}[{index}]", item, items, from_json=from_json)
    if schema.get("uniqueItems") and len({repr(item) for item in value}) != len(value):
        yield field, "must not repeat an item"


def check(field: str, value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` if it keeps ``schema`` (a tuple becomes a list); else ``InvalidInputError`` naming ``field``."""
    for name, problem in problems(field, value, schema):
        raise InvalidInputError(name, problem)
    return list(value) if isinstance(value, tuple) else value


def check_body(operation_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of ``operation_id`` from keyword arguments, checked; ``None`` means "not given".

    Unknown and missing fields are ``InvalidInputError`` too, so a misspelt argument never
    silently becomes the server's default.
    """
    schema = body_schema(operation_id)
    properties: Mapping[str, Any] = schema.get("properties", {})
    for name in values:
        if name not in properties:
            raise InvalidInputError(name, "is not a parameter of this request")
    body: dict[str, Any] = {}
    for name, value in values.items():
        if value is not None:
            body[name] = check(name, value, properties[name])
    for name in schema.get("required", ()):
        if name not in body:
            raise InvalidInputError(name, "is required")
    return body


def body_problems(operation_id: str, body: Any) -> dict[str, str]:
    """Every problem of a JSON body received by the mock, by field (empty: the body is good)."""
    if not isinstance(body, Mapping):
        return {"body": "must be a JSON object"}
    schema = body_schema(operation_id)
    properties: Mapping[str, Any] = schema.get("properties", {})
    found: dict[str, str] = {}
    for name in schema.get("required", ()):
        if body.get(name) is None:
            found[name] = "is required"
    for name, value in body.items():
        if name in found or value is None:
            continue
        if name not in properties:
            found.setdefault(name, "unknown field")
            continue
        for field, problem in problems(name, value, properties[name], from_json=True):
            # details.fields names the body's own fields; an item's index goes into the message.
            found.setdefault(name, problem if field == name else f"{field.removeprefix(name)}: {problem}")
    return found


def check_field(operation_id: str, name: str, value: Any) -> Any:
    """One body field of ``operation_id``, checked by its rule; ``None`` is passed through (not given)."""
    return None if value is None else check(name, value, body_schema(operation_id)["properties"][name])


def check_parameter(operation_id: str, name: str, value: Any, *, field: str | None = None) -> Any:
    """A query/path/header parameter, checked by its schema; ``None`` is passed through (not given)."""
    if value is None:
        return None
    return check(field or name, value, parameter_schema(operation_id, name))


def describe(schema: Mapping[str, Any]) -> str:
    """A short human summary of a rule, for help texts: ``"4-15"``, ``"one of 480p, 720p"``."""
    parts: list[str] = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(item) for item in schema["enum"]))
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{schema['minimum']}-{schema['maximum']}")
    elif "minimum" in schema:
        parts.append(f">= {schema['minimum']}")
    elif "maximum" in schema:
        parts.append(f"<= {schema['maximum']}")
    if schema.get("format") == "uri":
        parts.append("https:// URL")
    if "maxItems" in schema:
        parts.append(f"at most {schema['maxItems']}")
    return ", ".join(parts)
