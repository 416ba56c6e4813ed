"""CLI manners: closed pipes, full disks, hostile server text, non-UTF-8 stdouts, terminals, --all, paid arguments.

Each test is hostile: a child whose stdout is a pipe already closed, /dev/full, a stream that
encodes only ASCII, a server whose text carries escape sequences or whose lists never end.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from altered_mock import Altered, json_rewrite
from click.testing import CliRunner
from conftest import SPEED, Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sume_async.cli import main
from sume_async.cli._exit import ExitCode
from sume_async.cli._output import Output, sanitize
from sume_async.testing import LoopbackServer, MockSume

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "Caf\u00e9 \u2615 \x1b]52;c;aGVsbG8=\x07\x1b[2J\u202etxt.exe"


def _run(
    cli: Cli, args: list[str], stdout: Any, env: dict[str, str] | None = None, encoding: str = "utf-8"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sume_async.cli", *args],
        env=env or cli.env(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        encoding=encoding,
        timeout=60,
        check=False,
    )


def _closed_pipe() -> int:
    """The write end of a pipe whose reader is already gone: every write is EPIPE, deterministically."""
    read, write = os.pipe()
    os.close(read)
    return write


def assert_no_crash(stderr: str) -> None:
    assert "Traceback" not in stderr and "unexpected" not in stderr and "Exception ignored" not in stderr, stderr


# -- closed stdout, full disk -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["me"],
        ["me", "--json"],
        ["credits"],
        ["brand", "current"],
        ["jobs", "list"],
        ["assets", "search", "woman", "--limit", "2"],
        ["assets", "list", "--all", "--json"],
        ["--help"],
        ["jobs", "list", "--help"],
        ["brand", "list", "--all", "--limit", "1", "--json"],
        ["avatars", "list"],
        ["schema", "check", "--from", str(ROOT / "openapi" / "openapi.json")],
        ["schema", "check", "--from", str(ROOT / "openapi" / "openapi.json"), "--json"],
        ["doctor"],
    ],
)
def test_a_closed_stdout_ends_quietly_with_141(cli: Cli, args: list[str]) -> None:
    write = _closed_pipe()
    try:
        proc = _run(cli, args, stdout=write)
    finally:
        os.close(write)
    assert proc.returncode == ExitCode.CLOSED, proc.stderr  # not 70 ("unexpected"), not schema check's 1
    assert_no_crash(proc.stderr)
    assert proc.stderr == ""


def test_a_closed_stdout_after_a_paid_create_still_names_the_job(cli: Cli) -> None:
    before = set(cli.mock.jobs)
    write = _closed_pipe()
    try:
        proc = _run(cli, ["images", "generate", "--prompt", "a pipe closed early", "--json"], stdout=write)
    finally:
        os.close(write)
    created = set(cli.mock.jobs) - before
    assert proc.returncode == ExitCode.CLOSED and len(created) == 1
    error = json.loads(proc.stderr)
    assert error["code"] == "output_closed" and error["job_ids"] == sorted(created)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["me"], ["jobs", "list", "--json"], ["schema", "check", "--from", str(ROOT / "openapi" / "openapi.json")]]
)
def test_a_full_disk_is_an_io_error_not_a_bug(cli: Cli, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = _run(cli, args, stdout=full)
    assert proc.returncode == ExitCode.IO_ERROR, proc.stderr
    assert_no_crash(proc.stderr)
    assert "No space left on device" in proc.stderr


# -- server text: escape sequences and non-ASCII ------------------------------------------------


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[LoopbackServer]:
    """A mock whose names carry escape sequences (clear screen, OSC 52 clipboard), bidi overrides and non-ASCII."""

    def change(method: str, path: str, data: Any) -> Any:
        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                return {
                    k: (HOSTILE if k in ("name", "title") and isinstance(v, str) else walk(v)) for k, v in value.items()
                }
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        return walk(data)

    mock = MockSume(speed=SPEED)
    mock.app = Altered(mock.app, rewrite=json_rewrite(change))
    server = LoopbackServer(mock)
    server.start()
    server.wait_started()
    try:
        yield server
    finally:
        server.stop()
        mock.close()


@pytest.mark.parametrize("args", [["me"], ["avatars", "list"], ["brand", "current"]])
def test_escape_sequences_from_the_server_never_reach_the_terminal(
    hostile_server: LoopbackServer, args: list[str]
) -> None:
    cli = Cli(hostile_server)
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\u202e" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]52" in result.stdout and "\u2615" in result.stdout  # shown as escapes; plain text kept
    data = cli(*args, "--json")
    assert HOSTILE in _strings(data.json)  # JSON carries the value exactly (escaped by JSON itself)
    assert "\x1b" not in data.stdout


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_json_and_text_on_a_non_utf8_stdout(hostile_server: LoopbackServer, encoding: str) -> None:
    cli = Cli(hostile_server)
    env = cli.env(PYTHONIOENCODING=encoding)
    data = _run(cli, ["me", "--json"], stdout=subprocess.PIPE, env=env)
    assert data.returncode == 0, data.stderr
    assert data.stdout.isascii() and json.loads(data.stdout)["workspace"]["name"] == HOSTILE
    text = _run(cli, ["me"], stdout=subprocess.PIPE, env=env, encoding=encoding)
    assert text.returncode == 0, text.stderr
    assert_no_crash(text.stderr)
    error = _run(cli, ["avatars", "get", "avatar_nope", "--json"], stdout=subprocess.PIPE, env=env)
    assert error.returncode == ExitCode.REJECTED and json.loads(error.stderr)["code"] == "not_found"


def test_sanitize_shows_controls_and_keeps_text() -> None:
    assert sanitize("plain \u00e9 \u2615 tab\there") == "plain \u00e9 \u2615 tab\there"
    assert sanitize("a\x1b[2Jb\x9bc\u202ed\x7f") == "a\\x1b[2Jb\\x9bc\\u202ed\\x7f"
    assert sanitize("one\ntwo") == "one\\x0atwo" and sanitize("one\ntwo", keep_newlines=True) == "one\ntwo"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_is_honoured_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = _Terminal()
    Output(stderr=coloured).error(click.UsageError("bad"))
    assert "\x1b[31" in coloured.getvalue() or "\x1b[1;31" in coloured.getvalue()  # red, so the check can see it
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    Output(stderr=plain).error(click.UsageError("bad"))
    assert "31m" not in plain.getvalue() and "38;" not in plain.getvalue()


def test_job_ids_do_not_wrap_in_an_80_column_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ids = [f"job_{i:02d}{'a' * 30}" for i in range(3)]
    rows = [
        {"id": i, "type": "reference_analysis", "status": "processing", "created_at": "2026-12-01T20:56:07.577Z"}
        for i in ids
    ]
    screen = _Terminal()
    Output(stdout=screen).data(rows, columns=["id", "type", "status", "created_at"])
    assert all(i in screen.getvalue() for i in ids), screen.getvalue()
    visible = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())
    assert max(len(line) for line in visible.splitlines()) <= 80


# -- --all ---------------------------------------------------------------------------------------


def _list_server(rewrite: Any) -> LoopbackServer:
    mock = MockSume(speed=SPEED)
    mock.app = Altered(mock.app, rewrite=rewrite)
    server = LoopbackServer(mock)
    server.start()
    server.wait_started()
    return server


def test_all_cut_short_by_an_error_prints_whole_json_with_the_real_cursor() -> None:
    def unchanged(method: str, path: str, status: int, headers: Any, body: bytes) -> Any:
        return status, headers, body

    server = _list_server(unchanged)
    try:
        cli = Cli(server)
        everything = cli("avatars", "list", "--limit", "1", "--all", "--json").json["data"]
        assert len(everything) >= 3
        first = cli("avatars", "list", "--limit", "1", "--json").json
        second = cli("avatars", "list", "--limit", "1", "--cursor", first["next_cursor"], "--json").json

        def fail_the_last_page(method: str, path: str, status: int, headers: Any, body: bytes) -> Any:
            if (
                path.endswith("/avatars")
                and status == 200
                and json.loads(body)["data"][0]["id"] == everything[-1]["id"]
            ):
                return (
                    503,
                    [(b"content-type", b"application/json")],
                    b'{"error":{"code":"service_unavailable","message":"x"}}',
                )
            return status, headers, body

        server.mock.app.rewrite = fail_the_last_page
        result = cli("avatars", "list", "--limit", "1", "--all", "--json")
        assert result.returncode == ExitCode.UNAVAILABLE and result.error["code"] == "service_unavailable"
        partial = json.loads(result.stdout)  # whole JSON: what was read, and the cursor of the page that failed
        assert [a["id"] for a in partial["data"]] == [a["id"] for a in everything[:-1]]
        cursor = partial["next_cursor"]
        assert cursor is not None and (len(everything) > 3 or cursor == second["next_cursor"])
    finally:
        server.stop()
        server.mock.close()


def test_all_with_a_server_cycling_through_its_cursors_exits_non_zero_with_the_cursor() -> None:
    seen: list[str] = []

    def cycle(method: str, path: str, status: int, headers: Any, body: bytes) -> Any:
        if path.endswith("/avatars") and status == 200:  # page 3 points back at page 2: A -> B -> A -> ...
            data = json.loads(body)
            if len(seen) < 2:
                seen.append(data["next_cursor"])
            else:
                data.update(has_more=True, next_cursor=seen[0])
                body = json.dumps(data).encode()
        return status, headers, body

    server = _list_server(cycle)
    try:
        cli = Cli(server)
        result = cli("avatars", "list", "--limit", "1", "--all", "--json")
        # The SDK's pager refuses the page that loops back (PaginationLoopError) before its items.
        assert result.returncode == ExitCode.UNAVAILABLE and result.error["code"] == "pagination_loop"
        page = json.loads(result.stdout)  # still whole JSON, and it says where the list stopped
        ids = [item["id"] for item in page["data"]]
        assert page["next_cursor"] is not None and len(ids) == len(set(ids)) == 2
    finally:
        server.stop()
        server.mock.close()


# -- schema check, help, README ------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        {"openapi": "3.1.0", "info": {}, "paths": {"/x": 5}},
        {"openapi": "3.1.0", "info": {}, "paths": {"/x": {"get": {"parameters": 5}}}},
        {"openapi": "3.1.0", "info": {}, "paths": {"/x": {"get": {}}}, "components": {"schemas": []}},
        {"openapi": "3.1.0", "info": {}, "paths": {"/x": {"get": {}}}, "components": 5},
        [1, 2],
    ],
)
def test_schema_check_on_a_malformed_document_exits_2_with_a_message(cli: Cli, tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    result = cli("schema", "check", "--from", str(path))
    assert result.returncode == ExitCode.USAGE, result.stdout + result.stderr
    assert_no_crash(result.stderr)
    assert result.stderr.startswith("Error [invalid_schema]: ")


def test_jobs_result_help_promises_no_wait(cli: Cli) -> None:
    text = cli.in_process("jobs", "result", "--help").stdout
    assert "implies --wait" not in text and "does not wait" in text and "jobs wait" in text


def test_the_cli_guide_lists_every_exit_code() -> None:
    readme = (ROOT / "docs" / "cli.md").read_text()  # the command-line guide (linked from the README)
    section = readme[readme.index("- **Exit codes**") :].split("\n- **", 1)[0]
    for code in ExitCode:
        assert f"`{int(code)}`" in section, f"exit {int(code)} ({code.name}) is missing from docs/cli.md"


# -- paid commands: an option as a value -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["images", "generate", "--prompt", "--wait"],
        ["images", "generate", "--prompt", "--json"],
        ["videos", "generate", "--prompt", "--wait", "--duration", "5"],
        ["ads", "videos", "create", "--avatar-id", "avatar_maya", "--script", "--wait"],
        ["face-swap", "create", "--media-url", "--wait", "--avatar-id", "avatar_maya"],
        ["reference-analysis", "create", "--url", "--wait"],
        ["images", "generate", "--prompt", "ok", "--idempotency-key", "--wait"],
    ],
)
def test_paid_commands_refuse_an_option_as_a_value(cli: Cli, args: list[str]) -> None:
    count = len(cli.mock.requests)
    result = cli.in_process(*args)
    assert result.returncode == ExitCode.USAGE, result.stdout + result.stderr
    assert "looks like the option" in result.stderr
    assert len(cli.mock.requests) == count


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _mutated(doc: Any, draw: Any) -> Any:
    """``doc`` with one node somewhere (chosen by ``draw``) replaced by arbitrary JSON."""
    node = doc
    for _ in range(draw(st.integers(1, 7))):
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if draw(st.booleans()) or not isinstance(node[key], dict | list):
            node[key] = draw(_JSON)
            return doc
        node = node[key]
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_schema_check_never_crashes_on_a_mutated_document(tmp_path: Path, data: st.DataObject) -> None:
    """Property: whatever the document, `schema check` ends 0, 1 or 2, never 70 or a traceback."""
    doc = _mutated(json.loads((ROOT / "openapi" / "openapi.json").read_text()), data.draw)
    path = tmp_path / "mutated.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["schema", "check", "--from", str(path), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_every_json_writer_escapes_what_the_stream_cannot_encode(encoding: str) -> None:
    value = {"name": HOSTILE}
    for write in (
        lambda out: out.data(value),
        lambda out: out.json_line(value),
        lambda out: out.json_line(value, indent=2),
        lambda out: out.error(click.UsageError(HOSTILE)),
    ):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding)
        write(Output(json=True, stdout=stream, stderr=stream))
        stream.flush()
        parsed = json.loads(raw.getvalue().decode(encoding))
        assert HOSTILE in _strings(parsed)
