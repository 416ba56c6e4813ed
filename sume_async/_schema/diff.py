"""Compare two OpenAPI 3.x documents and list the changes that matter to this SDK.

    changes = diff_schemas(old_doc, new_doc)
    print(render_text(changes))

``diff_schemas`` is pure: it reads two parsed documents and returns ``Change`` records
in a stable order. A change is *breaking* when code built on the old document (the
generated client, the SDK on top of it, the mock server) can stop working: a removed
operation, parameter or field, a field newly required in a request, a response field
that may now be missing or null, a type change, a removed enum value, a renamed model
or module. Whether a field change breaks depends on the direction the data flows, so
every component schema is classified by the operations that use it (request, response
or both; an unused one counts as both).

``$ref``s are resolved; a ``$ref`` to the same component on both sides is not descended
into, because that component is compared once, on its own, with the operations that
use it listed. ``allOf`` parts are merged; ``anyOf``/``oneOf`` with a ``null`` branch,
``type: [..., "null"]`` and 3.0 ``nullable`` all count as nullability.

Objects the old document marks ``x-sume-inferred`` (this project's guesses) are
checked against the new one: confirmed (identical apart from descriptions and
examples), changed, or missing. A new document that still marks them says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .names import class_name, module_name, operation_module, tag_folder

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST = "request"
RESPONSE = "response"
_BOTH = frozenset({REQUEST, RESPONSE})
INFERRED = "x-sume-inferred"
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object", list: "array"}
_COSMETIC = frozenset({"description", "summary", "title", "example", "examples", "externalDocs"})


class Kind(StrEnum):
    DOCUMENT_CHANGED = "document changed"
    SECURITY_SCHEME_ADDED = "security scheme added"
    SECURITY_SCHEME_REMOVED = "security scheme removed"
    SECURITY_SCHEME_CHANGED = "security scheme changed"
    SECURITY_CHANGED = "security requirement changed"
    OPERATION_ADDED = "operation added"
    OPERATION_REMOVED = "operation removed"
    OPERATION_RENAMED = "operationId changed"
    OPERATION_MOVED = "operation moved"
    TAG_CHANGED = "tag changed"
    DEPRECATED = "deprecated"
    PARAMETER_ADDED = "parameter added"
    PARAMETER_REMOVED = "parameter removed"
    REQUEST_BODY_ADDED = "request body added"
    REQUEST_BODY_REMOVED = "request body removed"
    RESPONSE_ADDED = "response added"
    RESPONSE_REMOVED = "response removed"
    MEDIA_TYPE_ADDED = "media type added"
    MEDIA_TYPE_REMOVED = "media type removed"
    SCHEMA_ADDED = "schema added"
    SCHEMA_REMOVED = "schema removed"
    FIELD_ADDED = "field added"
    FIELD_REMOVED = "field removed"
    REQUIRED_CHANGED = "required changed"
    TYPE_CHANGED = "type changed"
    REF_CHANGED = "model changed"
    NULLABLE_CHANGED = "nullability changed"
    ENUM_VALUE_ADDED = "enum value added"
    ENUM_VALUE_REMOVED = "enum value removed"
    ENUM_ADDED = "enum constraint added"
    ENUM_REMOVED = "enum constraint removed"
    SERVER_ADDED = "server added"
    SERVER_REMOVED = "server removed"
    MODULE_COLLISION = "generated module collision"
    CLASS_RENAMED = "generated class renamed"
    TITLE_CHANGED = "title changed"
    ENUM_NAMES_CHANGED = "enum member names changed"
    CONSTRAINT_TIGHTENED = "constraint tightened"
    CONSTRAINT_LOOSENED = "constraint loosened"
    CONSTRAINT_CHANGED = "constraint changed"
    DEFAULT_CHANGED = "default changed"
    ADDITIONAL_CHANGED = "additional properties changed"
    INFERRED_CONFIRMED = "guess confirmed"
    INFERRED_CHANGED = "guess changed"
    INFERRED_MISSING = "guess missing"


ADDITIVE_KINDS = frozenset(
    {
        Kind.SECURITY_SCHEME_ADDED,
        Kind.OPERATION_ADDED,
        Kind.PARAMETER_ADDED,
        Kind.REQUEST_BODY_ADDED,
        Kind.RESPONSE_ADDED,
        Kind.MEDIA_TYPE_ADDED,
        Kind.SCHEMA_ADDED,
        Kind.FIELD_ADDED,
        Kind.ENUM_VALUE_ADDED,
        Kind.SERVER_ADDED,
        Kind.CONSTRAINT_LOOSENED,
    }
)
INFERRED_KINDS = frozenset({Kind.INFERRED_CONFIRMED, Kind.INFERRED_CHANGED, Kind.INFERRED_MISSING})


@dataclass(frozen=True)
class Change:
    """One difference. ``location`` names the place in the API, not a JSON pointer."""

    kind: Kind
    location: str
    detail: str
    breaking: bool
    used_by: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """``inferred``, ``breaking``, ``additive`` or ``other``."""
        if self.kind in INFERRED_KINDS:
            return "inferred"
        if self.breaking:
            return "breaking"
        return "additive" if self.kind in ADDITIVE_KINDS else "other"


def diff_schemas(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, in a stable order."""
    differ = _Differ(old, new)
    differ.document()
    differ.security()
    differ.operations()
    differ.components()
    differ.changes.extend(inferred_changes(old, new))
    return differ.changes


