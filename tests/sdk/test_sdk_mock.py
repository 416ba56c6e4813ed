"""Every public SDK method against the embedded mock server, in-process and over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from sume_async import (
    AsyncSume,
    AuthenticationError,
    ConflictError,
    InsufficientCreditsError,
    Job,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    PollPolicy,
    RetryPolicy,
    UnprocessableEntityError,
)
from sume_async.testing import DEFAULT_API_KEY, Faults, ManualClock, MockSume, serve

pytestmark = pytest.mark.anyio

SPEED = 400.0
POLL = PollPolicy().scaled(1 / SPEED)
RETRY = RetryPolicy(max_retries=3, initial_delay=0.005, max_delay=0.02, max_retry_after=0.05)


@pytest.fixture(params=["asgi", "socket"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def connect(mock: MockSume, transport: str, **kwargs: object) -> AsyncIterator[AsyncSume]:
    kwargs.setdefault("poll_policy", POLL)
    kwargs.setdefault("retry_policy", RETRY)
    if transport == "asgi":
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app))
        async with (
            http,
            AsyncSume(
                DEFAULT_API_KEY,
                base_url="http://testserver/api/v1",
                http_client=http,
                allow_insecure_http=True,
                **kwargs,
            ) as sume,
        ):  # type: ignore[arg-type]
            yield sume
    else:
        async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url, **kwargs) as sume:  # type: ignore[arg-type]
            yield sume


@pytest.fixture
async def mock() -> AsyncIterator[MockSume]:
    server = MockSume(speed=SPEED, seed=1)
    yield server
    server.close()


@pytest.fixture
async def sume(mock: MockSume, transport: str) -> AsyncIterator[AsyncSume]:
    async with connect(mock, transport) as client:
        yield client


async def test_account_credits_brand_and_avatars(sume: AsyncSume) -> None:
    me = await sume.account.me()
    assert me.workspace.id and me.api_key.prefix and DEFAULT_API_KEY not in repr(me)
    credits = await sume.credits.get()
    assert credits.remaining_credits == 10_000
    brands = await sume.brand.list().to_list()
    assert brands and brands[0].id
    current = await sume.brand.current()
    assert current.id
    domain = brands[0].domain
    assert isinstance(domain, str)
    assert [b.domain for b in await sume.brand.list(domain=domain).to_list()] == [domain]
    avatars = await sume.avatars.list(limit=2).to_list()
    assert len(avatars) >= 3  # more than one page of two
    assert (await sume.avatars.get(avatars[0].id)).id == avatars[0].id
    with pytest.raises(NotFoundError):
        await sume.avatars.get("avatar_nope")


async def test_every_create_then_wait_and_result(sume: AsyncSume, mock: MockSume) -> None:
    avatar = (await sume.avatars.list().to_list())[0]
    upload = await sume.uploads.upload(b"\x00" * 2048, purpose="face_swap_source_video", filename="face.mp4")
    jobs = [
        await sume.images.generate(prompt="mug", aspect_ratio="1:1", image_count=1),
        await sume.videos.generate(prompt="waves", duration=5, resolution="480p", generate_audio=False),
        await sume.ads.videos.create(avatar_id=avatar.id, script="Buy it", style="ugc"),
        *await sume.face_swap.create(media_url=str(upload.media_url), avatar_ids=[avatar.id]),
        await sume.reference_analysis.create(url="https://www.tiktok.com/@brand/video/1"),
    ]
    assert [str(j.type_) for j in jobs] == [
        "image_generation",
        "video_generation",
        "ads_video",
        "face_swap",
        "reference_analysis",
    ]
    assert all(isinstance(j, Job) for j in jobs)
    done = await sume.jobs.wait_all(jobs, timeout=30)
    assert [j.id for j in done] == [j.id for j in jobs]
    assert all(j.status == "completed" for j in done)
    image = await sume.jobs.result(done[0])
    assert (
        image.result
        and image.result.outputs
        and image.result.outputs[0].url.startswith(("https://", "http://testserver/media/", "http://127.0.0.1:"))
    )
    assert len(mock.jobs) == 5  # nothing created twice


async def test_result_before_completion_is_a_conflict(sume: AsyncSume) -> None:
    job = await sume.videos.generate(prompt="slow")
    with pytest.raises(ConflictError) as info:
        await sume.jobs.result(job)
    assert info.value.code == "job_not_completed"


async def test_job_listing_filters_and_pages(transport: str) -> None:
    clock = ManualClock()
    mock = MockSume(clock=clock)
    async with connect(mock, transport) as sume:
        for i in range(5):
            await sume.images.generate(prompt=f"p{i}")
        await sume.videos.generate(prompt="v")
        pager = sume.jobs.list(type="image_generation", limit=2)
        pages = [page async for page in pager.pages()]
        assert [len(p.data) for p in pages] == [2, 2, 1]
        assert pages[-1].next_cursor is None
        ids = [j.id async for j in sume.jobs.list(type="image_generation", limit=2)]
        assert len(ids) == len(set(ids)) == 5
        assert [j.id async for j in sume.jobs.list(status="completed")] == []
        clock.advance(10)  # images take 6 s, videos 40 s
        completed = [j async for j in sume.jobs.list(status="completed")]
        assert sorted(j.id for j in completed) == sorted(ids)
    mock.close()


async def test_asset_upload_ingest_search_and_get(sume: AsyncSume, mock: MockSume, tmp_path: Path) -> None:
    video = tmp_path / "spring-launch.mp4"
    video.write_bytes(b"\x01" * (3 * 1024 * 1024 + 17))
    progress: list[int] = []
    ingest = await sume.assets.upload(video, title="Spring launch hook", on_progress=lambda s, t: progress.append(s))
    assert progress[-1] == video.stat().st_size
    assert str(ingest.type_) == "asset_ingest"
    await sume.jobs.wait(ingest)
    found = await sume.assets.search("spring launch", sort="relevance").to_list()
    assert found and all("Spring launch" in str(a.title) for a in found)
    assert found[0].search and found[0].search.query == "spring launch"
    asset = await sume.assets.get(found[0].id, q="spring launch", search_mode="text")
    assert asset.id == found[0].id
    listed = await sume.assets.list(source_type="upload", limit=1).to_list()
    assert {a.id for a in listed} >= {a.id for a in found}
    assert mock.credential_leaks == []


async def test_presign_returns_a_secret_free_repr(sume: AsyncSume) -> None:
    target = await sume.uploads.presign(
        filename="a.mp4", content_type="video/mp4", size_bytes=10, purpose="asset_library_video"
    )
    assert target.upload_url.startswith("http")
    for secret in (target.upload_url, target.object_key, str(target.media_url)):
        assert secret not in repr(target)


async def test_failed_and_timed_out_waits(mock: MockSume, transport: str) -> None:
    clock = ManualClock()
    failing = MockSume(clock=clock, failure_rate=1.0)
    async with connect(failing, transport) as sume:
        job = await sume.images.generate(prompt="doomed")
        with pytest.raises(JobTimeoutError) as timeout:
            await sume.jobs.wait(job, timeout=0.05, poll_interval=0.01)
        assert timeout.value.last_status == "queued"
        clock.advance(3600)
        with pytest.raises(JobFailedError) as failed:
            await sume.jobs.wait(job, poll_interval=0.01)
        assert failed.value.error_code and failed.value.error_message
    failing.close()


async def test_api_errors_from_the_server(mock: MockSume, transport: str) -> None:
    async with connect(mock, transport) as sume:
        with pytest.raises(UnprocessableEntityError):
            await sume.ads.videos.create(avatar_id="avatar_unknown", script="x")
        mock.set_credits(0)
        with pytest.raises(InsufficientCreditsError):
            await sume.images.generate(prompt="broke")
    locked = MockSume(forbidden_features=("face_swap",))
    async with connect(locked, transport) as sume:
        with pytest.raises(PermissionDeniedError):
            await sume.face_swap.create(media_url="https://media.sume.test/x", avatar_ids=["avatar_1"])
    locked.close()


async def test_wrong_key_is_an_authentication_error(mock: MockSume, transport: str) -> None:
    if transport == "asgi":
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app))
        sume = AsyncSume(
            "sume_live_wrong", base_url="http://testserver/api/v1", http_client=http, allow_insecure_http=True
        )
        async with http, sume:
            with pytest.raises(AuthenticationError) as info:
                await sume.account.me()
    else:
        async with serve(mock) as base_url, AsyncSume("sume_live_wrong", base_url=base_url) as sume:
            with pytest.raises(AuthenticationError) as info:
                await sume.account.me()
    assert info.value.request_id and "sume_live_wrong" not in str(info.value)


async def test_legacy_header_auth(mock: MockSume, transport: str) -> None:
    async with connect(mock, transport, auth="x-api-key") as sume:
        assert (await sume.account.me()).workspace.id


async def test_retries_ride_out_injected_faults(transport: str) -> None:
    faults = Faults(seed=3, rate_429=0.2, retry_after="seconds", rate_5xx=0.2, rate_520=0.1)
    flaky = MockSume(speed=SPEED, faults=faults)
    async with connect(
        flaky,
        transport,
        retry_policy=RetryPolicy(max_retries=8, initial_delay=0.001, max_delay=0.01, max_retry_after=0.01),
    ) as sume:
        jobs = [await sume.images.generate(prompt=f"p{i}") for i in range(10)]
        done = await sume.jobs.wait_all(jobs, timeout=30)
    assert len(done) == 10
    assert len(flaky.jobs) == 10  # retried creates reused their Idempotency-Key
    assert any(r.status in (429, 500, 502, 503, 520) for r in flaky.requests)
    flaky.close()
