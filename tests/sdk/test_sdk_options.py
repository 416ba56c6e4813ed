"""Client options: default_headers, with_options, per-call options, raw responses.

Scripted transports check what goes on the wire; the loopback mock proves that a
``with_options`` client opens no new sockets and shares the concurrency bound.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from sdk_helpers import FAST_RETRY, KEY, Recorder, client, envelope, job

from sume_async import (
    AsyncSume,
    ClientClosedError,
    ConflictError,
    InvalidInputError,
    Job,
    JobFailedError,
    PollPolicy,
    RawResponse,
    RetryPolicy,
)
from sume_async._options import current_call
from sume_async.testing import DEFAULT_API_KEY, MockSume, client_for, serve

pytestmark = pytest.mark.anyio


def ok_job(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=job(), headers={"X-Request-Id": "req_abc"})


# -- default_headers and per-call headers/query ---------------------------------------------


async def test_default_headers_go_with_every_request_and_extra_headers_add_to_them() -> None:
    rec = Recorder(ok_job)
    async with client(rec, default_headers={"X-Team": "growth", "User-Agent": "my-app/1.0"}) as sume:
        await sume.jobs.get("job_1")
        await sume.jobs.get("job_1", extra_headers={"X-Trace": "t1", "X-Team": "ads"})
    first, second = rec.requests
    assert first.headers["x-team"] == "growth" and first.headers["user-agent"] == "my-app/1.0"
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert "x-trace" not in first.headers
    assert second.headers["x-trace"] == "t1" and second.headers["x-team"] == "ads"
    assert second.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("name", ["Authorization", "x-api-key", "Idempotency-Key", "Content-Length", "Host"])
async def test_protected_headers_are_refused_everywhere(name: str) -> None:
    rec = Recorder(ok_job)
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        client(rec, default_headers={name: "x"})
    async with client(rec) as sume:
        with pytest.raises(InvalidInputError, match="cannot be overridden"):
            sume.with_options(default_headers={name: "x"})
        with pytest.raises(InvalidInputError, match="cannot be overridden"):
            await sume.jobs.get("job_1", extra_headers={name: "x"})
        with pytest.raises(InvalidInputError, match="cannot be overridden"):
            await sume.images.generate(prompt="p", extra_headers={name: "x"})
    assert rec.requests == []


@pytest.mark.parametrize(
    "headers",
    [{"X-Bad": "a\r\nInjected: 1"}, {"X Bad": "v"}, {"": "v"}, {"X-Num": 1}, {"X-Uni": "café"}, ["X-A", "b"]],
)
async def test_bad_headers_are_refused_before_sending(headers: Any) -> None:
    rec = Recorder(ok_job)
    async with client(rec) as sume:
        with pytest.raises(InvalidInputError):
            await sume.jobs.get("job_1", extra_headers=headers)
    assert rec.requests == []


async def test_extra_query_is_added_and_cannot_replace_a_methods_own_parameter() -> None:
    page = {"object": "list", "data": [job()], "has_more": False, "next_cursor": None}
    rec = Recorder(lambda r: httpx.Response(200, json=page if r.url.path.endswith("/jobs") else job()))
    async with client(rec) as sume:
        await sume.jobs.get("job_1", extra_query={"expand": "result", "debug": True, "n": 2})
        assert [j.id async for j in sume.jobs.list(limit=5, extra_query={"beta": "1"})] == ["job_1"]
        with pytest.raises(InvalidInputError, match="extra_query"):
            await sume.jobs.list(limit=5, extra_query={"limit": 7}).to_list()
        with pytest.raises(InvalidInputError, match="extra_query"):
            await sume.jobs.get("job_1", extra_query={"x": object()})  # type: ignore[dict-item]
    get, listed = rec.requests
    assert dict(get.url.params) == {"expand": "result", "debug": "true", "n": "2"}
    assert dict(listed.url.params) == {"limit": "5", "beta": "1"}


async def test_unknown_option_is_refused() -> None:
    async with client(Recorder(ok_job)) as sume:
        with pytest.raises(InvalidInputError, match="extra_body"):
            await sume.jobs.get("job_1", extra_body={"a": 1})  # type: ignore[call-arg]


async def test_per_call_timeout_reaches_httpx() -> None:
    rec = Recorder(ok_job)
    async with client(rec, timeout=30) as sume:
        await sume.jobs.get("job_1")
        await sume.jobs.get("job_1", timeout=1.5)
        await sume.jobs.get("job_1", timeout=None)
    timeouts = [r.extensions["timeout"] for r in rec.requests]
    assert timeouts[0]["read"] == 30 and timeouts[1]["read"] == 1.5 and timeouts[2]["read"] is None


# -- with_options ---------------------------------------------------------------------------


async def test_with_options_changes_only_what_is_given() -> None:
    rec = Recorder(ok_job)
    policy = PollPolicy(first=0.01)
    async with client(rec, timeout=30, default_headers={"X-A": "1"}) as sume:
        fast = sume.with_options(timeout=2, max_retries=0, poll_policy=policy, default_headers={"X-B": "2"})
        assert fast.timeout is not None and fast.timeout.read == 2 and fast.max_retries == 0
        assert fast.poll_policy is policy and fast.default_headers == {"X-A": "1", "X-B": "2"}
        assert sume.timeout is not None and sume.timeout.read == 30 and sume.max_retries == FAST_RETRY.max_retries
        assert sume.default_headers == {"X-A": "1"}
        same = sume.with_options()
        assert same.timeout == sume.timeout and same.retry_policy == sume.retry_policy
        assert sume.with_options(retry_policy=RetryPolicy(max_retries=5)).max_retries == 5
        await fast.jobs.get("job_1")
    assert rec.requests[0].headers["x-b"] == "2" and rec.requests[0].extensions["timeout"]["read"] == 2


async def test_with_options_max_retries_applies() -> None:
    calls = 0

    def unavailable(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json=envelope("service_unavailable"))

    async with client(unavailable) as sume:
        with pytest.raises(Exception, match="message"):
            await sume.with_options(max_retries=0).jobs.get("job_1")
        assert calls == 1
        with pytest.raises(Exception, match="message"):
            await sume.jobs.get("job_1")
        assert calls == 1 + 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": -1},
        {"timeout": "5"},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"poll_policy": 3},
        {"retry_policy": 3},
    ],
)
async def test_with_options_rejects_bad_values(kwargs: dict[str, Any]) -> None:
    async with client(Recorder(ok_job)) as sume:
        with pytest.raises(InvalidInputError):
            sume.with_options(**kwargs)


async def test_closing_the_root_closes_derived_clients_but_not_the_reverse() -> None:
    rec = Recorder(ok_job)
    sume = client(rec)
    derived = sume.with_options(timeout=5)
    async with derived:
        await derived.jobs.get("job_1")
    assert not sume.is_closed and not derived.is_closed  # a derived close leaves the pool open
    await sume.jobs.get("job_1")
    await sume.close()
    assert derived.is_closed
    with pytest.raises(ClientClosedError):
        await derived.jobs.get("job_1")


async def test_with_options_opens_no_new_sockets_and_shares_the_request_bound() -> None:
    mock = MockSume(speed=100)
    async with (
        serve(mock) as base_url,
        AsyncSume(DEFAULT_API_KEY, base_url=base_url, max_concurrent_requests=2) as sume,
    ):
        await sume.account.me()
        assert mock.open_connections == 1
        for timeout in (5.0, 6.0, 7.0):
            derived = sume.with_options(timeout=timeout, max_retries=1, default_headers={"X-T": str(timeout)})
            await derived.account.me()
            await derived.credits.get()
        assert mock.open_connections == 1  # the same keep-alive socket served every client
        mock.reset_peak()
        clients = [sume, *(sume.with_options(timeout=9) for _ in range(3))]
        async with anyio.create_task_group() as tg:
            for i in range(16):
                tg.start_soon(clients[i % 4].account.me)
        assert mock.peak_connections <= 2  # the parent's max_concurrent_requests bound all four


async def test_with_options_waits_share_the_poll_slots() -> None:
    mock = MockSume(speed=200)
    async with client_for(mock, max_concurrent_polls=1) as sume:
        derived = sume.with_options(poll_policy=PollPolicy().scaled(1 / 200))
        assert derived.jobs._poll_gate is sume.jobs._poll_gate
        jobs = [await sume.images.generate(prompt=f"p{i}") for i in range(3)]
        done = await derived.jobs.wait_all(jobs, timeout=30)
        assert [j.status for j in done] == ["completed"] * 3


# -- raw responses ---------------------------------------------------------------------------


async def test_raw_response_carries_status_headers_request_id_and_elapsed() -> None:
    attempts = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return httpx.Response(503, json=envelope("service_unavailable"))
        return httpx.Response(200, json=job(status="running"), headers={"X-Request-Id": "req_42", "X-RateLimit": "9"})

    async with client(flaky) as sume:
        raw = await sume.with_raw_response.jobs.get("job_1")
        assert isinstance(raw, RawResponse)
        parsed: Job = raw.parse()
        assert parsed.id == "job_1" and raw.parsed is parsed and parsed.status == "running"
        assert raw.status_code == 200 and raw.request_id == "req_42" and raw.headers["x-ratelimit"] == "9"
        assert raw.retries_taken == 1 and raw.elapsed.total_seconds() >= 0 and raw.method == "GET"
        assert not raw.idempotent_replayed
        assert "req_42" in repr(raw) and KEY not in repr(raw)
        assert current_call.get() is None  # nothing leaks into later calls
        plain = await sume.jobs.get("job_1")
        assert isinstance(plain, Job)


async def test_raw_response_against_the_mock_and_with_extra_headers() -> None:
    mock = MockSume(speed=100)
    async with client_for(mock) as sume:
        me = await sume.with_raw_response.account.me(extra_headers={"X-Trace": "1"})
        assert me.status_code == 200 and me.request_id and me.parsed.workspace
        first = await sume.with_raw_response.images.generate(prompt="mug", idempotency_key="order-1")
        again = await sume.with_raw_response.images.generate(prompt="mug", idempotency_key="order-1")
        assert not first.idempotent_replayed and again.idempotent_replayed
        assert again.parsed.id == first.parsed.id
        assert {k.lower(): v for k, v in mock.requests[0].headers.items()}.get("x-trace") == "1"
        done = await sume.jobs.wait(first.parsed, timeout=30)
        result = await sume.with_raw_response.jobs.result(done)
        assert result.parsed.id == done.id and result.status_code == 200
        with pytest.raises(ConflictError):  # errors raise as from the plain call
            running = await sume.videos.generate(prompt="slow")
            await sume.with_raw_response.jobs.result(running)


async def test_raw_response_is_none_of_the_plain_calls_business() -> None:
    rec = Recorder(ok_job)
    async with client(rec) as sume:
        async with anyio.create_task_group() as tg:
            tg.start_soon(sume.with_raw_response.jobs.get, "job_1")
            for _ in range(5):
                tg.start_soon(sume.jobs.get, "job_1")
        assert current_call.get() is None


# -- jobs.result ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["failed", "canceled", "expired"])
async def test_result_of_a_job_that_did_not_complete_raises_job_failed(status: str) -> None:
    mock = MockSume(speed=100)
    async with client_for(mock) as sume:
        created = await sume.images.generate(prompt="mug")
        mock.set_job_status(created.id, status)
        with pytest.raises(JobFailedError) as info:
            await sume.jobs.result(created)
        assert info.value.job_id == created.id and info.value.status == status
        if status == "failed":
            assert info.value.error_code


async def test_result_of_a_running_job_raises_conflict() -> None:
    mock = MockSume(speed=1)
    async with client_for(mock) as sume:
        created = await sume.videos.generate(prompt="slow")
        with pytest.raises(ConflictError) as info:
            await sume.jobs.result(created)
        assert info.value.code == "job_not_completed"


async def test_transport_goes_to_the_sdk_owned_client_and_excludes_http_client() -> None:
    rec = Recorder(ok_job)
    async with AsyncSume(KEY, transport=httpx.MockTransport(rec)) as sume:
        await sume.jobs.get("job_1")
    assert len(rec.requests) == 1 and sume.is_closed
    with pytest.raises(InvalidInputError, match="transport"):
        AsyncSume(KEY, transport=httpx.MockTransport(rec), http_client=httpx.AsyncClient())


class _Stall(httpx.AsyncBaseTransport):
    """Stalls the first ``stalls`` requests until cancelled, then answers with a job."""

    def __init__(self, stalls: int) -> None:
        self.stalls = stalls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.stalls > 0:
            self.stalls -= 1
            await anyio.sleep_forever()
        return httpx.Response(200, json=job(), headers={"X-Request-Id": "req_after"})


async def test_a_cancelled_raw_or_optioned_call_leaves_no_options_behind() -> None:
    async with AsyncSume(KEY, transport=_Stall(2), retry_policy=FAST_RETRY) as sume:
        with anyio.move_on_after(0.05):
            await sume.with_raw_response.jobs.get("job_1")
        assert current_call.get() is None
        with anyio.move_on_after(0.05):
            await sume.jobs.get("job_1", extra_headers={"X-A": "1"}, timeout=30)
        assert current_call.get() is None
        raw = await sume.with_raw_response.jobs.get("job_1")
        assert raw.request_id == "req_after" and raw.retries_taken == 0