def has_breaking(changes: list[Change]) -> bool:
    return any(c.breaking for c in changes)


# --- references and schema normalisation -------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _pointer(doc: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        return None  # external references are not followed
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _deref(doc: Mapping[str, Any], node: Any) -> Any:
    """Follow a chain of ``$ref`` objects (parameters, responses, request bodies)."""
    for _ in range(32):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            return node
        node = _pointer(doc, node["$ref"])
    return None


_ANY, _NONE, _MISSING = "any", "none", object()
#: JSON Schema keywords that narrow what a value may be: the SDK's request rules.
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_CONSTRAINTS = (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "pattern", "multipleOf", "uniqueItems")


@dataclass
class _View:
    """A schema reduced to what the diff compares."""

    ref: str | None = None
    ref_path: str | None = None
    types: frozenset[str] = frozenset()
    fmt: str | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Any = None
    extra: Any = _ANY  # additionalProperties: _ANY (absent, true or {}), _NONE (false), or a schema
    variants: tuple[str, ...] = ()
    branches: tuple[Any, ...] = ()
    constraints: dict[str, Any] = field(default_factory=dict)
    default: Any = _MISSING
    title: str | None = None
    varnames: tuple[Any, ...] | None = None
    site: Mapping[str, Any] = field(default_factory=dict)  # what is written beside a `$ref`, at this use of it

    @property
    def makes_class(self) -> bool:
        """The generator writes a class for it: an enum, or an object model."""
        return bool(self.enum) or "object" in self.types

    def shape(self) -> str:
        if self.variants:
            return " | ".join(self.variants)
        if not self.types:
            return "any"
        text = "|".join(sorted(self.types))
        return f"{text}({self.fmt})" if self.fmt else text


