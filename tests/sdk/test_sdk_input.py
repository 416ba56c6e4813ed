"""Hostile input from callers: a clear error before anything is sent, or safe encoding."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from sdk_helpers import KEY, Recorder, client, job

from sume_async import AsyncSume, InvalidInputError, RetryPolicy

pytestmark = pytest.mark.anyio


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should be sent, got {request.method} {request.url}")


CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("images", "generate", {"prompt": ""}, "prompt"),
    ("images", "generate", {"prompt": "   "}, "prompt"),
    ("images", "generate", {"prompt": 42}, "prompt"),
    ("images", "generate", {"prompt": None}, "prompt"),
    ("images", "generate", {"prompt": "x" * 100_001}, "prompt"),
    ("images", "generate", {"prompt": "ok", "image_count": 0}, "image_count"),
    ("images", "generate", {"prompt": "ok", "image_count": -1}, "image_count"),
    ("images", "generate", {"prompt": "ok", "image_count": True}, "image_count"),
    ("images", "generate", {"prompt": "ok", "image_count": 1.5}, "image_count"),
    ("images", "generate", {"prompt": "ok", "aspect_ratio": "wide"}, "aspect_ratio"),
    (
        "images",
        "generate",
        {"prompt": "ok", "reference_image_urls": ["http://x.example/a.png"]},
        "reference_image_urls[0]",
    ),
    ("images", "generate", {"prompt": "ok", "reference_image_urls": "https://x.example/a.png"}, "reference_image_urls"),
    (
        "images",
        "generate",
        {"prompt": "ok", "reference_image_urls": ["javascript:alert(1)"]},
        "reference_image_urls[0]",
    ),
    (
        "images",
        "generate",
        {"prompt": "ok", "reference_image_urls": ["https://a.example/x"] * 101},
        "reference_image_urls",
    ),
    ("images", "generate", {"prompt": "ok", "idempotency_key": "k" * 256}, "idempotency_key"),
    ("images", "generate", {"prompt": "ok", "idempotency_key": "bad\r\nheader"}, "idempotency_key"),
    ("videos", "generate", {"prompt": "ok", "duration": 3}, "duration"),
    ("videos", "generate", {"prompt": "ok", "duration": 16}, "duration"),
    ("videos", "generate", {"prompt": "ok", "duration": math.nan}, "duration"),
    ("videos", "generate", {"prompt": "ok", "resolution": "1080p"}, "resolution"),
    ("videos", "generate", {"prompt": "ok", "generate_audio": "yes"}, "generate_audio"),
    ("face_swap", "create", {"media_url": "https://m.example/v", "avatar_ids": []}, "avatar_ids"),
    ("face_swap", "create", {"media_url": "https://m.example/v", "avatar_ids": ["a"] * 11}, "avatar_ids"),
    ("face_swap", "create", {"media_url": "https://m.example/v", "avatar_ids": "avatar_1"}, "avatar_ids"),
    ("face_swap", "create", {"media_url": "https://m.example/v", "avatar_ids": [".."]}, "avatar_ids[0]"),
    ("reference_analysis", "create", {"url": "http://tiktok.com/x"}, "url"),
    ("reference_analysis", "create", {"url": "not a url"}, "url"),
    (
        "uploads",
        "presign",
        {"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 0, "purpose": "asset_library_video"},
        "size_bytes",
    ),
    (
        "uploads",
        "presign",
        {"filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 5, "purpose": "other"},
        "purpose",
    ),
    ("jobs", "wait_all", {"jobs": "job_abc"}, "jobs"),  # not one job per character
    ("jobs", "wait_all", {"jobs": {"job_abc": 1}}, "jobs"),
    ("jobs", "wait_all", {"jobs": ["job_1"], "return_exceptions": "yes"}, "return_exceptions"),
    ("uploads", "upload", {"source": b"x", "purpose": "asset_library_video", "on_progress": 5}, "on_progress"),
    ("uploads", "upload", {"source": memoryview(b"abcd")[::2], "purpose": "asset_library_video"}, "source"),
]


@pytest.mark.parametrize(("resource", "method", "kwargs", "field"), CASES)
async def test_bad_arguments_fail_before_sending(
    resource: str, method: str, kwargs: dict[str, Any], field: str
) -> None:
    async with client(never_called) as sume:
        with pytest.raises(InvalidInputError) as info:
            await getattr(getattr(sume, resource), method)(**kwargs)
    assert info.value.field == field
    assert field in str(info.value)


async def test_ads_video_checks_style_and_urls() -> None:
    async with client(never_called) as sume:
        with pytest.raises(InvalidInputError, match="style"):
            await sume.ads.videos.create(avatar_id="avatar_1", script="Hi", style="mime")
        with pytest.raises(InvalidInputError, match="product_image_url"):
            await sume.ads.videos.create(avatar_id="avatar_1", script="Hi", product_image_url="ftp://x")


@pytest.mark.parametrize("bad", ["", "   ", ".", "..", "...", "job\n1", 7, None, "x" * 300])
async def test_unusable_ids_are_refused(bad: Any) -> None:
    async with client(never_called) as sume:
        for call in (sume.jobs.get, sume.jobs.result, sume.avatars.get, sume.assets.get):
            with pytest.raises(InvalidInputError):
                await call(bad)


@pytest.mark.parametrize(
    ("job_id", "raw_path"),
    [
        ("../me", b"/api/v1/jobs/..%2Fme"),
        ("job_1/result", b"/api/v1/jobs/job_1%2Fresult"),
        ("job?limit=1", b"/api/v1/jobs/job%3Flimit%3D1"),
        ("job#frag", b"/api/v1/jobs/job%23frag"),
        ("job 1%2F", b"/api/v1/jobs/job%201%252F"),
    ],
)
async def test_ids_are_encoded_into_one_path_segment(job_id: str, raw_path: bytes) -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=job(job_id)))
    async with client(rec) as sume:
        await sume.jobs.get(job_id)
    (request,) = rec.requests
    assert request.url.raw_path == raw_path
    assert request.url.query == b""


@pytest.mark.parametrize("limit", [0, 101, -5, 2.5, "10", True])
async def test_page_limits_are_checked(limit: Any) -> None:
    async with client(never_called) as sume:
        with pytest.raises(InvalidInputError, match="limit"):
            sume.jobs.list(limit=limit)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sort": "random"},
        {"search_mode": "vector"},
        {"cta_present": "no"},
        {"min_duration_seconds": -1},
        {"max_duration_seconds": math.inf},
        {"created_after": "2024-01-01"},
    ],
)
async def test_asset_filters_are_checked(kwargs: dict[str, Any]) -> None:
    async with client(never_called) as sume:
        with pytest.raises(InvalidInputError):
            sume.assets.list(**kwargs)


def test_no_parameter_accepts_workspace_or_user_ids() -> None:
    import inspect

    sume = AsyncSume("sume_live_k")
    resources = [getattr(sume, name) for name in dir(sume) if not name.startswith("_")]  # built on first use
    resources = [r for r in resources if type(r).__module__.startswith("sume_async.resources")]
    assert len(resources) >= 12
    targets = [sume, *resources, sume.ads.videos]
    for target in targets:
        for name in dir(target):
            if name.startswith("_"):
                continue
            member = getattr(target, name)
            if callable(member):
                params = inspect.signature(member).parameters
                assert not {"workspace_id", "user_id"} & set(params), f"{name} takes a scope id"


@pytest.mark.parametrize("key", ["sume_live_with space", "sume_live_\u00e9", "k\nInjected: 1"])
def test_keys_that_cannot_be_a_header_are_refused(key: str) -> None:
    with pytest.raises(InvalidInputError):
        AsyncSume(key)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_url": "https://api.example:99999/v1"}, "base_url"),
        ({"base_url": "https://api.example:0/v1"}, "base_url"),
        ({"max_response_bytes": 10}, "max_response_bytes"),
        ({"max_response_bytes": 1.5e9}, "max_response_bytes"),
        ({"allow_insecure_http": "yes"}, "allow_insecure_http"),
        ({"retry_policy": {"max_retries": 1}}, "retry_policy"),
        ({"poll_policy": 5}, "poll_policy"),
        ({"http_client": object()}, "http_client"),
    ],
)
def test_client_options_are_checked_at_construction(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        AsyncSume(KEY, **kwargs)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"initial_delay": math.nan}, "initial_delay"),
        ({"max_delay": -1.0}, "max_delay"),
        ({"max_retry_after": math.inf}, "max_retry_after"),
        ({"max_delay": "8"}, "max_delay"),
    ],
)
def test_retry_policy_fields_are_checked(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        RetryPolicy(**kwargs)
    assert info.value.field == field


async def test_asset_filters_are_typed_keywords_and_a_misspelt_one_is_refused() -> None:
    from sume_async import AsyncSume, InvalidInputError

    async with AsyncSume("sk_test_filters", base_url="http://127.0.0.1:9") as sume:
        for call in (
            lambda: sume.assets.search("mug", sortt="relevance"),  # type: ignore[call-arg]
            lambda: sume.assets.list(min_duration="3"),  # type: ignore[call-arg]
            lambda: sume.assets.search("mug", sort="newest"),  # type: ignore[arg-type]
            lambda: sume.assets.search("mug", min_duration_seconds=-1),
            lambda: sume.assets.search(" "),
        ):
            with pytest.raises(InvalidInputError):
                call()
