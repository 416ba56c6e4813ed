"""jobs.download end to end (the mock's media route on loopback) and against hostile media hosts."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import unittest.mock
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sdk_helpers import FAST_RETRY, client, job

import sume_async._transport
from sume_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncSume,
    DownloadError,
    InternalServerError,
    InvalidInputError,
    RetryPolicy,
)
from sume_async._errors import status_error_class
from sume_async._retries import should_retry
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


async def test_redirects_to_https_are_followed_without_credentials(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
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
    # Media URLs are private (signed, or naming private objects): httpx logs them as their host only.
    assert "HTTP Request" in caplog.text and "a.mp4" not in caplog.text


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
        os.utime(stale, (time.time() - 3600, time.time() - 3600))  # not written for an hour
        [path] = await sume.jobs.download(done, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


async def test_the_sweep_leaves_a_temporary_file_just_created_and_not_yet_locked(tmp_path: Path) -> None:
    """A download creates its file, then locks it: a sweep in between (another client's, or the
    first download of this one while hundreds start at once) must not take it."""
    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        jobs = [await sume.images.generate(prompt=f"mug {i}") for i in range(60)]
        done = [await sume.jobs.result(job) for job in await sume.jobs.wait_all(jobs)]
        fresh = tmp_path / ".job_other-0.png.0123456789ab.part"
        fresh.write_bytes(b"being written")  # unlocked, as between a writer's open and its lock
        async with anyio.create_task_group() as tg:
            for result in done:
                tg.start_soon(sume.jobs.download, result, tmp_path)
    assert fresh.exists()
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 60


async def test_the_sweep_never_deletes_another_live_runs_temporary_file(tmp_path: Path) -> None:
    """A ``.part`` file its writer holds locked (a download in flight in another run) is left alone."""
    import fcntl
    import os

    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        done = await sume.jobs.wait(await sume.images.generate(prompt="mug"), poll_interval=0.01)
        live = tmp_path / f".{done.id}-0.png.0123456789ab.part"
        stale = tmp_path / ".job_other-0.png.ba9876543210.part"
        stale.write_bytes(b"left by a killed run")
        os.utime(stale, (time.time() - 3600, time.time() - 3600))
        fd = os.open(live, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # as a live writer holds it
            [path] = await sume.jobs.download(done, tmp_path)
            assert live.exists() and not stale.exists() and path.is_file()
        finally:
            os.close(fd)


async def test_downloads_never_list_the_folder_per_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Completeness is looked up by name: listings of the folder do not grow with the outputs (O(1) each)."""
    import os

    import sume_async._download as download_module

    listings: list[str] = []
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        listings.append(str(path))
        return real_scandir(path)

    def glob(self: Path, pattern: str) -> Any:
        listings.append(f"glob {pattern}")
        return iter(())

    monkeypatch.setattr(download_module.os, "scandir", scandir)
    monkeypatch.setattr(Path, "glob", glob)
    mock = MockSume(speed=1000)
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        jobs = [await sume.images.generate(prompt=f"mug {i}") for i in range(12)]
        for done in await sume.jobs.wait_all(jobs, poll_interval=0.01):
            await sume.jobs.download(done, tmp_path)
            await sume.jobs.download(done, tmp_path)  # complete: found by name, nothing sent
    assert len(listings) == 1  # one sweep of the folder for this client, whatever the number of outputs


# -- one retry decision: downloads take theirs from the send path ------------------------------------


