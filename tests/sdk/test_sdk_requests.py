"""Requests, retries and errors, through a scripted transport."""

from __future__ import annotations

import email.utils
import json
import time

import httpx
import pytest
from sdk_helpers import KEY, Recorder, client, envelope, job

import sume_async
from sume_async import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncSume,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SumeError,
    UnprocessableEntityError,
)
from sume_async._retries import RetryPolicy, parse_retry_after

pytestmark = pytest.mark.anyio

ACCOUNT = {
    "object": "account",
    "user": {"id": "user_1"},
    "workspace": {"id": "ws_1", "name": "W"},
    "api_key": {"prefix": "sume_live_", "scopes": ["all"]},
}


async def test_bearer_auth_user_agent_and_base_url() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=ACCOUNT))
    async with client(rec) as sume:
        account = await sume.account.me()
    assert account.workspace.id == "ws_1"
    (request,) = rec.requests
    assert str(request.url) == "https://www.sume.so/api/v1/me"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert "x-api-key" not in request.headers
    assert request.headers["user-agent"].startswith("sume-async/")


async def test_legacy_x_api_key_auth() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=ACCOUNT))
    async with client(rec, auth="x-api-key") as sume:
        await sume.account.me()
    assert rec.requests[0].headers["x-api-key"] == KEY
    assert "authorization" not in rec.requests[0].headers


async def test_auth_applies_on_a_callers_client_with_its_own_headers() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=ACCOUNT))
    http = httpx.AsyncClient(transport=httpx.MockTransport(rec), headers={"X-Trace": "t1"})
    async with AsyncSume(KEY, http_client=http) as sume:
        await sume.account.me()
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert rec.requests[0].headers["x-trace"] == "t1"
    assert not http.is_closed  # the caller's client stays the caller's
    await http.aclose()


async def test_env_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUME_API_KEY", "sume_live_from_env")
    monkeypatch.setenv("SUME_API_BASE_URL", "http://127.0.0.1:9/api/v1/")
    async with AsyncSume() as sume:
        assert sume.base_url == "http://127.0.0.1:9/api/v1"


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUME_API_KEY", raising=False)
    with pytest.raises(InvalidInputError, match="SUME_API_KEY"):
        AsyncSume()


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example.com/v1",
        "http://10.0.0.5/api",
        "ftp://x/y",
        "https://user:pw@host/api",
        "not a url",
        "https://h/api?k=v",
    ],
)
def test_base_url_must_be_https_without_credentials(url: str) -> None:
    with pytest.raises(InvalidInputError):
        AsyncSume(KEY, base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/api/v1", "http://localhost:1/api", "http://[::1]:2/api"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    assert AsyncSume(KEY, base_url=url).base_url == url


def test_plain_http_elsewhere_needs_an_explicit_opt_in() -> None:
    assert AsyncSume(KEY, base_url="http://testserver/api/v1", allow_insecure_http=True).base_url


def test_repr_hides_the_key() -> None:
    sume = AsyncSume(KEY)
    assert KEY not in repr(sume)
    assert "redacted" in repr(sume)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "bad_request", BadRequestError),
        (401, "unauthorized", AuthenticationError),
        (402, "insufficient_credits", InsufficientCreditsError),
        (403, "forbidden", PermissionDeniedError),
        (404, "not_found", NotFoundError),
        (409, "idempotency_key_reused", ConflictError),
        (422, "validation_error", UnprocessableEntityError),
        (418, "teapot", APIStatusError),
    ],
)
async def test_error_envelope_maps_to_typed_errors(status: int, code: str, cls: type[APIStatusError]) -> None:
    rec = Recorder(
        lambda r: httpx.Response(status, json=envelope(code, "Explained.", "req_42", fields={"prompt": "required"}))
    )
    async with client(rec) as sume:
        with pytest.raises(cls) as info:
            await sume.account.me()
    err = info.value
    assert type(err) is cls
    assert (err.status_code, err.code, err.message, err.request_id) == (status, code, "Explained.", "req_42")
    assert err.details["fields"] == {"prompt": "required"}
    assert len(rec.requests) == 1  # 4xx is not retried
    if isinstance(err, UnprocessableEntityError):
        assert err.fields == {"prompt": "required"}


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (502, b"<html><body>Bad gateway</body></html>", {"content-type": "text/html"}),
        (520, b"<html>cloudflare</html>", {"content-type": "text/html"}),
        (503, b"", {}),
        (500, b"{not json", {"content-type": "application/json"}),
        (524, b'{"error": "a string, not the envelope"}', {"content-type": "application/json"}),
    ],
)
async def test_non_envelope_error_bodies_become_status_errors(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    rec = Recorder(lambda r: httpx.Response(status, content=body, headers=headers))
    async with client(rec) as sume:
        with pytest.raises(InternalServerError) as info:
            await sume.credits.get()
    assert info.value.status_code == status
    assert info.value.code is None
    assert len(rec.requests) == 3  # retried twice


async def test_rate_limit_honours_retry_after_seconds_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"retry-after": "0"}, json=envelope("rate_limited")),
            httpx.Response(200, json=ACCOUNT),
        ]
    )
    rec = Recorder(lambda r: next(answers))
    async with client(rec) as sume:
        await sume.account.me()
    assert len(rec.requests) == 2


async def test_rate_limit_error_after_retries_carries_retry_after() -> None:
    rec = Recorder(lambda r: httpx.Response(429, headers={"retry-after": "0"}, json=envelope("rate_limited")))
    async with client(rec) as sume:
        with pytest.raises(RateLimitError) as info:
            await sume.account.me()
    assert info.value.retry_after == 0
    assert len(rec.requests) == 3


