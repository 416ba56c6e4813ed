"""MCP as agents call it: odd, unknown and misspelt arguments, hostile paths, failed waits, a budget.

Before the operations table a paid tool silently dropped unknown arguments (``aspectRatio``,
``imageCount``, a misspelt ``idempotency_key``) and created the job with defaults, so two "safe"
retries made two paid jobs; ``jobs.wait`` answered every failure with "Error executing tool" and
a traceback. Here every paid tool is called with bad arguments and nothing may be created, and
every failure must be the documented ``{code, message, request_id}``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import KEY, Cli
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from sume_async import InvalidInputError
from sume_async.cli._tools import CATALOGUE, check_arguments, tool_error

pytestmark = pytest.mark.anyio

PAID_TOOLS = [spec for spec in CATALOGUE if spec.access == "paid"]


@asynccontextmanager
async def session(cli: Cli, *flags: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "sume_async.cli", "mcp", *flags], env=cli.env())
    with open("/dev/null", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            yield client


def error_of(result: Any) -> dict[str, Any]:
    assert result.is_error
    text = result.content[0].text
    assert KEY not in text and "Traceback" not in text
    body = json.loads(text)
    assert set(body) >= {"code", "message", "request_id"}, body
    return dict(body)


def _valid(spec_name: str) -> dict[str, Any]:
    return {
        "images_generate": {"prompt": "a red bicycle"},
        "videos_generate": {"prompt": "waves", "duration": 5},
        "ads_videos_create": {"avatar_id": "avatar_ava", "script": "Hi"},
        "face_swap_create": {"media_url": "https://media.example/v.mp4", "avatar_ids": ["avatar_ava"]},
        "reference_analysis_create": {"url": "https://www.tiktok.com/@x/video/1"},
        "assets_upload": {"path": "scene.mp4"},
    }[spec_name]


async def test_bad_arguments_to_every_paid_tool_create_nothing(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "scene.mp4").write_bytes(b"\x01" * 1024)
    before, balance = len(cli.mock.jobs), cli.mock.balance()
    async with session(cli, "--allow-paid", f"--allow-write={tmp_path}") as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        for spec in PAID_TOOLS:
            tool = listed[spec.name]
            assert tool.annotations is not None and tool.annotations.destructive_hint is True
            assert tool.input_schema["additionalProperties"] is False
            good = _valid(spec.name)
            for bad in (
                {**good, "aspectRatio": "9:16"},
                {**good, "imageCount": 2},
                {**good, "idempotency-key": "k1"},
                {**good, "idempotencyKey": "k1"},
                {**good, "prompt": 5} if "prompt" in good else {**good, "idempotency_key": 5},
                {**good, "idempotency_key": "has space"},
                {key: value for key, value in good.items() if key != next(iter(good))},  # a required one missing
            ):
                error = error_of(await client.call_tool(spec.name, bad))
                assert error["code"] == "invalid_input", (spec.name, bad, error)
                assert "--" not in error["message"], "names the tool's argument, not a CLI option"
        for path in ("../outside.mp4", "/etc/passwd", "a\x00b.mp4", "x" * 300 + ".mp4", str(tmp_path)):
            error = error_of(await client.call_tool("assets_upload", {"path": path}))
            assert error["code"] == "invalid_input", (path, error)
        unknown = error_of(await client.call_tool("jobs.list", {}))
        assert unknown["code"] == "unknown_tool"
    assert len(cli.mock.jobs) == before and cli.mock.balance() == balance


async def test_wait_failures_are_typed_errors(cli: Cli) -> None:
    async with session(cli, "--allow-paid") as client:
        missing = error_of(await client.call_tool("jobs_wait", {"job_id": "job_does_not_exist"}))
        assert missing["code"] == "not_found" and missing["request_id"]
        job = json.loads((await client.call_tool("images_generate", {"prompt": "slow"})).content[0].text)
        cli.mock.set_job_duration(job["id"], 1e6)
        timed_out = error_of(await client.call_tool("jobs_wait", {"job_id": job["id"], "timeout_seconds": 0.3}))
        assert timed_out["code"] == "job_timeout"
        cli.mock.set_job_status(job["id"], "failed")
        failed = error_of(await client.call_tool("jobs_wait", {"job_id": job["id"]}))
        assert failed["code"] == "job_failed"
        out_of_range = error_of(await client.call_tool("jobs_wait", {"job_id": job["id"], "timeout_seconds": 1e9}))
        assert out_of_range["code"] == "invalid_input" and "timeout_seconds" in out_of_range["message"]


async def test_a_credit_budget_refuses_paid_calls_past_it(cli: Cli) -> None:
    before = len(cli.mock.jobs)
    async with session(cli, "--allow-paid", "--max-credits", "1") as client:
        first = await client.call_tool("images_generate", {"prompt": "one"})
        assert not first.is_error
        refused = error_of(await client.call_tool("images_generate", {"prompt": "two"}))
        assert refused["code"] == "budget_exceeded"
    assert len(cli.mock.jobs) == before + 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    spec=st.sampled_from(CATALOGUE),
    arguments=st.dictionaries(st.text(max_size=20), _json, max_size=5) | _json,
)
def test_any_arguments_are_checked_or_refused_with_a_typed_error(spec: Any, arguments: Any) -> None:
    """Whatever an agent sends, the check either passes or raises InvalidInputError; its error is typed."""
    try:
        checked = check_arguments(spec, arguments)
    except InvalidInputError as exc:
        error = tool_error(exc)
        assert error["code"] == "invalid_input" and error["request_id"] is None
        return
    assert set(checked) <= set(spec.arguments) and spec.required <= set(checked)


async def test_asset_search_takes_every_filter_of_the_sdk(cli: Cli) -> None:
    async with session(cli) as client:
        found = await client.call_tool(
            "assets_search", {"q": "mug", "created_after": "2020-01-01T00:00:00Z", "sort": "created_at_desc"}
        )
        assert not found.is_error, found.content[0].text
        assert (
            error_of(await client.call_tool("assets_search", {"q": "mug", "created_after": "yesterday"}))["code"]
            == "invalid_input"
        )
        assert (
            error_of(await client.call_tool("assets_search", {"q": "mug", "sort": "newest"}))["code"] == "invalid_input"
        )