def status_host(status: int, seen: list[httpx.Request]) -> Any:
    """An API whose job reads answer ``status`` and a media host that answers ``status`` too."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/result"):
            return httpx.Response(200, json=job("job_1", "completed", result={"outputs": [{"url": MEDIA}]}))
        return httpx.Response(status)

    return handler


MEDIA = "https://cdn.example/a.png"
STATUSES = [400, 401, 403, 404, 408, 409, 410, 418, 422, 429, 500, 501, 502, 503, 504, 520, 599]


@pytest.mark.parametrize("status", STATUSES)
async def test_a_download_retries_exactly_the_statuses_the_one_rule_retries(tmp_path: Path, status: int) -> None:
    seen: list[httpx.Request] = []
    async with client(status_host(status, seen)) as sume:
        with pytest.raises(DownloadError) as caught:
            await sume.jobs.download("job_1", tmp_path)
        media_attempts = sum(1 for r in seen if r.url.host == "cdn.example")
        seen.clear()
        with pytest.raises(APIStatusError):
            await sume.jobs.get("job_1")  # an API read answered with the same status
        api_attempts = len(seen)
    rule = should_retry(status_error_class(status)(status_code=status, code=None, message="m"))
    assert media_attempts == api_attempts == (FAST_RETRY.max_retries + 1 if rule else 1)
    assert caught.value.status_code == status
    assert ("failed" if rule else "refused") in str(caught.value)
    assert list(tmp_path.iterdir()) == []


class _CutStream(httpx.AsyncByteStream):
    """A body that loses its connection after the first chunk."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"x" * 10
        raise httpx.ReadError("connection reset")


