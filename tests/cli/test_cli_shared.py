"""The shared CLI contract: --json output, JSON errors on stderr, exit codes, redaction, plain text off a terminal."""

from __future__ import annotations

import io

import pytest
from conftest import KEY, Cli

from sume_async import (
    APIConnectionError,
    AuthenticationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidInputError,
    JobTimeoutError,
    NotFoundError,
    RateLimitError,
)
from sume_async.cli._exit import CliError, ExitCode, error_object, exit_code_for
from sume_async.cli._output import Output
from sume_async.cli._redact import REDACTED, redact


def test_read_commands_json_and_exit_codes(cli: Cli) -> None:
    me = cli("me", "--json")
    assert me.returncode == 0 and me.stderr == ""
    assert me.json["workspace"]["id"] and me.json["api_key"]["prefix"]
    assert cli("--json", "credits").json["remaining_credits"] == cli.mock.balance()

    brands = cli("brand", "list", "--json", "--limit", "1")
    assert len(brands.json["data"]) == 1 and brands.json["next_cursor"]
    rest = cli.in_process("brand", "list", "--json", "--cursor", brands.json["next_cursor"], "--all").json
    assert brands.json["data"][0]["id"] not in {b["id"] for b in rest["data"]} and rest["next_cursor"] is None
    current = cli("brand", "current", "--json").json
    assert current["images"] and all(img["reference_url"] == REDACTED for img in current["images"])
    shown = cli.in_process("brand", "current", "--json", "--show-urls").json
    assert all(img["reference_url"].startswith("http") for img in shown["images"])

    avatars = cli("avatars", "list", "--json", "--all").json["data"]
    one = cli("avatars", "get", avatars[0]["id"], "--json")
    assert one.json["id"] == avatars[0]["id"] and one.json["preview_url"] in (None, REDACTED)

    missing = cli.in_process("avatars", "get", "avatar_nope", "--json")
    assert missing.returncode == ExitCode.REJECTED and missing.stdout == ""
    assert missing.error["code"] == "not_found" and missing.error["request_id"]

    usage = cli.in_process("avatars", "list", "--limit", "0", "--json")
    assert usage.returncode == ExitCode.USAGE and usage.stdout == ""
    assert usage.error["code"] == "usage_error" and "--limit" in usage.error["message"]

    nokey = cli.in_process("me", "--json", env=cli.env(SUME_API_KEY=""))
    assert nokey.returncode == ExitCode.USAGE and nokey.error["code"] == "missing_api_key"
    badurl = cli.in_process("me", "--json", env=cli.env(SUME_API_BASE_URL="http://example.com/api"))
    assert badurl.returncode == ExitCode.USAGE and "SUME_API_BASE_URL" in badurl.error["message"]
    refused = cli.in_process("me", "--json", env=cli.env(SUME_API_KEY="sume_live_wrong_key_0000000000"))
    assert refused.returncode == ExitCode.ACCOUNT and refused.error["code"] == "unauthorized"
    gone = cli.in_process("me", "--json", env=cli.env(SUME_API_BASE_URL="http://127.0.0.1:9/api/v1"))
    assert gone.returncode == ExitCode.UNAVAILABLE and gone.error["code"] == "connection_error"


def test_human_output_is_plain_text_off_a_terminal(cli: Cli) -> None:
    brands = cli("brand", "list")
    assert brands.returncode == 0
    header, *rows = brands.stdout.splitlines()
    assert header.split("\t") == ["id", "name", "domain"] and rows
    assert "\x1b[" not in brands.stdout + brands.stderr  # no colour, no cursor movement
    me = cli.in_process("me")
    assert "workspace.id: " in me.stdout
    err = cli.in_process("avatars", "get", "avatar_nope")
    assert err.returncode == ExitCode.REJECTED and err.stderr.startswith("Error [not_found]: ")
    assert "\x1b[" not in err.stderr


