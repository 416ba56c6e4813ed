"""Where the API's schema comes from: the live document, a file, or the snapshot this SDK was built from.

Shared by ``sume-async schema check`` and ``make update-schema`` (``scripts/update_schema.py``),
so both read, fetch and check a document the same way; :mod:`._schema_diff` compares two.
The snapshot ships in the wheel as ``sume_async/openapi.json`` (in a source checkout it is
``openapi/openapi.json``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from ._version import __version__

__all__ = ["LIVE_URL", "TIMEOUT_SECONDS", "SchemaError", "check_openapi3", "fetch_schema", "read_schema", "snapshot"]

LIVE_URL = "https://www.sume.so/api/v1/openapi.json"
TIMEOUT_SECONDS = 30.0


class SchemaError(Exception):
    """A schema that could not be fetched, read or accepted; the message is one line."""


def snapshot() -> tuple[Any, str]:
    """The schema this SDK was generated from, and where it was found."""
    shipped = resources.files("sume_async").joinpath("openapi.json")
    if shipped.is_file():
        return _parse(shipped.read_text(encoding="utf-8"), "the installed snapshot"), "installed snapshot"
    checkout = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
    if checkout.is_file():
        return read_schema(checkout), "openapi/openapi.json"
    raise SchemaError("this installation carries no schema snapshot")


def _parse(text: str, label: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"{label} is not valid JSON: {exc}") from exc


def fetch_schema(
    url: str = LIVE_URL, *, timeout: float = TIMEOUT_SECONDS, transport: httpx.BaseTransport | None = None
) -> Any:
    """GET ``url`` and parse it as JSON. ``transport`` lets tests answer without a network."""
    headers = {"Accept": "application/json", "User-Agent": f"sume-async/{__version__} schema"}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, transport=transport) as client:
            response = client.get(url, headers=headers)
    except httpx.TimeoutException as exc:
        raise SchemaError(f"fetching {url} timed out after {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise SchemaError(f"could not fetch {url}: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise SchemaError(f"fetching {url} returned HTTP {response.status_code}, expected 200")
    try:
        return response.json()
    except ValueError as exc:
        kind = response.headers.get("content-type", "unknown content type")
        raise SchemaError(f"{url} did not return JSON ({kind}): {exc}") from exc


def read_schema(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise SchemaError(f"{path} is not valid JSON: {exc}") from exc


def check_openapi3(doc: Any, *, strict: bool = True) -> None:
    """Raise ``SchemaError`` unless ``doc`` is an OpenAPI 3.x document.

    The shape check always runs; with ``strict`` the whole document must also pass
    openapi-spec-validator.
    """
    if not isinstance(doc, dict):
        raise SchemaError(f"the schema is a JSON {type(doc).__name__}, not an object")
    version = doc.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        found = f"openapi: {version!r}" if "openapi" in doc else f"swagger: {doc.get('swagger')!r}"
        raise SchemaError(f"not an OpenAPI 3.x document ({found})")
    if not isinstance(doc.get("info"), dict):
        raise SchemaError("not an OpenAPI 3.x document: `info` is missing")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        raise SchemaError("the schema has no `paths`: refusing to replace the snapshot with it")
    problem = _shape_problem(doc)
    if problem is not None:
        raise SchemaError(f"not a well-formed OpenAPI document: {problem}")
    if strict:
        from openapi_spec_validator import validate

        try:
            validate(doc)
        except Exception as exc:  # validation errors, and unresolvable $refs from `referencing`
            where = "/".join(str(p) for p in getattr(exc, "path", ())) or "document"
            text = getattr(exc, "message", None) or (f"cannot resolve {exc.ref}" if hasattr(exc, "ref") else exc)
            message = _shorten(str(text))
            raise SchemaError(f"invalid OpenAPI {version} at {where}: {message}") from exc


_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _shape_problem(doc: dict[str, Any]) -> str | None:
    """Where ``doc`` has the wrong JSON type for what a comparison walks, if anywhere (one line)."""
    for template, item in doc["paths"].items():
        if not isinstance(item, dict):
            return f"paths/{template} is a JSON {type(item).__name__}, not an object"
        if not isinstance(item.get("parameters", []), list):
            return f"paths/{template}/parameters is not a list"
        for method in _OPERATIONS:
            operation = item.get(method)
            if operation is None:
                continue
            if not isinstance(operation, dict):
                return f"paths/{template}/{method} is not an object"
            for key, kind in (("parameters", list), ("responses", dict), ("requestBody", dict), ("tags", list)):
                if key in operation and not isinstance(operation[key], kind):
                    return f"paths/{template}/{method}/{key} is not {'a list' if kind is list else 'an object'}"
    components = doc.get("components", {})
    if not isinstance(components, dict):
        return "components is not an object"
    for section, entries in components.items():
        if not isinstance(entries, dict):
            return f"components/{section} is not an object"
    return None


def _shorten(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "?"
    return line if len(line) <= limit else line[: limit - 3] + "..."
