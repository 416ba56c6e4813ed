"""``sume-async mcp`` driven by the official MCP client over stdio, against the loopback mock."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import KEY, Cli
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from sume_async.cli._tools import CATALOGUE

pytestmark = pytest.mark.anyio

READ = {
    "account_me",
    "credits_get",
    "brand_list",
    "brand_current",
    "avatars_list",
    "avatars_get",
    "jobs_list",
    "jobs_get",
    "jobs_result",
    "jobs_wait",
    "assets_search",
    "assets_get",
}
WRITE = {"jobs_download"}
PAID = {
    "images_generate",
    "videos_generate",
    "ads_videos_create",
    "face_swap_create",
    "reference_analysis_create",
    "assets_upload",
}


@asynccontextmanager
async def session(cli: Cli, *flags: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "sume_async.cli", "mcp", *flags], env=cli.env())
    with open("/dev/null", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            yield client


def payload(result: Any) -> Any:
    text = result.content[0].text
    assert KEY not in text
    return json.loads(text)


def test_catalogue_matches_the_issue() -> None:
    assert {t.name for t in CATALOGUE if t.access == "read"} == READ
    assert {t.name for t in CATALOGUE if t.access == "write"} == WRITE
    assert {t.name for t in CATALOGUE if t.access == "paid"} == PAID


async def test_gates_in_process() -> None:
    """The catalogue each gate serves, listed by the same MCPServer the command runs."""
    from sume_async.cli._tools import build_server

    for access, expected in (({"read"}, READ), ({"read", "write"}, READ | WRITE), ({"read", "paid"}, READ | PAID)):
        assert {t.name for t in await build_server(access).list_tools()} == expected


async def test_read_only_by_default_over_stdio(cli: Cli) -> None:
    async with session(cli) as client:
        tools = (await client.list_tools()).tools
        assert {t.name for t in tools} == READ
        by_name = {t.name: t for t in tools}
        limit = by_name["jobs_list"].input_schema["properties"]["limit"]
        assert (limit["minimum"], limit["maximum"]) == (1, 100)
        # A paid tool is refused without --allow-paid, even when called by name; nothing is created.
        before = len(cli.mock.jobs)
        refused = await client.call_tool("images_generate", {"prompt": "x"})
        assert refused.is_error and len(cli.mock.jobs) == before
        listed = payload(await client.call_tool("jobs_list", {"limit": 5}))
        assert set(listed) == {"data", "next_cursor"}


async def test_paid_flow_errors_and_a_cancelled_wait(cli: Cli, tmp_path: Path, anyio_backend: str) -> None:
    before = len(cli.mock.jobs)
    async with session(cli, "--allow-paid", f"--allow-write={tmp_path}") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == READ | WRITE | PAID
        # The schemas carry the SDK's constraints: enums, ranges, https-only URLs.
        props = tools["videos_generate"].input_schema["properties"]
        assert {"480p", "720p"} == set(props["resolution"]["enum"])
        assert (props["duration"]["minimum"], props["duration"]["maximum"]) == (4, 15)
        assert tools["videos_generate"].input_schema["additionalProperties"] is False
        assert tools["reference_analysis_create"].input_schema["properties"]["url"]["pattern"].startswith("^https://")

        job = payload(await client.call_tool("images_generate", {"prompt": "a red bicycle", "aspect_ratio": "1:1"}))
        assert job["status"] == "queued" and len(cli.mock.jobs) == before + 1
        progress: list[float] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(value)

        done = await client.call_tool("jobs_wait", {"job_id": job["id"]}, progress_callback=on_progress)
        assert not done.is_error
        result = payload(done)
        assert result["status"] == "completed" and result["result"]["outputs"][0]["url"].startswith("http")

        # Invalid arguments: tool errors, nothing created.
        bad = await client.call_tool("videos_generate", {"prompt": "x", "duration": 99})
        assert bad.is_error and "duration" in bad.content[0].text
        bad_url = await client.call_tool("reference_analysis_create", {"url": "http://insecure.example/reel"})
        assert bad_url.is_error
        api_error = await client.call_tool("jobs_get", {"job_id": "job_missing"})
        assert api_error.is_error and payload(api_error)["code"] == "not_found"
        assert payload(api_error)["request_id"]
        assert len(cli.mock.jobs) == before + 1

        # A wait that would take forever, cancelled by the client: the server stops polling and lives on.
        slow = payload(await client.call_tool("videos_generate", {"prompt": "slow", "duration": 4}))
        cli.mock.set_job_duration(slow["id"], 1e6)
        progress.clear()
        with anyio.move_on_after(1.8):
            await client.call_tool("jobs_wait", {"job_id": slow["id"]}, progress_callback=on_progress)
            pytest.fail("the wait should have been cancelled")
        assert progress, "a long wait reports progress"
        polls = cli.mock.route_counts
        await anyio.sleep(1.0)
        assert cli.mock.route_counts["GET /jobs/{jobId}"] == polls["GET /jobs/{jobId}"], "still polling"
        me = payload(await client.call_tool("account_me", {}))
        assert me["workspace"]["id"]

        # --allow-write DIR: jobs_download saves the outputs where the agent says.
        target = tmp_path / f"dl-{anyio_backend}"
        saved = payload(await client.call_tool("jobs_download", {"job_id": job["id"], "directory": str(target)}))
        media = cli.mock.media(job["id"])
        assert [f["bytes"] for f in saved["files"]] == [m.size for m in media]
        assert all(Path(f["path"]).parent == target for f in saved["files"])

        # assets_upload: the ingest job comes back, never the upload's URL or object key.
        video = tmp_path / f"scene-{anyio_backend}.mp4"
        video.write_bytes(b"\x03" * 2048)
        uploaded = await client.call_tool("assets_upload", {"path": str(video), "title": "From an agent"})
        text = uploaded.content[0].text
        assert not uploaded.is_error and json.loads(text)["type"] == "asset_ingest"
        assert not any(u.object_key in text for u in cli.mock.uploads.values())
        missing = await client.call_tool("assets_upload", {"path": str(tmp_path / "nope.mp4")})
        assert missing.is_error and payload(missing)["code"] == "invalid_input"
