"""A rule changed in the snapshot changes the SDK, the mock, the CLI and MCP, with no hand edit.

On a copy of ``openapi/openapi.json`` the video duration maximum goes from 15 to 20, the
``image_count`` maximum from 10 to 3 and ``VideoResolution`` gains ``1080p``; the real generator
(``scripts/generate.py``) rebuilds the package from it, and the rules it exports replace the
SDK's for the test. Every front end must then refuse and accept by the new rules.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from sume_async import AsyncSume, InvalidInputError
from sume_async import _rules as rules
from sume_async._operations import OPERATIONS
from sume_async.testing import DEFAULT_API_KEY, MockSume

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    work = tmp_path_factory.mktemp("regen")
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    schemas = document["components"]["schemas"]
    schemas["VideoGenerationRequest"]["properties"]["duration"]["maximum"] = 20
    schemas["ImageGenerationRequest"]["properties"]["image_count"]["maximum"] = 3
    schemas["VideoResolution"]["enum"].append("1080p")
    snapshot = work / "openapi.json"
    snapshot.write_text(json.dumps(document))
    target = work / "package"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate.py"), "--schema", str(snapshot), "--target", str(target)],
        check=True,
        capture_output=True,
    )
    spec = importlib.util.spec_from_file_location("regenerated_rules", target / "rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def new_rules(regenerated: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "OPERATIONS", regenerated.OPERATIONS)


def _refusing() -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418, json={"error": {"code": "reached", "message": "sent"}})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_the_generated_rules_carry_the_change(regenerated: ModuleType) -> None:
    body = regenerated.OPERATIONS["createVideoGeneration"]["body"]["properties"]
    assert body["duration"]["maximum"] == 20 and "1080p" in body["resolution"]["enum"]
    assert rules.OPERATIONS["createVideoGeneration"]["body"]["properties"]["duration"]["maximum"] == 15


@pytest.mark.usefixtures("new_rules")
async def test_the_sdk_refuses_by_the_new_rules() -> None:
    async with _refusing() as http, AsyncSume("k", base_url="http://127.0.0.1:9", http_client=http) as sume:
        with pytest.raises(InvalidInputError) as refused:
            await sume.videos.generate(prompt="x", duration=21)
        assert refused.value.field == "duration" and "20" in refused.value.problem
        with pytest.raises(InvalidInputError):
            await sume.images.generate(prompt="x", image_count=4)
        with pytest.raises(Exception) as reached:  # through the SDK's checks, to the (refusing) transport
            await sume.videos.generate(prompt="x", duration=18, resolution="1080p")  # type: ignore[arg-type]
        assert not isinstance(reached.value, InvalidInputError), "the new rule lets it through to the server"


@pytest.mark.usefixtures("new_rules")
async def test_the_mock_answers_422_by_the_new_rules() -> None:
    mock = MockSume()
    try:
        transport = httpx.ASGITransport(app=mock.app)
        headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1", headers=headers) as api:

            async def post(path: str, body: dict[str, Any]) -> httpx.Response:
                return await api.post(path, json=body)

            assert (
                await post("/videos/generations", {"prompt": "x", "duration": 18, "resolution": "1080p"})
            ).status_code == 202
            refused = await post("/videos/generations", {"prompt": "x", "duration": 21})
            assert refused.status_code == 422 and "duration" in refused.json()["error"]["details"]["fields"]
            assert (await post("/images/generations", {"prompt": "x", "image_count": 4})).status_code == 422
    finally:
        mock.close()


@pytest.mark.usefixtures("new_rules")
def test_the_cli_options_follow_the_new_rules() -> None:
    from click.testing import CliRunner

    from sume_async.cli._generate import build_command

    command = build_command(OPERATIONS["createVideoGeneration"])
    by_name = {param.name: param for param in command.params}
    assert getattr(by_name["duration"].type, "max", None) == 20
    assert "1080p" in getattr(by_name["resolution"].type, "choices", ())
    result = CliRunner().invoke(command, ["--prompt", "x", "--duration", "21"], env={"SUME_API_KEY": ""})
    assert result.exit_code == 2 and "--duration" in result.output


@pytest.mark.usefixtures("new_rules")
def test_the_mcp_input_schema_follows_the_new_rules() -> None:
    from sume_async.cli._tools import _create_tool

    schema = _create_tool(OPERATIONS["createVideoGeneration"]).input_schema["properties"]
    assert schema["duration"]["maximum"] == 20 and "1080p" in schema["resolution"]["enum"]
    images = _create_tool(OPERATIONS["createImageGeneration"]).input_schema["properties"]
    assert images["image_count"]["maximum"] == 3
