"""``schema check`` and ``tools list|schema`` as subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli

from sume_async.cli._exit import ExitCode

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi" / "openapi.json"
FIXTURES = ROOT / "tests" / "codegen" / "fixtures" / "schemas"


def test_schema_check(cli: Cli, tmp_path: Path) -> None:
    same = cli("schema", "check", "--from", str(SNAPSHOT))
    assert same.returncode == 0 and same.stdout.startswith("No changes")

    # An additive change only: exit 0, reported.
    doc = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    doc["paths"]["/new-thing"] = {"get": {"operationId": "getNewThing", "responses": {"200": {"description": "ok"}}}}
    added = tmp_path / "added.json"
    added.write_text(json.dumps(doc), encoding="utf-8")
    additive = cli.in_process("schema", "check", "--from", str(added), "--json")
    assert additive.returncode == 0 and additive.json["breaking"] is False
    assert additive.json["counts"]["additive"] >= 1

    # A removed operation: breaking, exit 1, and the same report as `make update-schema`.
    del doc["paths"]["/jobs/{jobId}"]
    removed = tmp_path / "removed.json"
    removed.write_text(json.dumps(doc), encoding="utf-8")
    breaking = cli("schema", "check", "--from", str(removed))
    assert breaking.returncode == ExitCode.FAILED
    assert "BREAKING" in breaking.stdout and "GET /jobs/{jobId}" in breaking.stdout
    as_json = cli.in_process("schema", "check", "--from", str(removed), "--json")
    assert as_json.returncode == ExitCode.FAILED and as_json.json["breaking"] is True
    assert any(c["location"].startswith("GET /jobs/{jobId}") for c in as_json.json["changes"])

    not_json = cli.in_process("schema", "check", "--from", str(ROOT / "README.md"), "--json")
    assert not_json.returncode == ExitCode.USAGE and not_json.error["code"] == "invalid_schema"
    swagger = tmp_path / "swagger.json"
    swagger.write_text('{"swagger": "2.0"}', encoding="utf-8")
    assert cli.in_process("schema", "check", "--from", str(swagger), "--json").returncode == ExitCode.USAGE
    offline = cli.in_process("schema", "check", "--url", "http://127.0.0.1:9/openapi.json", "--json")
    assert offline.returncode == ExitCode.UNAVAILABLE and offline.error["code"] == "schema_unavailable"


def test_tools_list_and_schema_show_the_mcp_catalogue(cli: Cli) -> None:
    listed = cli("tools", "list", "--json")
    assert listed.returncode == 0
    by_name = {t["name"]: t for t in listed.json}
    assert by_name["jobs_list"]["access"] == "read" and by_name["images_generate"]["access"] == "paid"
    assert by_name["jobs_download"]["access"] == "write"
    read_only = cli.in_process("tools", "list", "--access", "read", "--json").json
    assert {t["access"] for t in read_only} == {"read"}
    human = cli.in_process("tools", "list")
    assert human.stdout.splitlines()[0].split("\t") == ["name", "access", "description"]

    one = cli("tools", "schema", "videos_generate")
    assert one.returncode == 0
    tool = json.loads(one.stdout)
    assert tool == by_name["videos_generate"]
    duration = tool["inputSchema"]["properties"]["duration"]
    assert (duration["minimum"], duration["maximum"]) == (4, 15)
    unknown = cli.in_process("tools", "schema", "nope", "--json")
    assert unknown.returncode == ExitCode.USAGE and unknown.error["code"] == "unknown_tool"