def test_retry_after_parsing() -> None:
    now = time.time()
    assert parse_retry_after("7") == 7
    assert parse_retry_after("1.5") == 1.5
    http_date = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= (parse_retry_after(http_date, now=now) or 0) <= 31
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_is_jittered_and_capped() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=8.0, max_retry_after=60)
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = {policy.delay(retry) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1
    assert 60 <= policy.delay(1, retry_after=3600) <= 75  # capped, then jittered (never shortened)
    assert 2 <= policy.delay(1, retry_after=2) <= 2.5


async def test_connection_errors_are_retried_then_raised() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    rec = Recorder(fail)
    async with client(rec) as sume:
        with pytest.raises(APIConnectionError) as info:
            await sume.account.me()
    assert not isinstance(info.value, APITimeoutError)
    assert len(rec.requests) == 3


async def test_timeouts_raise_api_timeout_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with client(Recorder(slow), max_retries=0, retry_policy=None) as sume:
        with pytest.raises(APITimeoutError):
            await sume.account.me()


async def test_retried_create_reuses_one_idempotency_key() -> None:
    answers = iter(
        [
            httpx.Response(503, json=envelope("service_unavailable")),
            httpx.Response(502, text="<html/>"),
            httpx.Response(202, json={"object": "image_generation", "job": job()}),
        ]
    )
    rec = Recorder(lambda r: next(answers))
    async with client(rec) as sume:
        created = await sume.images.generate(prompt="a cat")
        await sume_async_second_call(sume, rec)
    keys = [r.headers["idempotency-key"] for r in rec.requests]
    assert len(set(keys[:3])) == 1
    assert keys[3] != keys[0]  # a new call gets a new key
    assert created.id == "job_1"


async def sume_async_second_call(sume: AsyncSume, rec: Recorder) -> None:
    rec._answer = lambda r: httpx.Response(202, json={"object": "image_generation", "job_id": "job_2"})
    second = await sume.images.generate(prompt="a dog", idempotency_key="my-key-1")
    assert second.id == "job_2" and str(second.status) == "queued"
    assert rec.requests[-1].headers["idempotency-key"] == "my-key-1"
    rec._answer = lambda r: httpx.Response(202, json={"object": "image_generation", "job_id": "job_3"})
    third = await sume.images.generate(prompt="a fox")
    assert third.id == "job_3"


async def test_redirects_are_not_followed_and_the_key_stays_home() -> None:
    seen_hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_hosts.append(request.url.host)
        if request.url.host == "www.sume.so":
            return httpx.Response(302, headers={"location": "https://evil.example/steal"})
        return httpx.Response(200, json=ACCOUNT)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
    async with AsyncSume(KEY, http_client=http, auth="x-api-key") as sume:
        with pytest.raises(APIStatusError) as info:
            await sume.account.me()
    assert info.value.status_code == 302
    assert seen_hosts == ["www.sume.so"]
    await http.aclose()


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"[]", b"{}", b'{"user": 5}', b'{"id": "job_1"}', b"<html>", b'{"id": 1, "status": null}'],
)
async def test_malformed_success_bodies_raise_validation_errors(body: bytes) -> None:
    async with client(Recorder(lambda r: httpx.Response(200, content=body))) as sume:
        with pytest.raises(APIResponseValidationError):
            await sume.jobs.get("job_1")


async def test_success_status_not_in_the_schema_is_still_parsed() -> None:
    answer = {"object": "video_generation", "job": job(type_="video_generation")}
    async with client(Recorder(lambda r: httpx.Response(200, json=answer))) as sume:
        created = await sume.videos.generate(prompt="waves", duration=5)
    assert created.id == "job_1"


async def test_unknown_job_status_and_type_are_kept() -> None:
    answer = job(status="on_hold", type_="hologram", extra_field=1)
    async with client(Recorder(lambda r: httpx.Response(200, json=answer))) as sume:
        got = await sume.jobs.get("job_1")
    assert got.status == "on_hold" and str(got.type_) == "hologram"
    assert got.additional_properties == {"extra_field": 1}


async def test_closed_client_refuses_requests() -> None:
    sume = client(Recorder(lambda r: httpx.Response(200, json=ACCOUNT)))
    await sume.close()
    await sume.close()  # idempotent
    assert sume.is_closed
    with pytest.raises(ClientClosedError):
        await sume.account.me()
    with pytest.raises(ClientClosedError):
        async with sume:
            pass


async def test_owned_http_client_is_closed_with_the_sdk() -> None:
    sume = AsyncSume(KEY)
    http = sume._requester.http
    async with sume:
        pass
    assert http.is_closed


async def test_every_error_is_a_sume_error() -> None:
    for exc in [APIConnectionError(), APITimeoutError(), InvalidInputError("f", "bad"), ClientClosedError()]:
        assert isinstance(exc, SumeError)
    assert issubclass(sume_async.JobFailedError, sume_async.JobError)
    assert issubclass(sume_async.JobTimeoutError, sume_async.JobError)


async def test_list_query_parameters_are_sent() -> None:
    rec = Recorder(
        lambda r: httpx.Response(200, json={"object": "list", "data": [], "has_more": False, "next_cursor": None})
    )
    async with client(rec) as sume:
        assert await sume.jobs.list(type="video_generation", status="completed", limit=5).to_list() == []
        await sume.assets.search("hook", cta_present=False, sort="relevance", min_duration_seconds=1.5).to_list()
    assert dict(rec.requests[0].url.params) == {"type": "video_generation", "status": "completed", "limit": "5"}
    params = dict(rec.requests[1].url.params)
    assert params == {"q": "hook", "cta_present": "false", "sort": "relevance", "min_duration_seconds": "1.5"}
    assert json.loads(b"{}") == {}
