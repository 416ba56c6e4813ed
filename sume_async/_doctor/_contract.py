"""Strict checking of API answers against the schema snapshot, and which guesses they touched.

``Contract(doc)`` reads the snapshot this SDK was generated from (:func:`sume_async._schema_source.snapshot`).
``check(exchange)`` finds the operation an answer belongs to (method and path against the
snapshot's paths), then checks it as strictly as the snapshot allows: a status the operation
does not declare, a body that is not JSON, fields missing, extra (where the schema does not
say ``additionalProperties``), of the wrong type or ``null`` where the schema says otherwise,
enum values the schema does not list, dates that are not dates, the error envelope and its
``request_id``, the ``Retry-After`` of a 429 and rate-limit headers (``X-RateLimit-Remaining``...) when they are sent.

Every schema object marked ``x-sume-inferred`` (this project's guesses) that an answer reaches
is *touched*; a finding under it *contradicts* it. :meth:`Contract.marks` gives each mark's
verdict: confirmed, contradicted or not exercised.

A finding names where (a JSON path such as ``$.data[0].status``) and what was seen (a JSON
type, or an enum value when it is short and plain), never the value of a field: the report
is meant for a support ticket.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import httpx

from .._retries import parse_retry_after

__all__ = [
    "CONFIRMED",
    "CONTRADICTED",
    "INFERRED",
    "NOT_EXERCISED",
    "Contract",
    "Exchange",
    "Finding",
    "Mark",
    "request_id_of",
]

INFERRED = "x-sume-inferred"
CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_EXERCISED = "not exercised"

_METHODS = ("get", "put", "post", "delete", "patch")
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)
#: A value shown in a finding (an enum value, a code): short, plain, no address or URL.
_PLAIN = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
_CODE = re.compile(r"`([a-z][a-z_]*)`")


@attrs.frozen
class Exchange:
    """One request and its answer, as the doctor's transport saw them."""

    method: str
    #: The path under the base URL (``/jobs/job_123``), never the query.
    path: str
    status: int
    headers: httpx.Headers
    #: The decoded body; ``None`` when it could not be decoded.
    body: bytes | None
    #: The query as sent (the doctor checks what it asked for, such as ``limit``).
    query: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Finding:
    """One way an answer differs from the snapshot."""

    #: ``GET /jobs/{jobId}``: the operation, by its path template.
    operation: str
    status: int | None
    #: Where: a JSON path (``$.data[0].type``), ``header Content-Type``, ``status``, ``behaviour``.
    path: str
    #: What the snapshot says and what was seen instead.
    problem: str
    request_id: str | None = None
    #: The ``x-sume-inferred`` objects this finding contradicts (JSON pointers into the snapshot).
    marks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "status": self.status,
            "path": self.path,
            "problem": self.problem,
            "request_id": self.request_id,
            "contradicts": list(self.marks),
        }


@attrs.frozen
class Mark:
    """An ``x-sume-inferred`` object of the snapshot and what this run learned about it."""

    pointer: str
    verdict: str
    #: The findings that contradict it (``path: problem``).
    seen: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "verdict": self.verdict, "seen": list(self.seen)}


def shown(value: Any) -> str:
    """``value`` as a finding may show it: its JSON type, or itself when short and plain."""
    if isinstance(value, str) and _PLAIN.match(value) and not value.lower().startswith(("sume_", "http")):
        return repr(value)
    return json_type(value)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def field_name(name: str) -> str:
    """A field name as a path may show it (a server could name a field after a secret)."""
    return name if _PLAIN.match(name) and not name.lower().startswith(("sume_", "http")) else "<redacted>"