def _merge_all_of(
    doc: Mapping[str, Any], schema: Mapping[str, Any], depth: int = 0
) -> tuple[dict[str, Any], str | None]:
    """Fold ``allOf`` parts into one schema; keep the ref name of a lone ``allOf: [$ref]``."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    parts = [p for p in schema.get("allOf", []) if isinstance(p, Mapping)]
    lone_ref = None
    if len(parts) == 1 and isinstance(parts[0].get("$ref"), str) and "properties" not in schema:
        lone_ref = _ref_name(parts[0]["$ref"])
    properties: dict[str, Any] = dict(merged.get("properties", {}))
    required: list[str] = list(merged.get("required", []))
    for part in parts:
        resolved = _deref(doc, part)
        if not isinstance(resolved, Mapping):
            continue
        if "allOf" in resolved and depth < 32:
            resolved, _ = _merge_all_of(doc, resolved, depth + 1)
        properties.update(resolved.get("properties", {}))
        required.extend(r for r in resolved.get("required", []) if r not in required)
        for key, value in resolved.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged, lone_ref


def _is_null(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    if schema.get("type") == "null" or schema.get("type") == ["null"]:
        return True
    return schema.get("enum") == [None] or ("const" in schema and schema["const"] is None)


def _normalize(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> _View:
    if not isinstance(schema, Mapping) or depth > 32:
        return _View()
    ref = ref_path = None
    site: Mapping[str, Any] = {}
    if isinstance(schema.get("$ref"), str):
        ref_path = schema["$ref"]
        ref = _ref_name(ref_path)
        target = _deref(doc, schema)
        site = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**(target if isinstance(target, Mapping) else {}), **site}
    if "allOf" in schema:
        site = site or {k: v for k, v in schema.items() if k != "allOf"}
        schema, lone_ref = _merge_all_of(doc, schema, depth)
        ref = ref or lone_ref
    nullable = bool(schema.get("nullable"))
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if not isinstance(branches, list):
            continue
        real = [b for b in branches if not _is_null(b)]
        nullable = nullable or len(real) < len(branches)
        if len(real) == 1:
            rest = {k: v for k, v in schema.items() if k != key}
            inner = _normalize(doc, {**rest, **real[0]} if "$ref" not in real[0] else real[0], depth + 1)
            inner.site = {**rest, **inner.site}
            inner.nullable = inner.nullable or nullable
            if not inner.ref:
                inner.ref, inner.ref_path = ref, ref_path
            return inner
        views = [_normalize(doc, b, depth + 1) for b in real]
        names = tuple(sorted(v.ref or v.shape() for v in views))
        union = frozenset(t for v in views for t in v.types)
        return _View(
            ref=ref,
            ref_path=ref_path,
            types=union,
            nullable=nullable,
            variants=names,
            branches=tuple(real),
            title=_title(schema),
            default=schema.get("default", _MISSING),
        )
    raw_type = schema.get("type")
    types = set(raw_type if isinstance(raw_type, list) else [raw_type] if isinstance(raw_type, str) else [])
    if "null" in types:
        nullable = True
        types.discard("null")
    enum: tuple[Any, ...] | None = None
    if isinstance(schema.get("enum"), list):
        values = schema["enum"]
        nullable = nullable or None in values
        enum = tuple(v for v in values if v is not None)
    elif "const" in schema and schema["const"] is not None:
        enum = (schema["const"],)
    if not types and enum:
        types = {_JSON_TYPES.get(type(v), "any") for v in enum}
    properties = schema.get("properties")
    if not types and isinstance(properties, Mapping):
        types.add("object")
    if not types and "items" in schema:
        types.add("array")
    additional = schema.get("additionalProperties")
    if additional is False:
        extra: Any = _NONE
    elif isinstance(additional, Mapping) and additional:
        extra = additional
    else:
        extra = _ANY
    varnames = schema.get("x-enum-varnames")
    return _View(
        ref=ref,
        ref_path=ref_path,
        types=frozenset(types),
        fmt=schema.get("format") if isinstance(schema.get("format"), str) else None,
        nullable=nullable,
        enum=enum,
        properties=dict(properties) if isinstance(properties, Mapping) else {},
        required=frozenset(r for r in schema.get("required", []) if isinstance(r, str)),
        items=schema.get("items"),
        site=site,
        extra=extra,
        constraints={k: schema[k] for k in _CONSTRAINTS if k in schema},
        default=schema.get("default", _MISSING),
        title=_title(schema),
        varnames=tuple(varnames) if isinstance(varnames, list) else None,
    )


def _is_union(schema: Any) -> bool:
    """An ``anyOf``/``oneOf`` at the top of a component: the generator makes a union, not one model."""
    return isinstance(schema, Mapping) and any(isinstance(schema.get(key), list) for key in ("anyOf", "oneOf"))


def _site_view(site: Mapping[str, Any]) -> _View:
    """The rules written beside a ``$ref`` (3.1 allows them), as a view to compare."""
    return _View(constraints={k: site[k] for k in _CONSTRAINTS if k in site}, default=site.get("default", _MISSING))


def _title(schema: Mapping[str, Any]) -> str | None:
    title = schema.get("title")
    return title if isinstance(title, str) else None


def _schema_refs(doc: Mapping[str, Any], node: Any, seen: set[str]) -> None:
    """Add every component schema reachable from ``node`` to ``seen``."""
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = _ref_name(ref)
            if name not in seen:
                seen.add(name)
                _schema_refs(doc, _pointer(doc, ref), seen)
        for value in node.values():
            _schema_refs(doc, value, seen)
    elif isinstance(node, list):
        for value in node:
            _schema_refs(doc, value, seen)


# --- operations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Op:
    method: str
    path: str
    raw: Mapping[str, Any]
    path_params: tuple[Any, ...]
    path_servers: Any = None

    @property
    def servers(self) -> Any:
        """Servers given on the operation or its path (None when both leave it to the document)."""
        return self.raw.get("servers", self.path_servers)

    @property
    def op_id(self) -> str:
        value = self.raw.get("operationId")
        return value if isinstance(value, str) else ""

    @property
    def tag(self) -> str | None:
        tags = self.raw.get("tags")
        return tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None

    @property
    def label(self) -> str:
        name = f" ({self.op_id})" if self.op_id else ""
        return f"{self.method.upper()} {self.path}{name}"

    @property
    def short(self) -> str:
        return self.op_id or f"{self.method.upper()} {self.path}"


def _route(method: str, path: str) -> tuple[str, str]:
    """Match key of an operation: a renamed path parameter is the same route."""
    return method, re.sub(r"\{[^}]*\}", "{}", path)


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], _Op]:
    """Operations keyed by (method, path template with parameter names erased)."""
    ops: dict[tuple[str, str], _Op] = {}
    paths = doc.get("paths")
    for path, item in paths.items() if isinstance(paths, Mapping) else []:
        item = _deref(doc, item)
        if not isinstance(item, Mapping):
            continue
        shared = tuple(item.get("parameters", []))
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                ops[_route(method, path)] = _Op(method, path, op, shared, item.get("servers"))
    return ops


def _op_module(op: _Op) -> str:
    """Where the generator writes the operation: ``api/<tag>/<module>.py``."""
    return f"api/{tag_folder(op.raw.get('tags'))}/{operation_module(op.raw.get('operationId'), op.method, op.path)}.py"


def _modules(doc: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Generated module -> what the generator writes into it (operations and component classes)."""
    owners: dict[str, list[str]] = {}
    for op in _operations(doc).values():
        owners.setdefault(_op_module(op), []).append(op.label)
    schemas = doc.get("components", {}).get("schemas") if isinstance(doc.get("components"), Mapping) else None
    for name, schema in sorted(schemas.items()) if isinstance(schemas, Mapping) else []:
        view = _normalize(doc, schema)
        if view.makes_class and not view.variants:
            cls = class_name(view.title or name)
            owners.setdefault(f"models/{module_name(cls)}.py", []).append(f"schema {name} (class {cls})")
    return {module: tuple(sorted(found)) for module, found in owners.items()}


def _parameters(doc: Mapping[str, Any], op: _Op) -> dict[tuple[str, str], Mapping[str, Any]]:
    params: dict[tuple[str, str], Mapping[str, Any]] = {}
    for raw in (*op.path_params, *op.raw.get("parameters", [])):
        param = _deref(doc, raw)
        if isinstance(param, Mapping) and isinstance(param.get("name"), str):
            key = (str(param.get("in", "")), param["name"])
            params[key] = param
    return params


