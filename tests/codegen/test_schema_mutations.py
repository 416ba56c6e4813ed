"""Hypothesis over schema mutations: the change report tells the whole truth, generation never overwrites.

Each example applies a few random edits to a copy of the snapshot: constraints set, raised,
lowered or dropped, defaults, enums, types, formats, titles, nullability, ``additionalProperties``,
fields and ``required``, operationIds (some normalising onto another operation's module), tags,
copied operations, servers and per-operation security. Then:

* every edit that is not cosmetic (descriptions and examples aside) appears in the report;
* a generated name that goes away (an operation module, a model class, a model field) is breaking;
* a request rule made narrower is breaking;
* the generator's plan refuses every document where two things share a module, and the report
  then names a breaking change (a module collision for operations).
"""

from __future__ import annotations

import copy
import json
import os
import string
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sume_async._schema import Change, Kind, diff_schemas

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
sys.path.insert(0, str(ROOT / "scripts"))
import generate  # noqa: E402

Doc = dict[str, Any]
Path_ = tuple[str | int, ...]
METHODS = ("get", "put", "post", "delete", "patch")
BASE: Doc = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
COSMETIC = frozenset({"description", "summary", "example", "examples", "externalDocs"})


# --- where edits can land --------------------------------------------------------------------------


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _schema_nodes(node: Any, path: Path_) -> Iterator[Path_]:
    """Every inline schema object under ``node`` (not through ``$ref``)."""
    if not isinstance(node, dict) or "$ref" in node:
        return
    if node.get("type") != "null":  # a rule beside `type: null` says nothing
        yield path
    for name, sub in (node.get("properties") or {}).items():
        yield from _schema_nodes(sub, (*path, "properties", name))
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _schema_nodes(node[key], (*path, key))
    for key in ("anyOf", "oneOf", "allOf"):
        for index, sub in enumerate(node.get(key) or []):
            yield from _schema_nodes(sub, (*path, key, index))


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in found:
                found.add(name)
                _refs(BASE["components"]["schemas"][name], found)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _operations(doc: Doc) -> list[tuple[str, str]]:
    return [(path, method) for path, item in doc["paths"].items() for method in METHODS if method in item]


REQUEST_COMPONENTS: set[str] = set()
for _path, _method in _operations(BASE):
    _op = BASE["paths"][_path][_method]
    _refs([_op.get("requestBody"), _op.get("parameters")], REQUEST_COMPONENTS)
RESPONSE_COMPONENTS: set[str] = set()
for _path, _method in _operations(BASE):
    _refs(BASE["paths"][_path][_method].get("responses"), RESPONSE_COMPONENTS)
#: Schema nodes with whether they only ever describe a request (where a narrower rule refuses calls).
NODES: list[tuple[Path_, bool]] = [
    (path, name in REQUEST_COMPONENTS and name not in RESPONSE_COMPONENTS)
    for name, schema in BASE["components"]["schemas"].items()
    for path in _schema_nodes(schema, ("components", "schemas", name))
]
NODES += [
    (path, True)
    for name, param in BASE["components"]["parameters"].items()
    for path in _schema_nodes(param.get("schema"), ("components", "parameters", name, "schema"))
]
OPERATIONS = _operations(BASE)
OP_IDS = sorted(BASE["paths"][p][m]["operationId"] for p, m in OPERATIONS)

# --- the edits -----------------------------------------------------------------------------------

WORD = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)