class Contract:
    """The snapshot, the checks against it, and what the answers so far said about its guesses."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self._touched: set[str] = set()
        self._contradicted: dict[str, list[str]] = {}
        self._routes: list[tuple[str, re.Pattern[str], str]] = []
        for template, item in (doc.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
            for method in _METHODS:
                if isinstance(item.get(method), Mapping):
                    self._routes.append((method.upper(), pattern, template))
        self.inferred = tuple(_inferred_pointers(doc))

    # -- what the run learned ---------------------------------------------------------------

    def touch(self, pointer: str) -> None:
        """Record that ``pointer`` (an inferred object) was exercised by this run."""
        self._touched.add(pointer)

    def touch_under(self, pointer: str) -> None:
        """Record ``pointer`` and every inferred object inside it as exercised (a parameter and its schema)."""
        for mark in self.inferred:
            if mark == pointer or mark.startswith(pointer + "/"):
                self._touched.add(mark)

    def request_fields(self, template: str, method: str) -> str | None:
        """The pointer of the JSON request body's schema of an operation (through its ``$ref``)."""
        body = self.doc["paths"][template][method.lower()].get("requestBody") or {}
        schema = ((body.get("content") or {}).get("application/json") or {}).get("schema")
        if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            return str(schema["$ref"])
        return None

    def contradict(self, finding: Finding) -> None:
        for pointer in finding.marks:
            self._touched.add(pointer)
            self._contradicted.setdefault(pointer, []).append(f"{finding.operation} {finding.path}: {finding.problem}")

    def marks(self) -> list[Mark]:
        """Every inferred object of the snapshot with its verdict, in document order."""
        found = []
        for pointer in self.inferred:
            if pointer in self._contradicted:
                found.append(Mark(pointer, CONTRADICTED, tuple(dict.fromkeys(self._contradicted[pointer]))))
            elif pointer in self._touched:
                found.append(Mark(pointer, CONFIRMED))
            else:
                found.append(Mark(pointer, NOT_EXERCISED))
        return found

    # -- checking ---------------------------------------------------------------------------

    def operation_of(self, method: str, path: str) -> str | None:
        """The path template of the snapshot's operation that ``method path`` calls."""
        for route_method, pattern, template in self._routes:
            if route_method == method.upper() and pattern.match(path):
                return template
        return None

    def parameter_pointer(self, template: str, method: str, name: str) -> str | None:
        """The pointer of the parameter ``name`` of an operation (through its ``$ref``, if any)."""
        operation = self.doc["paths"][template][method.lower()]
        for index, param in enumerate(operation.get("parameters") or ()):
            pointer = f"#/paths/{_escape(template)}/{method.lower()}/parameters/{index}"
            if isinstance(param, Mapping) and "$ref" in param:
                pointer = str(param["$ref"])
                param = self.resolve(pointer)
            if isinstance(param, Mapping) and param.get("name") == name:
                return pointer
        return None

    def resolve(self, pointer: str) -> Any:
        node: Any = self.doc
        for part in pointer.removeprefix("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def check(self, exchange: Exchange) -> list[Finding]:
        """Every way ``exchange``'s answer differs from the snapshot (and the marks it touched)."""
        template = self.operation_of(exchange.method, exchange.path)
        label = f"{exchange.method} {template or exchange.path}"
        request_id = request_id_of(exchange)
        found: list[Finding] = []

        def add(path: str, problem: str, marks: Sequence[str] = ()) -> None:
            found.append(Finding(label, exchange.status, path, problem, request_id, tuple(marks)))

        if template is None:
            add("operation", "not an operation of the snapshot")
            return found
        operation = self.doc["paths"][template][exchange.method.lower()]
        declared = operation.get("responses") or {}
        key = str(exchange.status)
        response_pointer = f"#/paths/{_escape(template)}/{exchange.method.lower()}/responses/{key}"
        if key not in declared:
            add("status", f"HTTP {exchange.status} is not a status the snapshot declares for this operation")
            if exchange.status >= 400:
                self._check_envelope(exchange, add)
            return found
        _check_rate_limit_headers(exchange, add)
        response = declared[key]
        if isinstance(response, Mapping) and "$ref" in response:
            response_pointer = str(response["$ref"])
            response = self.resolve(response_pointer)
        content = response.get("content") or {}
        self._check_headers(exchange, response, response_pointer, add)
        media = content.get("application/json")
        if not isinstance(media, Mapping):
            return found
        content_type = exchange.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            add("header Content-Type", f"expected application/json, got {_content_type(content_type)}")
        body = _json(exchange.body)
        if body is _NOT_JSON:
            add("$", "the body is not JSON")
            return found
        schema_pointer = f"{response_pointer}/content/application~1json/schema"
        walker = _Walker(self)
        walker.check(media.get("schema", {}), schema_pointer, body, "$", ())
        for path, problem, marks in walker.findings:
            add(path, problem, marks)
        for pointer in walker.touched:
            self.touch(pointer)
        if exchange.status >= 400:
            self._check_error_code(body, response, add)
            if not (isinstance(body, Mapping) and isinstance(body.get("request_id"), str)):
                add("$.request_id", "missing: the error envelope carries the request id support asks for")
            elif not str(body["request_id"]).startswith("req_"):
                add("$.request_id", "not a request id (req_...)")
        return found

    def _check_headers(self, exchange: Exchange, response: Mapping[str, Any], pointer: str, add: Any) -> None:
        for name in response.get("headers") or {}:
            value = exchange.headers.get(name)
            if value is None:
                continue
            if name.lower() == "retry-after" and parse_retry_after(value) is None:
                add(f"header {name}", "neither seconds nor an HTTP date")

    def _check_error_code(self, body: Any, response: Mapping[str, Any], add: Any) -> None:
        """The ``error.code`` of an error answer, against the codes its response description names."""
        codes = set(_CODE.findall(str(response.get("description", ""))))
        error = body.get("error") if isinstance(body, Mapping) else None
        code = error.get("code") if isinstance(error, Mapping) else None
        if codes and isinstance(code, str) and code not in codes:
            add("$.error.code", f"{shown(code)}, the snapshot names {', '.join(sorted(codes))} for this status")

    def _check_envelope(self, exchange: Exchange, add: Any) -> None:
        body = _json(exchange.body)
        error = self.doc.get("components", {}).get("schemas", {}).get("Error")
        if body is _NOT_JSON or error is None:
            add("$", "the error body is not the JSON error envelope")
            return
        walker = _Walker(self)
        walker.check(error, "#/components/schemas/Error", body, "$", ())
        for path, problem, marks in walker.findings:
            add(path, problem, marks)


_RATE_LIMIT_HEADER = re.compile(r"^(x-)?ratelimit-(limit|remaining|reset|used)$", re.IGNORECASE)


def _check_rate_limit_headers(exchange: Exchange, add: Any) -> None:
    """Rate-limit headers, when a server sends them, carry a whole number (what a client can pace on)."""
    for name, value in exchange.headers.items():
        if _RATE_LIMIT_HEADER.match(name) and not value.strip().isdigit():
            add(f"header {name.title()}", "not a whole number")


class _Walker:
    """One strict pass of a value against a schema node; collects findings and touched marks."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.findings: list[tuple[str, str, tuple[str, ...]]] = []
        self.touched: list[str] = []

    def check(self, node: Any, pointer: str, value: Any, path: str, marks: tuple[str, ...]) -> None:
        if not isinstance(node, Mapping):
            return
        for _ in range(32):  # a $ref chain; the snapshot has no loops of bare refs
            if node.get(INFERRED):
                marks = (*marks, pointer)
                self.touched.append(pointer)
            ref = node.get("$ref")
            if not isinstance(ref, str):
                break
            pointer = ref
            node = self.contract.resolve(ref)
        if node.get(INFERRED) and pointer not in marks:
            marks = (*marks, pointer)
            self.touched.append(pointer)
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                self._one_of(node[key], f"{pointer}/{key}", value, path, marks)
                return
        for index, part in enumerate(node.get("allOf") or ()):
            self.check(part, f"{pointer}/allOf/{index}", value, path, marks)
        types = node.get("type")
        allowed = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
        if allowed and not any(_is(value, t) for t in allowed):
            what = "null" if value is None else json_type(value)
            self.add(path, f"{what} where the snapshot says {' or '.join(allowed)}", marks)
            return
        enum = node.get("enum")
        if isinstance(enum, list) and value not in enum:
            self.add(
                path, f"{shown(value)} is not one of the values the snapshot lists ({', '.join(map(str, enum))})", marks
            )
        if isinstance(value, str) and node.get("format") == "date-time" and not _is_datetime(value):
            self.add(path, "not an RFC 3339 date-time", marks)
        if isinstance(value, dict):
            self._object(node, pointer, value, path, marks)
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for index, item in enumerate(value):
                self.check(node["items"], f"{pointer}/items", item, f"{path}[{index}]", marks)

    def _object(
        self, node: Mapping[str, Any], pointer: str, value: dict[str, Any], path: str, marks: tuple[str, ...]
    ) -> None:
        properties = node.get("properties") or {}
        for name in node.get("required") or ():
            if name not in value:
                self.add(f"{path}.{field_name(name)}", "missing: the snapshot requires it", marks)
        extra = node.get("additionalProperties")
        for name, item in value.items():
            where = f"{path}.{field_name(str(name))}"
            if name in properties:
                self.check(properties[name], f"{pointer}/properties/{_escape(str(name))}", item, where, marks)
            elif isinstance(extra, Mapping):
                self.check(extra, f"{pointer}/additionalProperties", item, where, marks)
            elif extra is not True and properties:
                self.add(where, "a field the snapshot does not have", marks)

    def _one_of(self, branches: list[Any], pointer: str, value: Any, path: str, marks: tuple[str, ...]) -> None:
        best: _Walker | None = None
        for index, branch in enumerate(branches):
            trial = _Walker(self.contract)
            trial.check(branch, f"{pointer}/{index}", value, path, marks)
            if not trial.findings:
                best = trial
                break
            if value is not None and _only_null(branch):
                continue
            if best is None or len(trial.findings) < len(best.findings):
                best = trial
        if best is None:
            self.add(path, f"{json_type(value)} matches none of the snapshot's alternatives", marks)
            return
        self.findings.extend(best.findings)
        self.touched.extend(best.touched)

    def add(self, path: str, problem: str, marks: tuple[str, ...]) -> None:
        self.findings.append((path, problem, marks))


_NOT_JSON = object()


def _json(body: bytes | None) -> Any:
    if not body:
        return _NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _NOT_JSON


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _only_null(branch: Any) -> bool:
    return isinstance(branch, Mapping) and branch.get("type") == "null"


def _is_datetime(value: str) -> bool:
    if "T" not in value.upper():
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def request_id_of(exchange: Exchange) -> str | None:
    body = _json(exchange.body) if exchange.status >= 400 else _NOT_JSON
    if isinstance(body, Mapping) and isinstance(body.get("request_id"), str):
        candidate = body["request_id"]
    else:
        candidate = exchange.headers.get("x-request-id")
    return candidate if isinstance(candidate, str) and _PLAIN.match(candidate) else None


def _content_type(value: str) -> str:
    kind = value.split(";")[0].strip().lower()
    return kind if re.match(r"^[a-z0-9.+\-]+/[a-z0-9.+\-]+$", kind) else ("none" if not kind else "<unreadable>")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _inferred_pointers(doc: Any, pointer: str = "#") -> Iterator[str]:
    if isinstance(doc, Mapping):
        if doc.get(INFERRED):
            yield pointer
        for key, value in doc.items():
            yield from _inferred_pointers(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _inferred_pointers(value, f"{pointer}/{index}")
