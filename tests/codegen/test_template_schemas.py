"""The model template takes the valid OpenAPI 3.1 schemas the generator's stock templates take.

A copy of the snapshot gains, in a read model and in a request model, a ``const``, arrays whose
items may be null (``anyOf`` with null, ``type: [..., "null"]``, a nullable ``$ref``) and unions
of an object and a string. The package generated from it must build, pass ``mypy --strict``, and
read and write those fields back unchanged (a wrong ``const`` still refused).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import generate  # noqa: E402

READ_FIELDS: dict[str, Any] = {
    "kind": {"const": "account"},
    "tags": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    "when": {"type": "array", "items": {"type": ["string", "null"], "format": "date-time"}},
    "owners": {"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/AccountUser"}, {"type": "null"}]}},
    "meta": {"anyOf": [{"$ref": "#/components/schemas/Workspace"}, {"type": "string"}]},
    "note": {
        "anyOf": [{"type": "object", "properties": {"text": {"type": "string"}}}, {"type": "string"}, {"type": "null"}]
    },
}
REQUEST_FIELDS: dict[str, Any] = {
    "kind": {"const": "image"},
    "tags": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    "meta": {"anyOf": [{"type": "object", "properties": {"text": {"type": "string"}}}, {"type": "string"}]},
}

CHECKS = textwrap.dedent(
    """
    from sume_api_client.models.account import Account
    from sume_api_client.models.image_generation_request import ImageGenerationRequest
    from sume_api_client.models.workspace import Workspace

    body = {
        "kind": "account", "tags": ["a", None], "when": ["2024-01-01T00:00:00+00:00", None],
        "owners": [None, {"email": "a@b.c", "id": "u1"}], "meta": "text", "note": {"text": "hi"}, "object": None,
    }
    account = Account.from_dict(body)
    assert account.tags == ["a", None] and account.when[1] is None and account.owners[0] is None
    assert account.meta == "text" and account.note is not None and account.note.to_dict() == {"text": "hi"}
    assert account.to_dict() == body, account.to_dict()
    other = Account.from_dict({"kind": "account", "meta": {"id": "w1", "name": "W"}, "note": "plain"})
    assert isinstance(other.meta, Workspace) and other.note == "plain"
    assert other.to_dict() == {"kind": "account", "meta": {"id": "w1", "name": "W"}, "note": "plain"}
    for bad, error in (({"kind": "nope"}, ValueError), ({}, KeyError)):
        try:
            Account.from_dict(bad)
        except error:
            pass
        else:
            raise AssertionError(f"accepted {bad}")
    request = ImageGenerationRequest(prompt="p", kind="image", tags=["x", None], meta="s")
    sent = {"prompt": "p", "kind": "image", "tags": ["x", None], "meta": "s"}
    assert request.to_dict() == sent, request.to_dict()
    assert ImageGenerationRequest.from_dict(sent).to_dict() == sent
    print("ok")
    """
)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = json.loads(generate.SCHEMA.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    schemas["Account"]["properties"].update(copy.deepcopy(READ_FIELDS))
    schemas["Account"]["required"] = [*schemas["Account"].get("required", []), "kind"]
    schemas["ImageGenerationRequest"]["properties"].update(copy.deepcopy(REQUEST_FIELDS))
    root = tmp_path_factory.mktemp("template-schemas")
    schema = root / "openapi.json"
    schema.write_text(json.dumps(doc), encoding="utf-8")
    target = root / "out" / generate.PACKAGE
    assert generate.main(["--schema", str(schema), "--target", str(target)]) == 0
    return target.parent


def test_the_fields_read_and_write_back(package: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECKS], cwd=package, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_the_package_passes_mypy_strict(package: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", generate.PACKAGE],
        cwd=package,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