@pytest.mark.parametrize(
    ("exc", "code", "exit_code"),
    [
        (InvalidInputError("image_count", "must be at most 10"), "invalid_input", ExitCode.USAGE),
        (AuthenticationError(status_code=401, code="unauthorized", message="x"), "unauthorized", ExitCode.ACCOUNT),
        (
            InsufficientCreditsError(status_code=402, code="insufficient_credits", message="x"),
            "insufficient_credits",
            ExitCode.ACCOUNT,
        ),
        (NotFoundError(status_code=404, code="not_found", message="x"), "not_found", ExitCode.REJECTED),
        (ConflictError(status_code=409, code=None, message="x"), "http_409", ExitCode.REJECTED),
        (RateLimitError(status_code=429, code="rate_limited", message="x"), "rate_limited", ExitCode.UNAVAILABLE),
        (InternalServerError(status_code=503, code=None, message="x"), "http_503", ExitCode.UNAVAILABLE),
        (JobTimeoutError("job_1", last_status="running", timeout=1.0), "job_timeout", ExitCode.TIMEOUT),
        (APIConnectionError(), "connection_error", ExitCode.UNAVAILABLE),
        (CliError("missing_api_key", "x"), "missing_api_key", ExitCode.USAGE),
        (KeyboardInterrupt(), "interrupted", ExitCode.INTERRUPTED),
        (RuntimeError(f"boom {KEY}"), "internal_error", ExitCode.INTERNAL),
    ],
)
def test_every_error_kind_has_a_code_and_an_exit_code(exc: BaseException, code: str, exit_code: ExitCode) -> None:
    obj = error_object(exc, option_for={"image_count": "--count"})
    assert obj["code"] == code and "request_id" in obj and obj["message"]
    assert exit_code_for(exc) == exit_code
    assert KEY not in str(obj)
    if isinstance(exc, InvalidInputError):
        assert obj["option"] == "--count" and obj["message"].startswith("--count: ")


def test_redaction() -> None:
    data = {
        "upload_url": "https://storage.example/bucket/k?X-Amz-Signature=abc",
        "object_key": "uploads/ws/abc.mp4",
        "required_headers": {"x-sume-upload-token": "t0k"},
        "media_url": "https://media.example/v.mp4",
        "outputs": [{"url": "https://media.example/1.png", "content_type": "image/png"}],
        "note": f"the key is {KEY}",
        "prefix": "sume_live_ab12",
    }
    safe = redact(data, secrets=[KEY])
    assert safe["upload_url"] == safe["object_key"] == safe["required_headers"] == REDACTED
    assert safe["media_url"] == safe["outputs"][0]["url"] == REDACTED
    assert KEY not in str(safe) and safe["prefix"] == "sume_live_ab12"
    shown = redact(data, show_urls=True)
    assert shown["media_url"] == "https://media.example/v.mp4" and shown["upload_url"] == REDACTED
    assert KEY not in str(redact({"x": [KEY, {"y": f"Bearer {KEY}"}]}))


def test_output_json_and_table_streams() -> None:
    out, err = io.StringIO(), io.StringIO()
    Output(json=True, stdout=out, stderr=err).page([{"id": "a"}], "c1")
    assert out.getvalue() == '{"data":[{"id":"a"}],"next_cursor":"c1"}\n' and err.getvalue() == ""
    out, err = io.StringIO(), io.StringIO()
    Output(stdout=out, stderr=err).page([{"id": "a", "n": 1}], "c1")
    assert out.getvalue() == "id\tn\na\t1\n" and "--cursor c1" in err.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tables_on_a_terminal() -> None:
    out, err = _Terminal(), _Terminal()
    Output(stdout=out, stderr=err).data([{"id": "job_1", "status": "completed"}], columns=["id", "status"])
    text = out.getvalue()
    assert "job_1" in text and "status" in text and "\t" not in text
    assert any(ch in text for ch in "┃│|"), "a drawn table"
    out = _Terminal()
    Output(stdout=out, stderr=_Terminal(), show_urls=False).data({"outputs": [{"url": "https://m.example/1.png"}]})
    assert "https://" not in out.getvalue() and REDACTED in out.getvalue()


def test_usage_errors_are_json_with_json_anywhere(cli: Cli) -> None:
    unknown = cli.in_process("nope", "--json")
    assert unknown.returncode == ExitCode.USAGE and unknown.error["code"] == "usage_error"
    missing = cli.in_process("--json", "avatars", "get")
    assert missing.returncode == ExitCode.USAGE and "AVATAR_ID" in missing.error["message"]
    no_key = cli.in_process("mcp", env=cli.env(SUME_API_KEY=""))
    assert no_key.returncode == ExitCode.USAGE and no_key.error["code"] == "missing_api_key"
    plain = cli.in_process("nope")
    assert plain.returncode == ExitCode.USAGE and "No such command" in plain.stderr
