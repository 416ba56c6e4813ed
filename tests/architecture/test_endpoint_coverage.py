"""Every operation of the schema has its three places (ARCHITECTURE.md, "a new endpoint").

A resource calls its generated endpoint, and the mock routes it. A new operation in the
snapshot fails here until both exist, which is the recipe's checklist made executable.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from import_graph import module_files, resolve

from sume_async.testing._app import ROUTES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "openapi" / "openapi.json").read_text())
GENERATED_API = ROOT / "generated" / "_generated" / "api"
METHODS = ("get", "post", "put", "patch", "delete")


def _operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in SCHEMA["paths"].items() for method in ops if method in METHODS}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_mock_routes_exactly_the_schema_operations() -> None:
    schema = {(method, _shape(path)) for method, path in _operations()}
    mock = {(route.method, _shape(route.template)) for route in ROUTES}
    assert mock == schema, f"missing in the mock: {sorted(schema - mock)}; not in the schema: {sorted(mock - schema)}"


def test_every_generated_endpoint_is_called_by_a_resource() -> None:
    generated = {
        f"{area.name}.{module.stem}"
        for area in GENERATED_API.iterdir()
        if area.is_dir()
        for module in area.glob("*.py")
        if module.name != "__init__.py"
    }
    assert len(generated) == len(_operations())
    used: set[str] = set()
    for name, path in module_files().items():
        if not name.startswith("sume_async.resources"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            source = resolve(name, path, node) if isinstance(node, ast.ImportFrom) else ""
            if source.startswith("sume_async._generated.api."):
                area = source.removeprefix("sume_async._generated.api.")
                used.update(f"{area}.{alias.name}" for alias in node.names)
    assert generated <= used, f"generated endpoints no resource calls: {sorted(generated - used)}"
