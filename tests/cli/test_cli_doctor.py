"""``sume-async doctor`` as a user runs it: against the mock, against altered mocks, with --paid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from altered_mock import Altered, renamed
from conftest import SPEED, Cli

from sume_async.cli._exit import ExitCode
from sume_async.testing import LoopbackServer, MockSume

NEVER_PRINTED = ["ws_mock", "user_mock", "@mock.sume.test", "https://", "media.sume.test"]


def assert_nothing_private(text: str) -> None:
    for secret in NEVER_PRINTED:
        assert secret not in text, f"{secret!r} was printed"


@pytest.fixture(scope="module")
def renamed_server() -> Iterator[LoopbackServer]:
    mock = MockSume(speed=SPEED)
    mock.app = Altered(mock.app, rewrite=renamed("remaining_credits", "credits_remaining"))
    server = LoopbackServer(mock)
    server.start()
    server.wait_started()
    try:
        yield server
    finally:
        server.stop()
        mock.close()


def test_doctor_on_the_mock_exits_0_and_prints_nothing_private(cli: Cli) -> None:
    before = cli.mock.balance()
    text = cli("doctor")
    assert text.returncode == ExitCode.OK, text.stdout + text.stderr
    assert "No contradiction of the snapshot." in text.stdout and "not exercised" in text.stdout
    data = cli("doctor", "--json")
    assert data.returncode == 0 and data.json["ok"] is True and data.json["findings"] == []
    assert data.json["inferred"]["counts"]["contradicted"] == 0
    assert cli.mock.balance() == before  # read-only
    assert_nothing_private(text.stdout + text.stderr + data.stdout + data.stderr)


def test_doctor_paid_yes_spends_one_job_and_reports_it(cli: Cli) -> None:
    before = cli.mock.balance()
    result = cli("doctor", "--paid", "--yes", "--json")
    assert result.returncode == 0, result.stderr
    paid = result.json["paid"]
    assert paid["same_job"] is True and paid["status"] == "completed" and len(paid["job_ids"]) == 1
    assert paid["credits_spent"] == before - cli.mock.balance() > 0
    assert_nothing_private(result.stdout + result.stderr)


def test_doctor_paid_without_yes_and_no_terminal_sends_nothing(cli: Cli) -> None:
    count = len(cli.mock.requests)
    result = cli("doctor", "--paid", "--json")
    assert result.returncode == ExitCode.USAGE
    assert result.error["code"] == "confirmation_required" and "Idempotency-Key" in result.error["message"]
    assert len(cli.mock.requests) == count  # the cost is stated before anything is sent


def test_doctor_reports_a_renamed_field_and_exits_1(renamed_server: LoopbackServer) -> None:
    cli = Cli(renamed_server)
    result = cli("doctor", "--json")
    assert result.returncode == ExitCode.FAILED
    findings = result.json["findings"]
    assert any(f["operation"] == "GET /credits" and f["path"] == "$.credits_remaining" for f in findings)
    assert all(f["request_id"] and f["request_id"].startswith("req_") for f in findings)
    text = cli("doctor")
    assert text.returncode == ExitCode.FAILED and "$.credits_remaining" in text.stdout
    assert "make update-schema" in text.stdout
    assert_nothing_private(result.stdout + result.stderr + text.stdout + text.stderr)


def test_doctor_usual_exit_codes(cli: Cli) -> None:
    refused = cli.in_process("doctor", "--json", env=cli.env(SUME_API_KEY="sume_live_wrong_key_0000000000"))
    assert refused.returncode == ExitCode.ACCOUNT and refused.error["code"] == "unauthorized"
    gone = cli.in_process("doctor", "--json", env=cli.env(SUME_API_BASE_URL="http://127.0.0.1:9/api/v1"))
    assert gone.returncode == ExitCode.UNAVAILABLE
    nokey = cli.in_process("doctor", "--json", env=cli.env(SUME_API_KEY=""))
    assert nokey.returncode == ExitCode.USAGE and nokey.error["code"] == "missing_api_key"
    badurl = cli.in_process("doctor", "--json", env=cli.env(SUME_API_BASE_URL="http://example.com/api"))
    assert badurl.returncode == ExitCode.USAGE and "SUME_API_BASE_URL" in badurl.error["message"]
