"""``sume-async mcp`` (a stdio MCP server for agents) and ``tools list|schema`` (its catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import click

from .._extras import MissingExtraError, require_extra
from ._app import (
    CliError,
    ExitCode,
    Output,
    client_from_env,
    current_output,
    exit_with,
    json_option,
    output_options,
    runs_async,
)


def _settings(write_root: Path | None, allow_paid: bool, max_credits: int | None) -> Any:
    from ._tools import Settings

    access = {"read"}
    if write_root is not None:
        access.add("write")
    if allow_paid:
        access.add("paid")
    return Settings(access=frozenset(access), root=write_root, max_credits=max_credits)


def _need_mcp() -> None:
    try:
        require_extra("mcp", "the MCP server")
    except MissingExtraError as exc:
        raise CliError("missing_extra", str(exc), ExitCode.USAGE) from None


@click.command()
@click.option(
    "--allow-write",
    "write_root",
    type=click.Path(file_okay=False, path_type=Path),
    is_flag=False,
    flag_value=".",
    default=None,
    help="Also serve jobs_download, and let tools read and write files only inside DIR (alone: the current folder).",
)
@click.option("--allow-paid", is_flag=True, help="Also serve the tools that spend credits (*_generate, *_create).")
@click.option(
    "--max-credits",
    type=click.IntRange(min=0),
    help="Refuse paid tool calls once this server has spent this many credits.",
)
@json_option
def mcp(write_root: Path | None, allow_paid: bool, max_credits: int | None) -> None:
    """Serve Sume to an AI agent over stdio (MCP). Read-only unless --allow-write DIR / --allow-paid.

    \b
    Key from SUME_API_KEY, base URL from SUME_API_BASE_URL. Client configuration:
      {"mcpServers": {"sume": {"command": "sume-async", "args": ["mcp"],
                               "env": {"SUME_API_KEY": "sume_live_..."}}}}
    stdout carries the protocol only; an error before serving goes to stderr as JSON
    (with or without --json).
    """
    out = Output(json=True)  # stdout belongs to the protocol: errors go to stderr as JSON
    try:
        _need_mcp()
        anyio.run(client_from_env().close)  # fail fast, before the handshake, on a missing or bad key/URL
        from ._tools import build_server

        server = build_server(_settings(write_root, allow_paid, max_credits), client=client_from_env)
        server.run("stdio")
    except KeyboardInterrupt:
        return
    except (SystemExit, click.exceptions.Exit):
        raise
    except BaseException as exc:
        exit_with(out, exc)


@click.group()
def tools() -> None:
    """The tool catalogue that `sume-async mcp` serves."""


@tools.command("list")
@click.option("--access", type=click.Choice(["read", "write", "paid", "all"]), default="all", show_default=True)
@output_options
@runs_async
async def tools_list(out: Output, access: str) -> None:
    """Every tool: name, access (read, write with --allow-write, paid with --allow-paid), description."""
    _need_mcp()
    from ._tools import ACCESS_LEVELS, catalogue

    levels: set[str] = set(ACCESS_LEVELS) if access == "all" else {access}
    items = await catalogue(levels)
    rows: list[dict[str, Any]] = [
        {"name": t["name"], "access": t["access"], "description": t.get("description", "")} for t in items
    ]
    out.data(items if out.json else rows, columns=["name", "access", "description"])


@tools.command("schema")
@click.argument("name", required=False)
@output_options
@runs_async
async def tools_schema(out: Output, name: str | None) -> None:
    """The MCP definition of tool NAME (every tool without NAME), as the server lists it."""
    _need_mcp()
    from ._tools import ACCESS_LEVELS, catalogue

    items = await catalogue(set(ACCESS_LEVELS))
    if name is None:
        _print_json(current_output(), items)
        return
    for item in items:
        if item["name"] == name:
            _print_json(out, item)
            return
    names = ", ".join(t["name"] for t in items)
    raise CliError("unknown_tool", f"no tool named {name!r}; known: {names}", ExitCode.USAGE)


def _print_json(out: Output, value: Any) -> None:
    # A schema is data for programs: JSON in both modes (indented for people).
    out.json_line(out.safe(value), indent=None if out.json else 2)


def register(group: click.Group) -> None:
    group.add_command(mcp)
    group.add_command(tools)
