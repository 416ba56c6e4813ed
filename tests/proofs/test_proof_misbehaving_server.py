"""A raw-socket server that misbehaves: every call ends as the right ``SumeError``, in bounded time.

Each test scripts what the server writes (see ``hostile_server.py``): bodies that are not
the gzip they claim, bodies trickling in, decompression bombs, JSON nested past Python's
recursion limit, odd headers. The SDK must neither hang (the total deadline), nor buffer
a bomb (the body cap), nor let an ``httpx``/``json``/``OverflowError`` out.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Sequence
from typing import Any

import anyio
import httpx
import pytest
from hostile_server import Step, gzip_bomb, head, hostile_server, json_response, response
from sdk_helpers import KEY, job

from sume_async import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncSume,
    DownloadError,
    EventLoopError,
    InternalServerError,
    InvalidInputError,
    JobWithResult,
    RateLimitError,
    RetryPolicy,
)

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.005, max_retry_after=0.01)
NO_RETRY = RetryPolicy(max_retries=0)


def client(base_url: str, **kwargs: Any) -> AsyncSume:
    kwargs.setdefault("retry_policy", FAST)
    return AsyncSume(KEY, base_url=base_url, **kwargs)


def always(steps: Sequence[Step]) -> Any:
    return lambda _request, _index: steps


GZIP = {"Content-Encoding": "gzip"}


@pytest.mark.parametrize("status", [200, 500])
async def test_a_body_that_is_not_the_gzip_it_claims(status: int) -> None:
    async with (
        hostile_server(always(response(status, b'{"id": "job_1"} not gzip', GZIP))) as server,
        client(server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        expected = APIResponseValidationError if status == 200 else InternalServerError
        with anyio.fail_after(10), pytest.raises(expected):
            await sume.jobs.get("job_1")


async def test_a_truncated_gzip_body_is_a_typed_error() -> None:
    body = gzip.compress(json.dumps(job()).encode())[:-12]
    async with (
        hostile_server(always(response(200, body, GZIP))) as server,
        client(server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(10), pytest.raises((APIResponseValidationError, APIConnectionError)):
            await sume.jobs.get("job_1")


async def test_a_trickling_body_cannot_outlast_the_total_deadline() -> None:
    """A byte every 50 ms never trips httpx's per-read timeout; the total deadline ends it."""
    body = json.dumps(job()).encode()
    trickle: list[Step] = [head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})]
    for byte in body:
        trickle += [0.05, bytes([byte])]
    async with (
        hostile_server(always(trickle)) as server,
        client(server.base_url, timeout=0.4, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await sume.jobs.get("job_1")


async def test_a_stalled_body_times_out_and_is_retried_then_reported() -> None:
    stalled: list[Step] = [head(200, {"Content-Length": "1000"}), b"{", 30.0]
    async with hostile_server(always(stalled)) as server, client(server.base_url, timeout=0.2) as sume:
        with anyio.fail_after(10), pytest.raises(APITimeoutError):
            await sume.jobs.get("job_1")
        assert len(server.requests) == 3  # a timed-out GET is retried, then reported


async def test_a_gzip_bomb_is_refused_while_it_streams() -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)  # 64 MiB inflated from ~64 KiB
    async with (
        hostile_server(always(response(200, bomb, GZIP))) as server,
        client(server.base_url, retry_policy=NO_RETRY, max_response_bytes=1024 * 1024) as sume,
    ):
        tracemalloc.start()
        try:
            with anyio.fail_after(20), pytest.raises(APIResponseValidationError, match="max_response_bytes"):
                await sume.jobs.get("job_1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes: the body was buffered"


async def test_a_declared_length_over_the_cap_is_refused_without_reading() -> None:
    huge: list[Step] = [head(200, {"Content-Length": str(10**12)}), b"{", 30.0]
    async with (
        hostile_server(always(huge)) as server,
        client(server.base_url, retry_policy=NO_RETRY, timeout=20) as sume,
    ):
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError, match="max_response_bytes"):
            await sume.jobs.get("job_1")


async def test_a_bomb_in_an_error_body_is_not_read_past_a_small_prefix() -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    async with (
        hostile_server(always(response(503, bomb, GZIP))) as server,
        client(server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(20), pytest.raises(InternalServerError):
            await sume.jobs.get("job_1")


@pytest.mark.parametrize("status", [200, 500])
async def test_json_nested_past_the_recursion_limit(status: int) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    async with (
        hostile_server(always(response(status, deep))) as server,
        client(server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        expected = APIResponseValidationError if status == 200 else InternalServerError
        with anyio.fail_after(10), pytest.raises(expected):
            await sume.jobs.get("job_1")


async def test_a_deeply_nested_field_inside_a_valid_job() -> None:
    deep = '{"id": "job_1", "status": "failed", "type": "image_generation", "error": ' + "[" * 100_000 + "]" * 100_000
    async with (
        hostile_server(always(response(200, (deep + "}").encode()))) as server,
        client(server.base_url, retry_policy=NO_RETRY) as sume,
    ):
        with anyio.fail_after(10), pytest.raises(APIResponseValidationError):
            await sume.jobs.get("job_1")


@pytest.mark.parametrize(
    "retry_after",
    ["Fri, 31 Dec 99999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "1e400", "-5", "nan", "soon", "9" * 400],
)
async def test_odd_retry_after_values_are_still_retried(retry_after: str) -> None:
    answer = json_response(429, {"error": {"code": "rate_limited", "message": "slow"}}, {"Retry-After": retry_after})
    async with hostile_server(always(answer)) as server, client(server.base_url) as sume:
        with anyio.fail_after(10), pytest.raises(RateLimitError):
            await sume.jobs.get("job_1")
        assert len(server.requests) == 3


@pytest.mark.parametrize(
    "framing",
    [
        [("Content-Length", "5"), ("Content-Length", "7")],  # conflicting framing
        [("Content-Length", "-1")],
        [("Transfer-Encoding", "chunked")],  # then a body that is not chunked
    ],
)
async def test_broken_framing_is_a_connection_error(framing: list[tuple[str, str]]) -> None:
    async with (
        hostile_server(always([head(200, framing) + b"hello, world", None])) as server,
        client(server.base_url) as sume,
    ):
        with anyio.fail_after(10), pytest.raises(APIConnectionError):
            await sume.jobs.get("job_1")


async def test_a_connection_closed_mid_body_is_retried_then_a_connection_error() -> None:
    async with (
        hostile_server(always([head(200, {"Content-Length": "100"}) + b'{"id":', None])) as server,
        client(server.base_url) as sume,
    ):
        with anyio.fail_after(10), pytest.raises(APIConnectionError):
            await sume.jobs.get("job_1")
        assert len(server.requests) == 3


async def test_a_post_without_an_idempotency_key_is_never_retried() -> None:
    """The transport, not a convention in one helper, refuses to resend an unkeyed POST."""
    async with hostile_server(always(json_response(503, {}))) as server, client(server.base_url) as sume:
        with anyio.fail_after(10), pytest.raises(InternalServerError):
            await sume._requester.request("POST", "/things", json={"a": 1})
        assert len(server.requests) == 1
        with anyio.fail_after(10), pytest.raises(InternalServerError):
            await sume._requester.request("POST", "/things", json={"a": 1}, headers={"Idempotency-Key": "k-1"})
        assert len(server.requests) == 4  # 1 + the keyed POST's 3 attempts


async def test_the_request_function_refuses_keywords_it_does_not_handle() -> None:
    async with AsyncSume(KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(lambda r: None))) as sume:  # type: ignore[arg-type,return-value]
        with pytest.raises(TypeError):
            await sume._requester.request("GET", "/x", timeout=3)  # type: ignore[call-arg]
        with pytest.raises(InvalidInputError):  # not encodable: refused before sending
            await sume._requester.request("POST", "/x", json={"n": float("nan")})


async def test_an_error_before_the_response_is_not_disguised_as_a_bad_body() -> None:
    async def broken_endpoint(**_: Any) -> Any:
        raise ValueError("a bug in building the request")

    async with AsyncSume(KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(lambda r: None))) as sume:  # type: ignore[arg-type,return-value]
        with pytest.raises(ValueError, match="a bug"):
            await sume.jobs._caller.call(broken_endpoint, dict)


def test_a_client_used_from_a_second_event_loop_says_so() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=job()))
    sume = AsyncSume(KEY, http_client=httpx.AsyncClient(transport=transport), retry_policy=NO_RETRY)

    async def get() -> None:
        await sume.jobs.get("job_1")

    anyio.run(get, backend="asyncio")
    for backend in ("asyncio", "trio"):
        with pytest.raises(EventLoopError):
            anyio.run(get, backend=backend)


def _result_with_output(url: str) -> JobWithResult:
    return JobWithResult.from_dict(
        {
            "id": "job_1",
            "status": "completed",
            "type": "image_generation",
            "result": {"outputs": [{"url": url, "content_type": "image/png"}]},
        }
    )


@pytest.mark.parametrize(
    "media",
    [
        response(200, b"not gzip at all", {**GZIP, "Content-Type": "image/png"}),
        response(200, gzip_bomb(64 * 1024 * 1024), {**GZIP, "Content-Type": "image/png"}),
        [head(200, {"Content-Length": "100", "Content-Type": "image/png"}) + b"partial", None],
        [head(200, [("Content-Length", "5"), ("Content-Length", "7")]) + b"hello", None],
    ],
    ids=["bad-gzip", "bomb", "cut", "framing"],
)
async def test_a_misbehaving_media_host_gives_a_download_error(media: list[Step], tmp_path: Any) -> None:
    async with (
        hostile_server(always(media)) as server,
        client(server.base_url) as sume,
    ):
        result = _result_with_output(f"http://127.0.0.1:{server.port}/media/out.png")
        with anyio.fail_after(20), pytest.raises(DownloadError):
            await sume.jobs.download(result, tmp_path, max_bytes=1024 * 1024)
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