def _content(node: Any) -> dict[str, Any]:
    content = node.get("content") if isinstance(node, Mapping) else None
    return {k: v.get("schema") for k, v in content.items()} if isinstance(content, Mapping) else {}


def _usage(doc: Mapping[str, Any]) -> dict[str, dict[str, set[str]]]:
    """Component schema name -> {"request"|"response": operations that reach it}."""
    usage: dict[str, dict[str, set[str]]] = {}

    def mark(node: Any, direction: str, op: _Op) -> None:
        seen: set[str] = set()
        _schema_refs(doc, node, seen)
        for name in seen:
            usage.setdefault(name, {REQUEST: set(), RESPONSE: set()})[direction].add(op.short)

    for op in _operations(doc).values():
        for param in _parameters(doc, op).values():
            mark(param, REQUEST, op)
        mark(_deref(doc, op.raw.get("requestBody")), REQUEST, op)
        responses = op.raw.get("responses")
        for response in responses.values() if isinstance(responses, Mapping) else []:
            mark(_deref(doc, response), RESPONSE, op)
    return usage


# --- the differ --------------------------------------------------------------------------------


def _joined(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(base: str, path: str) -> str:
    return f"{base}: {path}" if path else base


def _value(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self._used_by: tuple[str, ...] = ()

    def add(self, kind: Kind, location: str, detail: str, breaking: bool) -> None:
        self.changes.append(Change(kind, location, detail, breaking, self._used_by))

    # document and security

    def document(self) -> None:
        for key, label in (("openapi", "OpenAPI version"), ("info.version", "API version")):
            old, new = self._get(self.old, key), self._get(self.new, key)
            if old != new:
                self.add(Kind.DOCUMENT_CHANGED, "document", f"{label} {old} -> {new}", False)
        self.servers(self.old.get("servers"), self.new.get("servers"), "servers")

    def servers(self, old: Any, new: Any, where: str) -> None:
        """Where the API is served: a URL that goes away may be the one a client was built for."""
        old_urls, new_urls = _server_urls(old), _server_urls(new)
        for url in sorted(old_urls - new_urls):
            self.add(Kind.SERVER_REMOVED, where, url, True)
        for url in sorted(new_urls - old_urls):
            self.add(Kind.SERVER_ADDED, where, url, False)

    @staticmethod
    def _get(doc: Mapping[str, Any], dotted: str) -> Any:
        node: Any = doc
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return node

    def security(self) -> None:
        old = self._get(self.old, "components.securitySchemes") or {}
        new = self._get(self.new, "components.securitySchemes") or {}
        for name in sorted(set(old) | set(new)):
            where = f"security scheme {name}"
            if name not in new:
                self.add(Kind.SECURITY_SCHEME_REMOVED, where, _scheme_text(old[name]), True)
            elif name not in old:
                self.add(Kind.SECURITY_SCHEME_ADDED, where, _scheme_text(new[name]), False)
            elif _scheme_text(old[name]) != _scheme_text(new[name]):
                detail = f"{_scheme_text(old[name])} -> {_scheme_text(new[name])}"
                self.add(Kind.SECURITY_SCHEME_CHANGED, where, detail, True)
        self.requirements(self.old.get("security"), self.new.get("security"), "security")

    def requirements(self, old: Any, new: Any, where: str) -> None:
        """Security requirements: an alternative removed breaks the clients using it, unless none is needed now."""
        old_alts, new_alts = _alternatives(old), _alternatives(new)
        for alt in sorted(old_alts - new_alts):
            self.add(Kind.SECURITY_CHANGED, where, f"alternative {alt} removed", "(none)" not in new_alts)
        for alt in sorted(new_alts - old_alts):
            self.add(Kind.SECURITY_CHANGED, where, f"alternative {alt} added", False)

    # operations

    def operations(self) -> None:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        removed = {k: old_ops[k] for k in old_ops.keys() - new_ops.keys()}
        added = {k: new_ops[k] for k in new_ops.keys() - old_ops.keys()}
        moved: list[tuple[_Op, _Op]] = []
        for old_key, old_op in sorted(removed.items()):
            match = [k for k, op in sorted(added.items()) if old_op.op_id and op.op_id == old_op.op_id]
            if match:
                moved.append((old_op, added.pop(match[0])))
                del removed[old_key]
        pairs = [(old_ops[k], new_ops[k]) for k in old_ops.keys() & new_ops.keys()] + moved
        entries: list[tuple[tuple[str, str], int, _Op, _Op | None]] = []
        entries += [((op.path, op.method), 0, op, None) for op in removed.values()]
        entries += [((op.path, op.method), 1, op, None) for op in added.values()]
        entries += [((new.path, new.method), 2, old, new) for old, new in pairs]
        for _, tag, first, second in sorted(entries, key=lambda e: (e[0], e[1])):
            if tag == 0:
                self.add(Kind.OPERATION_REMOVED, first.label, "", True)
            elif tag == 1:
                self.add(Kind.OPERATION_ADDED, first.label, "", False)
            elif second is not None:
                self.operation(first, second)
        self.collisions()

    def collisions(self) -> None:
        """Two operations or two classes the generator would write to one module: one silently replaces the other."""
        old, new = _modules(self.old), _modules(self.new)
        for module in sorted(new):
            owners = new[module]
            if len(owners) > 1 and owners != old.get(module):
                detail = f"{' and '.join(owners)}: the generator writes one file, the last replaces the others"
                self.add(Kind.MODULE_COLLISION, module, detail, True)

    def operation(self, old: _Op, new: _Op) -> None:
        where = new.label
        if _route(old.method, old.path) != _route(new.method, new.path):
            detail = f"was {old.method.upper()} {old.path}; the mock server and hard-coded routes must follow"
            self.add(Kind.OPERATION_MOVED, where, detail, True)
        if old.op_id != new.op_id:
            before, after = _op_module(old), _op_module(new)
            effect = f"the generated module {before} becomes {after}" if before != after else f"same module {after}"
            self.add(Kind.OPERATION_RENAMED, where, f"{old.op_id or '-'} -> {new.op_id or '-'}; {effect}", True)
        if old.tag != new.tag:
            self.add(Kind.TAG_CHANGED, where, f"{old.tag} -> {new.tag}; the generated module moves", True)
        if bool(old.raw.get("deprecated")) != bool(new.raw.get("deprecated")):
            state = "now deprecated" if new.raw.get("deprecated") else "no longer deprecated"
            self.add(Kind.DEPRECATED, where, state, False)
        if "security" in old.raw or "security" in new.raw:  # its own requirements, not the document's
            self.requirements(
                _effective(self.old, old, "security"), _effective(self.new, new, "security"), f"{where} security"
            )
        if old.servers is not None or new.servers is not None:
            self.servers(_effective(self.old, old, "servers"), _effective(self.new, new, "servers"), f"{where} servers")
        self.parameters(old, new)
        self.request_body(old, new)
        self.responses(old, new)

    def parameters(self, old_op: _Op, new_op: _Op) -> None:
        old, new = _parameters(self.old, old_op), _parameters(self.new, new_op)
        for key in sorted(old.keys() | new.keys()):
            where = f"{new_op.label} parameter {key[1]} ({key[0]})"
            if key not in new:
                self.add(Kind.PARAMETER_REMOVED, where, "", True)
                continue
            required = bool(new[key].get("required"))
            if key not in old:
                self.add(Kind.PARAMETER_ADDED, where, "required" if required else "optional", required)
                continue
            if bool(old[key].get("required")) != required:
                detail = "now required" if required else "no longer required"
                self.add(Kind.REQUIRED_CHANGED, where, detail, required)
            self.schema(old[key].get("schema"), new[key].get("schema"), where, "", frozenset({REQUEST}))

    def request_body(self, old_op: _Op, new_op: _Op) -> None:
        old = _deref(self.old, old_op.raw.get("requestBody"))
        new = _deref(self.new, new_op.raw.get("requestBody"))
        where = f"{new_op.label} request body"
        if old is None and new is None:
            return
        if new is None:
            self.add(Kind.REQUEST_BODY_REMOVED, where, "", True)
            return
        required = bool(new.get("required"))
        if old is None:
            self.add(Kind.REQUEST_BODY_ADDED, where, "required" if required else "optional", required)
            return
        if bool(old.get("required")) != required:
            detail = "now required" if required else "no longer required"
            self.add(Kind.REQUIRED_CHANGED, where, detail, required)
        self.content(old, new, where, frozenset({REQUEST}))

    def responses(self, old_op: _Op, new_op: _Op) -> None:
        old = old_op.raw.get("responses") or {}
        new = new_op.raw.get("responses") or {}
        for code in sorted(set(old) | set(new)):
            where = f"{new_op.label} response {code}"
            if code not in new:
                success = str(code).startswith("2")
                self.add(Kind.RESPONSE_REMOVED, where, "" if success else "error status", success)
            elif code not in old:
                self.add(Kind.RESPONSE_ADDED, where, "", False)
            else:
                old_r, new_r = _deref(self.old, old[code]), _deref(self.new, new[code])
                self.content(old_r, new_r, where, frozenset({RESPONSE}))

    def content(self, old: Any, new: Any, where: str, ctx: frozenset[str]) -> None:
        old_c, new_c = _content(old), _content(new)
        for media in sorted(set(old_c) | set(new_c)):
            base = where if len(old_c | new_c) == 1 else f"{where} {media}"
            if media not in new_c:
                self.add(Kind.MEDIA_TYPE_REMOVED, base, media, True)
            elif media not in old_c:
                self.add(Kind.MEDIA_TYPE_ADDED, base, media, False)
            else:
                self.schema(old_c[media], new_c[media], base, "", ctx)

    # components

    def components(self) -> None:
        old = self._get(self.old, "components.schemas") or {}
        new = self._get(self.new, "components.schemas") or {}
        old_use, new_use = _usage(self.old), _usage(self.new)
        for name in sorted(set(old) | set(new)):
            where = f"schema {name}"
            directions: set[str] = set()
            ops: set[str] = set()
            for use in (old_use.get(name, {}), new_use.get(name, {})):
                for direction, names in use.items():
                    if names:
                        directions.add(direction)
                        ops |= names
            self._used_by = tuple(sorted(ops))
            if name not in new:
                self.add(Kind.SCHEMA_REMOVED, where, "its generated model disappears", True)
            elif name not in old:
                self.add(Kind.SCHEMA_ADDED, where, "", False)
            else:
                ctx = frozenset(directions) or _BOTH
                self.schema(old[name], new[name], where, "", ctx, top=True, component=name)
            self._used_by = ()

    # schemas

    def schema(
        self,
        old_raw: Any,
        new_raw: Any,
        base: str,
        path: str,
        ctx: frozenset[str],
        *,
        top: bool = False,
        seen: frozenset[tuple[str, str]] = frozenset(),
        component: str | None = None,
    ) -> None:
        old, new = _normalize(self.old, old_raw), _normalize(self.new, new_raw)
        where = _where(base, path)
        request, response = REQUEST in ctx, RESPONSE in ctx
        same_ref = bool(old.ref and old.ref == new.ref and not top)
        # At a reference to the same component, only nullability added around it is this site's own.
        if old.nullable != new.nullable and not (same_ref and self._target_nullability_changed(old, new)):
            if new.nullable:
                self.add(Kind.NULLABLE_CHANGED, where, "now nullable", response)
            else:
                self.add(Kind.NULLABLE_CHANGED, where, "no longer nullable", request)
        if same_ref:  # the component is compared once, under `schema <name>`; what this use adds is its own
            old_site, new_site = _site_view(old.site), _site_view(new.site)
            self.constraints(old_site, new_site, where, ctx)
            self.default(old_site, new_site, where, request)
            return
        if old.ref != new.ref:
            if (old.ref, new.ref) in seen:
                return
            seen = seen | {(old.ref or "", new.ref or "")}
            renamed = bool(old.ref and new.ref)
            effect = "the generated class is renamed" if renamed else "the generated class name may change"
            detail = f"{old.ref or 'inline'} -> {new.ref or 'inline'}; {effect}"
            self.add(Kind.REF_CHANGED, where, detail, renamed)
        if component is not None and _is_union(old_raw) != _is_union(new_raw):
            state = "now a union" if _is_union(new_raw) else "no longer a union"
            self.add(Kind.TYPE_CHANGED, where, f"{state}: the generated model is replaced", True)
        if old.shape() != new.shape():
            self.add(Kind.TYPE_CHANGED, where, f"{old.shape()} -> {new.shape()}", True)
            if not (old.types & new.types):
                return
        self.enum(old, new, where, request)
        self.names(old, new, where, component)
        self.constraints(old, new, where, ctx)
        self.default(old, new, where, request)
        if old.properties or new.properties:
            self.fields(old, new, base, path, ctx, seen)
        if old.items is not None and new.items is not None:
            self.schema(old.items, new.items, base, f"{path}[]", ctx, seen=seen)
        self.additional(old, new, base, path, ctx, seen)
        if old.variants and old.variants == new.variants and len(old.branches) == len(new.branches):
            for index, (old_branch, new_branch) in enumerate(zip(old.branches, new.branches, strict=True)):
                self.schema(old_branch, new_branch, base, f"{path}<{index}>", ctx, seen=seen)

    def _target_nullability_changed(self, old: _View, new: _View) -> bool:
        old_target = _normalize(self.old, {"$ref": old.ref_path})
        new_target = _normalize(self.new, {"$ref": new.ref_path})
        return old_target.nullable != new_target.nullable

    def names(self, old: _View, new: _View, where: str, component: str | None) -> None:
        """A ``title`` names the generated class (the component's name only when there is none)."""
        if old.varnames != new.varnames and (old.varnames or new.varnames):
            detail = "x-enum-varnames differ; the generated enum members are renamed"
            self.add(Kind.ENUM_NAMES_CHANGED, where, detail, True)
        if old.title == new.title:
            return
        if component is not None or (old.makes_class and new.makes_class):
            fallback = component or "(inline name)"
            before = class_name(old.title) if old.title else fallback
            after = class_name(new.title) if new.title else fallback
            if before != after:
                self.add(Kind.CLASS_RENAMED, where, f"{before} -> {after} (the title names the class)", True)
                return
        self.add(Kind.TITLE_CHANGED, where, f"{old.title!r} -> {new.title!r}", False)

    def constraints(self, old: _View, new: _View, where: str, ctx: frozenset[str]) -> None:
        """Request rules: a narrower one refuses calls that worked (breaking), a wider one is additive."""
        request = REQUEST in ctx
        for key in _CONSTRAINTS:
            before, after = old.constraints.get(key, _MISSING), new.constraints.get(key, _MISSING)
            if before == after and type(before) is type(after):
                continue
            text = f"{key} {_shown(before)} -> {_shown(after)}"
            tighter = _tighter(key, before, after)
            if tighter is None:
                self.add(Kind.CONSTRAINT_CHANGED, where, text, request)
            elif tighter:
                self.add(Kind.CONSTRAINT_TIGHTENED, where, text, request)
            else:
                self.add(Kind.CONSTRAINT_LOOSENED, where, text, False)

    def default(self, old: _View, new: _View, where: str, request: bool) -> None:
        if old.default == new.default and type(old.default) is type(new.default):
            return
        detail = f"{_shown(old.default)} -> {_shown(new.default)}"
        self.add(Kind.DEFAULT_CHANGED, where, f"{detail}; calls that leave it out now mean another value", request)

    def additional(
        self, old: _View, new: _View, base: str, path: str, ctx: frozenset[str], seen: frozenset[tuple[str, str]]
    ) -> None:
        """``additionalProperties``: which extra keys an object takes (and the generated dict's type)."""
        old_extra, new_extra = old.extra, new.extra
        if isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            self.schema(old_extra, new_extra, base, f"{path}{{}}", ctx, seen=seen)
            return
        if old_extra == new_extra or not ("object" in old.types or "object" in new.types):
            return
        request = REQUEST in ctx and _extra_rank(new_extra) < _extra_rank(old_extra)  # fewer extra keys accepted
        response = RESPONSE in ctx and old_extra != _NONE  # the generated extras change type or vanish
        detail = f"{_extra_text(old_extra)} -> {_extra_text(new_extra)}"
        self.add(Kind.ADDITIONAL_CHANGED, _where(base, path), detail, request or response)

    def enum(self, old: _View, new: _View, where: str, request: bool) -> None:
        if old.enum is None and new.enum is None:
            return
        if old.enum is None:
            values = ", ".join(_value(v) for v in new.enum or ())
            self.add(Kind.ENUM_ADDED, where, f"now limited to {values}", request)
        elif new.enum is None:
            self.add(Kind.ENUM_REMOVED, where, "any value now; the generated enum class disappears", True)
        else:
            for value in [v for v in new.enum if v not in old.enum]:
                self.add(Kind.ENUM_VALUE_ADDED, where, _value(value), False)
            for value in [v for v in old.enum if v not in new.enum]:
                self.add(Kind.ENUM_VALUE_REMOVED, where, _value(value), True)

    def fields(
        self,
        old: _View,
        new: _View,
        base: str,
        path: str,
        ctx: frozenset[str],
        seen: frozenset[tuple[str, str]],
    ) -> None:
        request, response = REQUEST in ctx, RESPONSE in ctx
        for name in sorted(old.properties.keys() | new.properties.keys()):
            where = _where(base, _joined(path, name))
            required = name in new.required
            state = "required" if required else "optional"
            if name not in new.properties:
                self.add(Kind.FIELD_REMOVED, where, "required" if name in old.required else "optional", True)
            elif name not in old.properties:
                self.add(Kind.FIELD_ADDED, where, state, required and request)
            else:
                if (name in old.required) != required:
                    breaking = request if required else response
                    detail = "now required" if required else "no longer required"
                    self.add(Kind.REQUIRED_CHANGED, where, detail, breaking)
                old_sub, new_sub = old.properties[name], new.properties[name]
                self.schema(old_sub, new_sub, base, _joined(path, name), ctx, seen=seen)


def _shown(value: Any) -> str:
    return "(none)" if value is _MISSING else _value(value)


def _extra_rank(extra: Any) -> int:
    """How many extra keys an object takes: none, those of a schema, any."""
    if isinstance(extra, Mapping):
        return 1
    return 0 if extra == _NONE else 2


def _extra_text(extra: Any) -> str:
    if extra == _NONE:
        return "no extra keys"
    if extra == _ANY:
        return "any extra keys"
    return f"extra keys of {_normalize({}, extra).shape()}"


def _tighter(key: str, before: Any, after: Any) -> bool | None:
    """True when ``after`` accepts less than ``before``, False when more, None when neither is sure."""
    if before is _MISSING:
        return after is not False  # a new rule (uniqueItems: false says nothing)
    if after is _MISSING:
        return False if before is not False else None
    if isinstance(before, bool) or isinstance(after, bool):  # uniqueItems, 3.0 exclusive bounds
        return bool(after) and not bool(before) if bool(after) != bool(before) else None
    if key in _LOWER_BOUNDS and _number(before) and _number(after):
        return bool(after > before)
    if key in _UPPER_BOUNDS and _number(before) and _number(after):
        return bool(after < before)
    if key == "multipleOf" and _number(before) and _number(after) and after:
        return not (before / after).is_integer()
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scheme_text(scheme: Any) -> str:
    if not isinstance(scheme, Mapping):
        return "?"
    parts = [str(scheme.get(k)) for k in ("type", "scheme", "in", "name", "bearerFormat") if scheme.get(k)]
    return " ".join(parts)


def _alternatives(security: Any) -> set[str]:
    if not isinstance(security, list):
        return set()
    if not security:
        return {"(none)"}  # `security: []`: no authentication
    return {"+".join(sorted(req)) or "(none)" for req in security if isinstance(req, Mapping)}


def _server_urls(servers: Any) -> set[str]:
    if not isinstance(servers, list):
        return set()
    return {str(s.get("url")) for s in servers if isinstance(s, Mapping) and s.get("url") is not None}


def _effective(doc: Mapping[str, Any], op: _Op, key: str) -> Any:
    """An operation's own ``security``/``servers``, else its path's (servers only), else the document's."""
    own = op.servers if key == "servers" else op.raw.get(key)
    return own if own is not None else doc.get(key)


# --- x-sume-inferred ---------------------------------------------------------------------------


def _key_of(item: Any, index: int) -> str:
    if isinstance(item, Mapping) and isinstance(item.get("name"), str) and "in" in item:
        return f"{item['name']}@{item['in']}"
    return str(index)


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """Every object with its path; list items are keyed by ``name@in`` when they have one."""
    if isinstance(node, Mapping):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, _key_of(value, index)))


