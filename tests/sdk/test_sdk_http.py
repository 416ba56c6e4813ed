"""The SDK-owned httpx client: requests built once-merged, no cookies; a user's client untouched."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest
from sdk_helpers import KEY, Recorder, job

from sume_async import AsyncSume, JobStatus, JobType
from sume_async._http import RequestBuilder, SDKAsyncClient

pytestmark = pytest.mark.anyio

SDK_HEADERS = {"User-Agent": "sume-async/test", "Accept": "application/json", "Authorization": f"Bearer {KEY}"}
CASES: list[dict[str, Any]] = [
    {"method": "GET", "url": "https://api.example/v1/jobs/job_1", "params": None, "json": None, "headers": None},
    {
        "method": "GET",
        "url": "https://api.example/v1/jobs",
        "params": {"limit": 5, "cursor": "c/1 2", "flag": True},
        "json": None,
        "headers": {"X-Trace": "t"},
    },
    {
        "method": "POST",
        "url": "https://api.example/v1/images/generations",
        "params": None,
        "json": {"prompt": "café ☕", "n": 1},
        "headers": {"Idempotency-Key": "k-1", "accept": "text/plain"},
    },
]
# List calls: the query is set on the parsed URL instead of merged by httpx; every kind of value.
ODD = "a b&c=d+e%2Ff/g?h#i~j;k,l:m@n[o]p'q\"r<s>t`u{v}w|x^y$z!*()é☕𝄞\u00a0"
LIST_PARAMS: list[dict[str, Any]] = [
    {"limit": 100},
    {"limit": 100, "cursor": "eyJvZmZzZXQiOiAxMDB9=="},
    {"limit": 20, "cursor": ODD, "type": "image_generation", "status": "running"},
    {"q": "red car & blue sky = café", "cta_present": True, "sort": "newest", "limit": 1},
    {
        "cta_present": False,
        "min_duration_seconds": 1.5,
        "max_duration_seconds": 0,
        "created_after": "2026-01-02T03:04:05+00:00",
    },
    {"type": JobType.IMAGE_GENERATION, "status": JobStatus.COMPLETED, "limit": 3},
    {"tag": ["a b", "c&d", "é"], "n": (1, 2), "empty": "", "none": None, "neg": -7, "big": 10**30},
    {"%": "%", "%41": "%41", "a+b": "+", "": "blank key", "k=v": "&&"},
    {"only_empty_list": []},
]
CASES += [
    {"method": "GET", "url": "https://api.example/v1/jobs", "params": params, "json": None, "headers": None}
    for params in LIST_PARAMS
]
CASES += [  # a base URL with a query, fragment, port, userinfo or odd path of its own
    {"method": "GET", "url": url, "params": {"limit": 5, "cursor": ODD}, "json": None, "headers": None}
    for url in (
        "https://api.example/v1/jobs?tenant=t 1",
        "https://api.example/v1/jobs#frag",
        "http://user:pw@127.0.0.1:8080/v1/jobs",
        "https://api.example/v%C3%A9/jobs path/é",
    )
]


def shape(request: httpx.Request) -> tuple[Any, ...]:
    return (request.method, str(request.url), request.headers.multi_items(), request.read(), request.extensions)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("timeout", [False, None, httpx.Timeout(1.5), httpx.Timeout(5, connect=1)])
async def test_direct_build_equals_httpx_build_request(case: dict[str, Any], timeout: Any) -> None:
    default = httpx.Timeout(60, connect=10)
    async with SDKAsyncClient(timeout=default) as http:
        built = RequestBuilder(http, SDK_HEADERS, default).build(**case, timeout=timeout)
        merged = httpx.Headers(SDK_HEADERS)
        merged.update(case["headers"] or {})
        kwargs = {k: v for k, v in case.items() if k != "headers"}
        expected = http.build_request(**kwargs, headers=merged, timeout=default if timeout is False else timeout)
    assert shape(built) == shape(expected)
    assert len(built.headers.get_list("accept")) == 1  # a header given in another case replaces, never doubles


def cookie_server(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=job(), headers={"Set-Cookie": "session=abc; Path=/"})


async def test_the_sdk_owned_client_keeps_no_cookies() -> None:
    rec = Recorder(cookie_server)
    async with AsyncSume(KEY, transport=httpx.MockTransport(rec)) as sume:
        await sume.jobs.get("job_1")
        await sume.jobs.get("job_1")
        sume_http = sume._requester.http
        assert len(sume_http.cookies) == 0
        sume_http.cookies = {"a": "b"}  # ignored: the owned client never holds cookies
        assert len(sume_http.cookies) == 0
    assert all("cookie" not in r.headers for r in rec.requests)


async def test_a_users_http_client_keeps_its_cookies_headers_and_params() -> None:
    rec = Recorder(cookie_server)
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(rec), headers={"X-Corp": "1"}, cookies={"pref": "x"}, params={"tenant": "t1"}
    )
    async with http, AsyncSume(KEY, http_client=http) as sume:
        await sume.jobs.get("job_1")
        await sume.jobs.get("job_1", extra_headers={"X-Trace": "2"})
    first, second = rec.requests
    assert first.headers["x-corp"] == "1" and first.headers["authorization"] == f"Bearer {KEY}"
    assert first.url.params["tenant"] == "t1" and first.headers["cookie"] == "pref=x"
    assert "session=abc" in second.headers["cookie"] and second.headers["x-trace"] == "2"


@pytest.mark.parametrize("owned", [True, False])
async def test_headers_given_in_another_case_replace_the_sdks(owned: bool) -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=job()))
    transport = httpx.MockTransport(rec)
    http = None if owned else httpx.AsyncClient(transport=transport)
    options: dict[str, Any] = {"transport": transport} if owned else {"http_client": http}
    async with AsyncSume(KEY, default_headers={"user-agent": "my-app/2"}, **options) as sume:
        await sume.jobs.get("job_1", extra_headers={"ACCEPT": "application/vnd.sume+json"})
    if http is not None:
        await http.aclose()
    (request,) = rec.requests
    assert request.headers.get_list("user-agent") == ["my-app/2"]
    assert request.headers.get_list("accept") == ["application/vnd.sume+json"]


async def test_a_body_longer_than_its_content_length_is_read_only_to_that_length() -> None:
    """The plain-body fast path trusts HTTP framing: bytes past Content-Length are never the body."""
    from hostile_server import head, hostile_server

    body = json.dumps(job()).encode()
    steps = [head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}) + body + b"x" * 65536]
    async with (
        hostile_server(lambda _request, _index: steps) as server,
        AsyncSume(KEY, base_url=server.base_url, max_response_bytes=4096) as sume,
    ):
        raw = await sume.with_raw_response.jobs.get("job_1")
        assert raw.parsed.id == "job_1" and raw.http_response.content == body


def empty_page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": [], "has_more": False, "next_cursor": None})


async def _list_everything(sume: AsyncSume) -> None:
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))
    await sume.jobs.list().first_page()
    await sume.jobs.list(type="image_generation", status=JobStatus.RUNNING, limit=7, cursor=ODD).first_page()
    await sume.jobs.list(type=JobType.FACE_SWAP, cursor="eyJvIjoxMDB9==").first_page()
    await sume.brand.list(domain="exämple.com/a b?c=d&e", limit=100).first_page()
    await sume.assets.list(
        q="red car & blue sky = café ☕",
        search_mode="text",
        source_type="video upload",
        segment_type="hook",
        brand="Acme & Co",
        product="50% off+",
        tag="#summer",
        keyword="a=b",
        cta_present=False,
        min_duration_seconds=0,
        max_duration_seconds=12.75,
        created_after=at,
        created_before=at.replace(tzinfo=datetime.UTC),
        sort="created_at_desc",
        limit=1,
        cursor=ODD,
    ).first_page()
    await sume.assets.search("dog ☕", cta_present=True).first_page()
    await sume.jobs.list(status="queued", extra_query={"trace id": "x&y=z"}).first_page()


async def test_list_calls_send_what_httpx_build_request_sends() -> None:
    """Every list filter type: the SDK-owned client's requests equal those of httpx's full path."""
    owned, users = Recorder(empty_page), Recorder(empty_page)
    async with AsyncSume(KEY, transport=httpx.MockTransport(owned)) as sume:
        await _list_everything(sume)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(users)) as http,
        AsyncSume(KEY, http_client=http) as sume,
    ):
        assert not sume._requester._builder._direct  # this one goes through http.build_request
        await _list_everything(sume)
    assert len(owned.requests) == len(users.requests) == 7
    for mine, theirs in zip(owned.requests, users.requests, strict=True):
        assert mine.url.raw_path == theirs.url.raw_path and mine.url == theirs.url
        assert mine.headers.multi_items() == theirs.headers.multi_items()
    assert b"cursor=" in owned.requests[1].url.raw_path and b"%E2%98%95" in owned.requests[4].url.raw_path
