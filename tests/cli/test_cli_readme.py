"""The command-line and MCP guides (``docs/cli.md``, ``docs/mcp.md``) name commands and options that exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from sume_async.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {"Command line": DOCS / "cli.md", "For agents (MCP)": DOCS / "mcp.md"}


def _section(title: str) -> str:
    return PAGES[title].read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


def _resolves(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"], env={"SUME_API_KEY": "", "NO_COLOR": "1"})
    assert result.exit_code == 0, (args, result.output)


def test_every_command_line_in_the_readme_exists() -> None:
    lines = [line for block in _blocks(_section("Command line"), "sh") for line in block.splitlines()]
    commands = [shlex.split(line) for line in lines if line.startswith("sume-async ")]
    assert len(commands) >= 15
    for argv in commands:
        _resolves(argv[1:])


def test_the_mcp_client_configuration_is_valid_and_runs_our_server() -> None:
    (snippet,) = _blocks(_section("For agents (MCP)"), "json")
    server = json.loads(snippet)["mcpServers"]["sume"]
    assert server["command"] == "sume-async" and server["args"][0] == "mcp"
    assert set(server["env"]) == {"SUME_API_KEY"}
    _resolves(server["args"])


def test_the_mcp_section_names_every_tool_of_the_catalogue() -> None:
    from sume_async.cli._tools import CATALOGUE

    text = _section("For agents (MCP)")
    named = set(re.findall(r"`([a-z]+_[a-z_]+)`", text))
    served = {spec.name for spec in CATALOGUE}
    assert served <= named, f"the README leaves out: {sorted(served - named)}"
    looks_like_tools = {name for name in named if name.split("_")[0] in {s.split("_")[0] for s in served}}
    assert looks_like_tools <= served, f"the README names tools that do not exist: {sorted(looks_like_tools - served)}"