def _find(doc: Any, path: tuple[str, ...]) -> Any:
    node = doc
    for part in path:
        if isinstance(node, Mapping):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list):
            found = [v for i, v in enumerate(node) if _key_of(v, i) == part]
            if not found:
                return None
            node = found[0]
        else:
            return None
    return node


def _essence(node: Any) -> Any:
    """The node without descriptions, examples or extensions, with order-free lists sorted."""
    if isinstance(node, Mapping):
        out = {}
        for key, value in node.items():
            if key in _COSMETIC or str(key).startswith("x-"):
                continue
            if key in ("required", "enum") and isinstance(value, list):
                out[key] = sorted(value, key=repr)
            else:
                out[key] = _essence(value)
        return out
    if isinstance(node, list):
        return [_essence(v) for v in node]
    return node


def _pretty(path: tuple[str, ...]) -> str:
    if path[:2] == ("components", "schemas") and len(path) >= 3:
        rest = [p for p in path[3:] if p != "properties"]
        return _where(f"schema {path[2]}", ".".join(rest))
    if path[:2] == ("components", "parameters") and len(path) >= 3:
        return f"parameter {path[2]}"
    if path[:1] == ("paths",) and len(path) >= 3:
        where = f"{path[2].upper()} {path[1]}"
        if len(path) >= 5 and path[3] == "parameters":
            name, _, location = path[4].partition("@")
            return f"{where} parameter {name} ({location})"
        return _where(where, "/".join(path[3:]))
    return "/".join(path)