async def test_a_downloads_statuses_timeouts_and_lost_bodies_go_through_the_one_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[BaseException] = []
    verdict: dict[str, bool | None] = {"forced": None}

    def spy(error: BaseException) -> bool:
        asked.append(error)
        forced = verdict["forced"]
        return should_retry(error) if forced is None else forced

    monkeypatch.setattr(sume_async._transport, "should_retry", spy)
    answers = iter(
        [
            lambda: httpx.Response(503),
            lambda: (_ for _ in ()).throw(httpx.ReadTimeout("slow")),
            lambda: httpx.Response(200, headers={"Content-Length": "100"}, stream=_CutStream()),
            lambda: httpx.Response(200, content=b"y" * 100, headers={"Content-Type": "image/png"}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            return httpx.Response(200, json=job("job_1", "completed", result={"outputs": [{"url": MEDIA}]}))
        return next(answers)()

    async with client(handler, retry_policy=RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.002)) as sume:
        [path] = await sume.jobs.download("job_1", tmp_path)
        assert path.read_bytes() == b"y" * 100
        assert [type(e) for e in asked] == [InternalServerError, APITimeoutError, APIConnectionError]
        # And it is the decision that rules: told "do not retry", a download stops at once.
        asked.clear()
        verdict["forced"] = False
        answers = iter([lambda: httpx.Response(503), lambda: httpx.Response(200, content=b"z")])
        with pytest.raises(DownloadError, match="status 503"):
            await sume.jobs.download("job_1", tmp_path / "again")
        assert len(asked) == 1
        # Told "retry" for a status the rule refuses, it would retry: the rule is not repeated elsewhere.
        verdict["forced"] = True
        answers = iter([lambda: httpx.Response(404), lambda: httpx.Response(200, content=b"z")])
        [path] = await sume.jobs.download("job_1", tmp_path / "third")
        assert path.read_bytes() == b"z"


async def test_a_file_that_cannot_be_written_is_a_download_error_and_not_retried(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    media = {MEDIA: httpx.Response(200, content=b"x" * 100, headers={"Content-Type": "image/png"})}
    (tmp_path / "job_1-0.png").mkdir()  # the final name is taken by a folder: the rename fails
    async with client(media_host([{"url": MEDIA, "content_type": "image/png"}], media, seen)) as sume:
        with pytest.raises(DownloadError, match="job job_1 output 0: the file cannot be written"):
            await sume.jobs.download("job_1", tmp_path)
    assert sum(1 for r in seen if r.url.host == "cdn.example") == 1  # a disk error is not transient
    assert [p.name for p in tmp_path.iterdir()] == ["job_1-0.png"]  # no temporary file left


class _StalledStream(httpx.AsyncByteStream):
    """A body that sends one chunk and then nothing."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"x" * 10
        await anyio.sleep_forever()


async def test_a_download_cancelled_mid_body_leaves_no_partial_file(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            return httpx.Response(200, json=job("job_1", "completed", result={"outputs": [{"url": MEDIA}]}))
        return httpx.Response(200, headers={"Content-Length": "100"}, stream=_StalledStream())

    got: list[int] = []
    async with client(handler, max_concurrent_requests=3) as sume:
        with anyio.fail_after(10), anyio.CancelScope() as scope:

            def progress(_path: Path, received: int, _total: int | None) -> None:
                got.append(received)
                if received:
                    scope.cancel()  # while the send path streams the body to disk

            await sume.jobs.download("job_1", tmp_path, on_progress=progress)
        assert scope.cancelled_caught and got == [0, 10]
        assert list(tmp_path.iterdir()) == []
        assert sume._requester.limiter.value == 3  # the slot is back


# -- a batch's downloads, known from its journal ------------------------------------------------


async def _batch_run(sume: AsyncSume, state: Path, rows: list[dict[str, Any]], **options: Any) -> list[Any]:
    from sume_async.batch import Batch

    async with Batch(sume, name="b", state=state, **options).run(rows) as running:
        return [outcome async for outcome in running]


async def test_a_batch_knows_its_downloads_from_its_journal_and_fetches_only_what_is_missing(tmp_path: Path) -> None:
    """A rerun with downloads fetches exactly the outputs not on disk as they were downloaded:
    never downloaded, deleted, or cut short. It never creates a job again, and never lists the folder."""
    mock = MockSume(speed=1000)
    rows = [{"id": f"sku-{i}", "kind": "image", "params": {"prompt": f"mug {i}"}} for i in range(6)]
    state, media = tmp_path / "s.db", tmp_path / "media"
    route = "GET /media/jobs/{jobId}/{name}"
    async with serve(mock) as base_url, AsyncSume(DEFAULT_API_KEY, base_url=base_url) as sume:
        first = await _batch_run(sume, state, rows)  # no downloads asked
        assert all(o.ok and o.outputs[0].path is None for o in first)
        jobs = len(mock.jobs)

        fetched = await _batch_run(sume, state, rows, download_dir=media)  # now: every output, no job again
        assert len(mock.jobs) == jobs and mock.route_counts[route] == 6
        assert sorted(o.row_id for o in fetched) == [r["id"] for r in rows] and not any(o.from_journal for o in fetched)
        for outcome in fetched:
            (output,) = outcome.outputs
            assert output.path is not None and Path(output.path).stat().st_size == output.bytes

        again = await _batch_run(sume, state, rows, download_dir=media)  # all there: nothing fetched
        assert all(o.from_journal for o in again) and mock.route_counts[route] == 6

        by_id = {o.row_id: o.outputs[0] for o in fetched}
        Path(str(by_id["sku-1"].path)).unlink()  # deleted
        with open(str(by_id["sku-2"].path), "r+b") as handle:  # cut short
            handle.truncate(10)
        listed: list[str] = []
        scandir = os.scandir

        def counted(path: Any = ".") -> Any:
            listed.append(str(path))
            return scandir(path)

        with unittest.mock.patch.object(os, "scandir", counted):
            repaired = await _batch_run(sume, state, rows, download_dir=media)
        # Completeness came from the journal, one stat per output; the folder is listed once per
        # client, by the sweep of stale temporary files, never per output.
        assert listed.count(str(media)) <= 1
        assert sorted(o.row_id for o in repaired if not o.from_journal) == ["sku-1", "sku-2"]
        assert mock.route_counts[route] == 8 and len(mock.jobs) == jobs
        for outcome in repaired:
            (output,) = outcome.outputs
            assert output.path is not None
            assert sha256(Path(output.path)) == mock.media(outcome.job_ids[0])[0].sha256
    assert mock.credential_leaks == []
