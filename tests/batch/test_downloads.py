"""jobs.download end to end (the mock's media route on loopback) and against hostile media hosts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sdk_helpers import client, job

from sume_async import AsyncSume, DownloadError, InvalidInputError
from sume_async.testing import DEFAULT_API_KEY, MockSume, serve

pytestmark = pytest.mark.anyio


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_download_is_complete_and_a_rerun_sends_nothing(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    seen: list[tuple[int, int | None]] = []
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        created = await sume.images.generate(prompt="mug", image_count=2)
        done = await sume.jobs.wait(created, poll_interval=0.01)
        paths = await sume.jobs.download(done, tmp_path, on_progress=lambda p, got, total: seen.append((got, total)))
        media = mock.media(done.id)
        assert [p.name for p in paths] == [f"{done.id}-0.png", f"{done.id}-1.png"]
        for path, expected in zip(paths, media, strict=True):
            assert path.stat().st_size == expected.size and sha256(path) == expected.sha256
        assert seen[-1][0] == seen[-1][1] and all(total == seen[0][1] or total for _, total in seen)
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        downloads = mock.route_counts["GET /media/jobs/{jobId}/{name}"]
        assert downloads == 2
        again = await sume.jobs.download(done.id, tmp_path)  # skipped: complete files are there
        assert again == paths and mock.route_counts["GET /media/jobs/{jobId}/{name}"] == downloads
    assert mock.credential_leaks == []


async def test_size_cap_leaves_no_file(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        done = await sume.jobs.wait(await sume.images.generate(prompt="mug"), poll_interval=0.01)
        with pytest.raises(DownloadError, match=f"job {done.id} output 0") as caught:
            await sume.jobs.download(done, tmp_path, max_bytes=1000)
    assert "http" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def media_host(outputs: list[dict[str, Any]], media: dict[str, httpx.Response], seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/result"):
            body = job("job_1", "completed", result={"outputs": outputs})
            return httpx.Response(200, json=body)
        answer = media.get(str(request.url))
        if answer is None:
            return httpx.Response(404)
        # A fresh response each time (a response's body can be read once).
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return handler


@pytest.mark.parametrize(
    ("url", "media", "problem"),
    [
        ("http://cdn.example/a.png", {}, "only https"),
        ("https://user:pw@cdn.example/a.png", {}, "credentials"),
        (
            "https://cdn.example/a.png",
            {"https://cdn.example/a.png": httpx.Response(302, headers={"Location": "http://cdn.example/b.png"})},
            "only https",
        ),
        ("https://cdn.example/a.png", {"https://cdn.example/a.png": httpx.Response(403)}, "refused"),
        (
            "https://cdn.example/a.png",
            {"https://cdn.example/a.png": httpx.Response(302, headers={"Location": "https://cdn.example/a.png"})},
            "too many redirects",
        ),
    ],
)
async def test_hostile_media_hosts(tmp_path: Path, url: str, media: dict[str, httpx.Response], problem: str) -> None:
    seen: list[httpx.Request] = []
    async with client(media_host([{"url": url, "content_type": "image/png"}], media, seen)) as sume:
        with pytest.raises(DownloadError, match=problem) as caught:
            await sume.jobs.download("job_1", tmp_path)
    assert "cdn.example" not in str(caught.value) and "pw" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


async def test_redirects_to_https_are_followed_without_credentials(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    media = {
        "https://cdn.example/a.mp4": httpx.Response(307, headers={"Location": "https://other.example/a.mp4"}),
        "https://other.example/a.mp4": httpx.Response(200, content=b"x" * 5000, headers={"Content-Type": "video/mp4"}),
    }
    async with client(media_host([{"url": "https://cdn.example/a.mp4"}], media, seen)) as sume:
        [path] = await sume.jobs.download("job_1", tmp_path)
    assert path.name == "job_1-0.mp4" and path.read_bytes() == b"x" * 5000
    media_requests = [r for r in seen if "example" in r.url.host]
    assert len(media_requests) == 2
    assert all("authorization" not in r.headers and "x-api-key" not in r.headers for r in media_requests)


async def test_a_truncated_body_is_retried_and_never_left_as_a_complete_file(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    short = httpx.Response(200, content=b"x" * 10, headers={"Content-Length": "100"})
    async with client(
        media_host([{"url": "https://cdn.example/a.png"}], {"https://cdn.example/a.png": short}, seen)
    ) as sume:
        with pytest.raises(DownloadError, match="ended after 10 of 100 bytes"):
            await sume.jobs.download("job_1", tmp_path)
    assert not any(p.name == "job_1-0.png" for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"max_bytes": 0}, "max_bytes"), ({"max_concurrency": 0}, "max_concurrency")]
)
async def test_bad_download_arguments(tmp_path: Path, kwargs: dict[str, Any], field: str) -> None:
    seen: list[httpx.Request] = []
    async with client(media_host([{"url": "https://cdn.example/a.png"}], {}, seen)) as sume:
        with pytest.raises(InvalidInputError) as caught:
            await sume.jobs.download("job_1", tmp_path, **kwargs)
    assert caught.value.field == field


async def test_pagers_resume_from_their_cursor() -> None:
    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        for i in range(5):
            await sume.images.generate(prompt=f"p{i}")
        pager = sume.jobs.list(limit=2)
        assert pager.cursor is None and not pager.exhausted
        first = []
        async for item in pager:
            first.append(item.id)
            if len(first) == 2:
                break
        # Broken off at the end of page 1: the cursor points at page 2.
        resumed = sume.jobs.list(limit=2, cursor=pager.cursor)
        rest = [j.id async for j in resumed]
        assert resumed.exhausted and resumed.cursor is None
        assert len(set(first + rest)) == 5
        with pytest.raises(InvalidInputError):
            sume.jobs.list(cursor="")
    json.dumps(first)


async def test_a_partial_file_left_by_a_killed_process_is_removed_on_rerun(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        done = await sume.jobs.wait(await sume.images.generate(prompt="mug"), poll_interval=0.01)
        stale = tmp_path / f".{done.id}-0.png.0123456789ab.part"
        stale.write_bytes(b"half a file")
        [path] = await sume.jobs.download(done, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