def inferred_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What the new document says about each object the old one marks ``x-sume-inferred``."""
    changes = []
    differ = _Differ(old, new)
    for path, node in _walk(old):
        if node.get(INFERRED) is not True:
            continue
        found = _find(new, path)
        where = _pretty(path)
        if not isinstance(found, Mapping):
            changes.append(Change(Kind.INFERRED_MISSING, where, "not in the new schema", False))
        elif found.get(INFERRED) is True:
            continue  # still a guess
        elif _essence(found) == _essence(node):
            changes.append(Change(Kind.INFERRED_CONFIRMED, where, "the new schema agrees", False))
        elif _same_shape(differ, node, found):
            detail = "the same types, fields and rules; only the spelling differs"
            changes.append(Change(Kind.INFERRED_CHANGED, where, detail, False))
        else:
            changes.append(Change(Kind.INFERRED_CHANGED, where, "the new schema differs (see above)", False))
    return changes


def _same_shape(differ: _Differ, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """True when the schema diff finds nothing between the two objects (a schema or a parameter)."""
    if "in" in old and "name" in old:

        def where(param: Mapping[str, Any]) -> tuple[Any, Any, bool]:
            return param.get("in"), param.get("name"), bool(param.get("required"))

        if where(old) != where(new):
            return False
        old, new = old.get("schema") or {}, new.get("schema") or {}
    start = len(differ.changes)
    differ.schema(old, new, "", "", _BOTH, top=True)
    same = len(differ.changes) == start
    del differ.changes[start:]
    return same


# --- text --------------------------------------------------------------------------------------

_SECTIONS = (
    ("breaking", "BREAKING (review sume_async/ and the mock server before committing)"),
    ("additive", "Additive"),
    ("other", "Other non-breaking"),
    ("inferred", "x-sume-inferred guesses"),
)


def _used_by_text(used_by: tuple[str, ...], limit: int) -> str:
    if not used_by:
        return ""
    if len(used_by) > limit:
        return f" [used by {', '.join(used_by[:limit])} and {len(used_by) - limit} more]"
    return f" [used by {', '.join(used_by)}]"


def render_text(
    changes: list[Change], *, old_label: str = "old", new_label: str = "new", used_by_limit: int = 4
) -> str:
    """A plain-text report, one line per change, grouped by section."""
    if not changes:
        return f"No changes between {old_label} and {new_label}.\n"
    counts = {key: sum(1 for c in changes if c.section == key) for key, _ in _SECTIONS}
    lines = [
        f"Schema changes from {old_label} to {new_label}: "
        f"{counts['breaking']} breaking, {counts['additive']} additive, {counts['other']} other, "
        f"{counts['inferred']} about x-sume-inferred guesses."
    ]
    for key, title in _SECTIONS:
        section = [c for c in changes if c.section == key]
        if not section:
            continue
        lines += ["", f"{title}:"]
        for c in section:
            detail = f": {c.detail}" if c.detail else ""
            lines.append(f"  - {c.location} -- {c.kind}{detail}{_used_by_text(c.used_by, used_by_limit)}")
    return "\n".join(lines) + "\n"
