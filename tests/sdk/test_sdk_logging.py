"""SUME_LOG, the give-up warning, and connection errors that say where they went."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap

import anyio
import httpx
import pytest
from sdk_helpers import KEY, client, envelope, job

from sume_async import APIConnectionError, APITimeoutError, AsyncSume, InternalServerError, RetryPolicy
from sume_async.testing import MockSume, client_for, speed_of

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_connection_error_names_host_and_port_never_the_query(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    fast = RetryPolicy(max_retries=1, initial_delay=0.001, max_delay=0.002)
    async with AsyncSume(KEY, base_url=f"http://127.0.0.1:{port}/api/v1", retry_policy=fast) as sume:
        with caplog.at_level(logging.INFO, logger="sume_async"), pytest.raises(APIConnectionError) as info:
            await sume.jobs.list(limit=5, extra_query={"token": "s3cret"}).to_list()
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and info.value.host == f"127.0.0.1:{port}"
    assert "GET /api/v1/jobs" in message and "?" not in message and "s3cret" not in message
    give_up = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(give_up) == 1
    text = give_up[0].getMessage()
    assert "GET /api/v1/jobs" in text and "2 attempts" in text and "APIConnectionError" in text
    assert "s3cret" not in caplog.text and KEY not in caplog.text


async def test_timeout_error_names_host_and_port() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with client(slow, max_retries=0, retry_policy=None) as sume:
        with pytest.raises(APITimeoutError, match=r"www\.sume\.so:443"):
            await sume.jobs.get("job_1")


async def test_a_call_that_gives_up_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    def unavailable(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json=envelope("service_unavailable", request_id="req_503"))

    async with client(unavailable) as sume:
        with caplog.at_level(logging.WARNING, logger="sume_async"), pytest.raises(InternalServerError):
            await sume.jobs.get("job_1")
    (record,) = [r for r in caplog.records if r.name == "sume_async"]
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert "GET /api/v1/jobs/job_1" in text and "3 attempts" in text and "status 503" in text
    assert "request_id=req_503" in text and KEY not in caplog.text


async def test_no_warning_for_errors_that_are_not_retried_or_calls_that_succeed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = iter([httpx.Response(503, json=envelope("x")), httpx.Response(200, json=job())])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("missing"):
            return httpx.Response(404, json=envelope("not_found"))
        return next(answers)

    async with client(handler) as sume:
        with caplog.at_level(logging.WARNING, logger="sume_async"):
            await sume.jobs.get("job_1")  # one retry, then success
            with pytest.raises(Exception, match="message"):
                await sume.jobs.get("missing")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


SCRIPT = textwrap.dedent(
    """
    import anyio
    from sume_async.testing import MockSume, client_for

    async def main() -> None:
        async with client_for(MockSume(speed=100), api_key="sume_live_test_0123456789abcdef") as sume:
            await sume.account.me()
            await sume.jobs.list(limit=2, extra_query={"signature": "zzsecretzz"}).to_list()

    anyio.run(main)
    """
)


@pytest.mark.parametrize("level", ["debug", "info", "", "loud"])
def test_sume_log_environment_variable(level: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
    if level:
        env["SUME_LOG"] = level
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    err = done.stderr
    if level == "debug":
        assert "DEBUG" in err and "sume_async" in err and "GET /api/v1/me -> 200" in err
        assert "httpx" in err  # httpx's own request lines, redacted by the SDK's filter
    elif level == "info":
        assert "HTTP Request" in err and "DEBUG" not in err  # httpx at INFO, the SDK's DEBUG lines off
    else:
        assert err == ""
    assert "zzsecretzz" not in err and "0123456789abcdef" not in err


# -- a client matched to a mock ----------------------------------------------------------------


async def test_client_for_scales_polling_to_the_mock_speed() -> None:
    mock = MockSume(speed=200)
    assert speed_of(mock) == 200
    async with client_for(mock) as sume:
        assert sume.poll_policy.first == pytest.approx(1 / 200)
        assert sume.retry_policy.max_delay == pytest.approx(8 / 200)
        job = await sume.images.generate(prompt="mug")  # 6 simulated seconds: 30 ms here
        with anyio.fail_after(20):  # a generous bound against a hang, not a timing assertion
            done = await sume.jobs.wait(job)
        assert done.status == "completed"
        polls = mock.route_counts["GET /jobs/{jobId}"]
        assert 1 <= polls <= 12  # the policy's schedule, scaled: a handful of polls, not hundreds
    assert sume.is_closed


async def test_client_for_takes_options_and_a_served_mock() -> None:
    from sume_async.testing import serve

    mock = MockSume(speed=100)
    async with serve(mock) as base_url, client_for(mock, base_url, max_retries=0, timeout=5) as sume:
        assert sume.base_url == base_url and sume.max_retries == 0
        assert (await sume.account.me()).workspace is not None
    with pytest.raises(TypeError):
        client_for(mock, http_client=httpx.AsyncClient())