@dataclass(frozen=True)
class Edit:
    """One edit, named for Hypothesis' report; applying it says whether it narrowed a request rule."""

    name: str
    apply: Callable[[Doc], bool]

    def __repr__(self) -> str:
        return self.name


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@st.composite
def schema_edit(draw: st.DrawFn) -> Edit:
    path, request_only = draw(st.sampled_from(NODES))
    choice = draw(
        st.sampled_from(
            [
                "bound", "drop_bound", "pattern", "default", "enum_add", "enum_drop", "type", "format",
                "title", "nullable", "additional", "field_add", "field_drop", "required", "varnames", "unique",
            ]
        )
    )  # fmt: skip
    key = draw(st.sampled_from(LOWER + UPPER))
    number = draw(st.integers(min_value=0, max_value=500))
    word = draw(WORD)

    def edit(doc: Doc) -> bool:
        node = _get(doc, path)
        text = node.get("type") == "string" or isinstance(node.get("enum"), list)
        if choice == "bound":
            before = node.get(key)
            node[key] = number
            narrower = before is None or (number > before if key in LOWER else number < before)
            return request_only and narrower and before != number
        if choice == "drop_bound":
            present = [k for k in (*LOWER, *UPPER, "pattern") if k in node]
            if present:
                del node[present[number % len(present)]]
        elif choice == "pattern":
            node["pattern"] = f"^{word}$"
            return request_only
        elif choice == "default" and text:
            node["default"] = node["enum"][number % len(node["enum"])] if node.get("enum") else word
        elif choice == "enum_add" and text:
            values = node.get("enum") or ([node["default"]] if "default" in node else [])
            node["enum"] = [*values, *([] if f"new_{word.lower()}" in values else [f"new_{word.lower()}"])]
            return request_only and "enum" not in _get(BASE, path)
        elif choice == "enum_drop" and len(node.get("enum", [])) > 1:
            node["enum"] = node["enum"][1:]
            if node.get("default") not in node["enum"]:
                node.pop("default", None)
            return request_only
        elif choice == "type" and isinstance(node.get("type"), str) and "properties" not in node:
            node["type"] = "boolean" if node.get("type") != "boolean" else "integer"
        elif choice == "format" and node.get("type") == "string":
            node["format"] = draw_format(number)
        elif choice == "title":
            node["title"] = word
        elif (
            choice == "nullable"
            and path[-2] not in ("anyOf", "oneOf")
            and not ("anyOf" in node or "null" in node.get("type", []) or node.get("nullable"))
        ):
            doc_parent = _get(doc, path[:-1])
            doc_parent[path[-1]] = {"anyOf": [node, {"type": "null"}]}
        elif choice == "additional" and (node.get("type") == "object" or "properties" in node):
            node["additionalProperties"] = [False, True, {"type": "string"}, {"type": "integer"}][number % 4]
        elif choice == "field_add":
            node.setdefault("properties", {})[f"new_{word}"] = {"type": "string"}
        elif choice == "field_drop" and node.get("properties"):
            names = sorted(node["properties"])
            del node["properties"][names[number % len(names)]]
        elif choice == "required" and node.get("properties"):
            names = sorted(node["properties"])
            name = names[number % len(names)]
            required = node.setdefault("required", [])
            if name in required:
                required.remove(name)
            else:
                required.append(name)
                return request_only
        elif choice == "varnames" and node.get("enum"):
            node["x-enum-varnames"] = [f"V{i}_{word}" for i in range(len(node["enum"]))]
        elif choice == "unique":
            node["uniqueItems"] = not node.get("uniqueItems", False)
        return False

    return Edit(f"{choice} {key}={number} {word!r} at {'/'.join(map(str, path))}", edit)


def draw_format(number: int) -> str:
    return ["date-time", "uuid", "email", "uri", "date"][number % 5]


@st.composite
def operation_edit(draw: st.DrawFn) -> Edit:
    path, method = draw(st.sampled_from(OPERATIONS))
    choice = draw(st.sampled_from(["rename", "collide", "tag", "copy", "servers", "security", "doc_servers"]))
    other = draw(st.sampled_from(OP_IDS))
    word = draw(WORD)
    spelling = draw(st.sampled_from([_snake, lambda s: s[0].upper() + s[1:], lambda s: _snake(s).replace("_", "-")]))

    def edit(doc: Doc) -> bool:
        op = doc["paths"][path][method]
        if choice == "rename":
            op["operationId"] = f"op{word}"
        elif choice == "collide":
            op["operationId"] = spelling(other)
        elif choice == "tag":
            op["tags"] = [word]
        elif choice == "copy":
            twin = copy.deepcopy(op)
            twin["operationId"] = spelling(other)
            doc["paths"].setdefault(f"{path}/copy-{word.lower()}", {})[method] = twin
        elif choice == "servers":
            op["servers"] = [{"url": f"https://{word.lower()}.example"}]
        elif choice == "security":
            op["security"] = [] if len(word) % 2 else [{"BearerAuth": []}]
        elif choice == "doc_servers":
            doc["servers"] = [{"url": f"https://{word.lower()}.example/v1"}]
        return False

    return Edit(f"{choice} {other}/{word!r} at {method.upper()} {path}", edit)


EDITS = st.lists(st.one_of(schema_edit(), operation_edit()), min_size=1, max_size=3)


# --- what the generator would make ---------------------------------------------------------------


def _essence(node: Any) -> Any:
    """What a document says, without the cosmetics and the spellings of "anything goes"."""
    if isinstance(node, dict):
        return {
            k: _essence(v)
            for k, v in node.items()
            if k not in COSMETIC
            and not str(k).startswith("x-sume")
            and not (k == "additionalProperties" and v in (True, {}))
        }
    if isinstance(node, list):
        return [_essence(v) for v in node]
    return node


def generated_names(doc: Doc) -> set[str]:
    """The generator's own view: operation modules, model classes and their fields, enum classes."""
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser import GeneratorData

    config = Config.from_sources(
        ConfigFile.load_from_path(generate.CONFIG), MetaType.NONE, SNAPSHOT, "utf-8", True, None
    )
    data = GeneratorData.from_dict(copy.deepcopy(doc), config=config)
    assert isinstance(data, GeneratorData), data
    names = {f"api/{tag}/{e.name}" for tag, c in data.endpoint_collections_by_tag.items() for e in c.endpoints}
    for model in data.models:
        names.add(f"class {model.class_info.name}")
        names |= {f"{model.class_info.name}.{p.python_name}" for p in model.required_properties or []}
        names |= {f"{model.class_info.name}.{p.python_name}" for p in model.optional_properties or []}
    names |= {f"class {e.class_info.name}" for e in data.enums}
    return names


def _plan(doc: Doc, tmp: Path) -> str | None:
    """None when the generator's plan accepts ``doc``, else its refusal."""
    schema = tmp / "openapi.json"
    schema.write_text(json.dumps(doc), encoding="utf-8")
    try:
        generate.plan_modules(schema)
    except SystemExit as exc:
        return str(exc.code)
    return None


def api(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.section != "inferred"]


@pytest.fixture(scope="module")
def base_names() -> set[str]:
    return generated_names(BASE)


@given(edits=EDITS)
@settings(
    max_examples=int(os.environ.get("SUME_MUTATION_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_every_mutation_is_reported_and_nothing_is_overwritten(
    edits: list[Edit], base_names: set[str], tmp_path: Path
) -> None:
    new = copy.deepcopy(BASE)
    narrowed = False
    for edit in edits:
        narrowed = edit.apply(new) or narrowed
    changes = api(diff_schemas(BASE, new))
    breaking = [c for c in changes if c.breaking]
    shown = "\n".join([f"edits: {edits}", *(f"{c.kind}: {c.location} {c.detail}" for c in changes)])
    if _essence(new) != _essence(BASE):
        assert changes, f"a change the report does not show: {edits}"
    else:
        assert not changes, shown
    if narrowed:
        assert breaking, f"a narrower request rule that is not breaking:\n{shown}"

    refusal = _plan(new, tmp_path)
    if refusal is not None:
        assert breaking, f"generation refuses ({refusal}) but the report has nothing breaking:\n{shown}"
        if "would be generated into one module" in refusal and "api/" in refusal:
            assert any(c.kind is Kind.MODULE_COLLISION for c in changes), shown
        return
    assert not any(c.kind is Kind.MODULE_COLLISION and c.location.startswith("api/") for c in changes), shown
    gone = base_names - generated_names(new)
    if gone:
        assert breaking, f"generated names disappear ({sorted(gone)[:5]}) without a breaking change:\n{shown}"
