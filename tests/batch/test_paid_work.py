"""Paid work is never lost nor paid twice: poll and create errors that are not a verdict leave the row resumable.

Each fault is injected between the SDK and the mock (``FaultyTransport``): a 200 HTML page or a
404 glitch answering a poll, a 408 answering a create the server did make. The row must not be
``failed`` for good; a rerun completes it from the same job, and ``retry_failed`` never pays for
a job that was created and may have completed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from batch_helpers import creates, faulty_client, image_rows, mock_client

from sume_async.batch import Batch, Journal, RowOutcome
from sume_async.testing import MockSume

pytestmark = pytest.mark.anyio

_JOB = re.compile(r"/jobs/[^/]+$")
HTML = httpx.Response(
    200, text="<!DOCTYPE html><html><body>maintenance</body></html>", headers={"content-type": "text/html"}
)


def _poll_fault(response: httpx.Response, times: int) -> Any:
    """The first ``times`` polls of every job are answered by ``response``."""

    def rule(request: httpx.Request, nth: int) -> Any:
        if request.method == "GET" and _JOB.search(request.url.path) and nth <= times:
            return response
        return None

    return rule


async def run(batch: Batch, rows: list[dict[str, Any]]) -> tuple[list[RowOutcome], Any]:
    outcomes = []
    async with batch.run(rows) as running:
        async for outcome in running:
            outcomes.append(outcome)
    return outcomes, running


async def _resumes_without_paying_twice(tmp_path: Path, rule: Any, rows: int = 4) -> None:
    mock = MockSume(speed=1000)
    state = tmp_path / "s.db"
    batch_rows = image_rows(rows)
    async with faulty_client(mock, rule) as sume:
        first, _ = await run(Batch(sume, name="b", state=state), batch_rows)
    assert not [o for o in first if not o.ok], [(o.row_id, o.error_code) for o in first if not o.ok]
    async with mock_client(mock) as sume:
        second, running = await run(Batch(sume, name="b", state=state), batch_rows)
    assert running.stopped is None
    assert sorted(o.row_id for o in second if o.ok) == sorted(r["id"] for r in batch_rows)
    assert len(mock.jobs) == rows  # one paid job per row, however many runs
    async with await Journal.open(state, name="b") as journal:
        assert (await journal.counts()) == {"completed": rows}


@pytest.mark.parametrize(
    "answer",
    [
        HTML,
        httpx.Response(404, json={"error": {"code": "not_found", "message": "No such job."}}),
        httpx.Response(408, json={"error": {"code": "request_timeout", "message": "Timed out."}}),
        httpx.Response(200, json={"unexpected": True}),
    ],
    ids=["html-200", "404-glitch", "408", "malformed-json"],
)
@pytest.mark.parametrize("times", [1, 50], ids=["once", "for-a-while"])
async def test_a_bad_poll_answer_never_fails_a_paid_row(tmp_path: Path, answer: httpx.Response, times: int) -> None:
    await _resumes_without_paying_twice(tmp_path, _poll_fault(answer, times))


@pytest.mark.parametrize("status", [408, 500, 502, 504])
@pytest.mark.parametrize("times", [1, 50], ids=["once", "for-a-while"])
async def test_an_error_after_the_server_created_the_job_never_fails_the_row(
    tmp_path: Path, status: int, times: int
) -> None:
    def rule(request: httpx.Request, nth: int) -> Any:
        if request.method == "POST" and request.url.path.endswith("/images/generations") and nth <= times:
            return ("after", httpx.Response(status, json={"error": {"code": "request_timeout", "message": "x"}}))
        return None

    await _resumes_without_paying_twice(tmp_path, rule)


async def test_a_bad_result_answer_never_fails_a_paid_row(tmp_path: Path) -> None:
    def rule(request: httpx.Request, nth: int) -> Any:
        if request.method == "GET" and request.url.path.endswith("/result") and nth <= 50:
            return HTML
        return None

    await _resumes_without_paying_twice(tmp_path, rule)


async def test_retry_failed_never_pays_for_a_job_that_may_have_completed(tmp_path: Path) -> None:
    """A row an older version marked failed on a poll glitch: retry-failed waits for its job, and pays nothing."""
    mock = MockSume(speed=1000)
    state = tmp_path / "s.db"
    rows = image_rows(3)
    async with mock_client(mock) as sume:
        await run(Batch(sume, name="b", state=state), rows)
    async with await Journal.open(state, name="b") as journal:
        row = await journal.get("sku-1")
        assert row is not None and row.status == "completed"
        await journal.finished(
            "sku-1", status="failed", job_ids=row.job_ids, error_code="APIResponseValidationError", error_message="x"
        )
    before = creates(mock)
    async with mock_client(mock) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=state, retry_failed=True), rows)
    assert creates(mock) == before and len(mock.jobs) == 3
    assert all(o.ok for o in outcomes) and running.stopped is None


async def test_retry_failed_pays_again_only_for_a_job_that_failed(tmp_path: Path) -> None:
    mock = MockSume(speed=1000, failure_rate=0.5, seed=3)
    state = tmp_path / "s.db"
    rows = image_rows(8)
    async with mock_client(mock) as sume:
        first, _ = await run(Batch(sume, name="b", state=state), rows)
    failed = sum(o.status == "failed" for o in first)
    assert 0 < failed < len(rows)
    async with mock_client(mock) as sume:
        second, _ = await run(Batch(sume, name="b", state=state, retry_failed=True), rows)
    assert len(second) == len(rows)
    assert len(mock.jobs) == len(rows) + failed  # one new attempt for each row whose job failed, none for the others


async def test_a_face_swap_source_the_api_rejects_fails_its_rows_only(tmp_path: Path) -> None:
    """422 for one source file: the rows using it fail (uploaded once), every other row goes on; a rerun agrees."""
    (tmp_path / "good.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"g" * 2000)
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"b" * 3000)
    rejected: list[int] = []

    def rule(request: httpx.Request, nth: int) -> Any:
        if request.method == "POST" and request.url.path.endswith("/uploads/presign") and b"bad.mp4" in request.content:
            rejected.append(nth)
            return httpx.Response(422, json={"error": {"code": "invalid_source", "message": "Not a usable video."}})
        return None

    rows = [
        {"id": f"swap-{i}", "kind": "face_swap", "params": {"source": name, "avatar_ids": ["avatar_maya"]}}
        for i, name in enumerate(["bad.mp4", "good.mp4", "bad.mp4", "good.mp4"])
    ] + image_rows(2)
    mock = MockSume(speed=1000)
    async with faulty_client(mock, rule) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", base_dir=tmp_path), rows)
    status = {o.row_id: (o.status, o.error_code) for o in outcomes}
    assert running.stopped is None
    assert status["swap-0"] == status["swap-2"] == ("failed", "invalid_source")
    assert all(status[r][0] == "completed" for r in ("swap-1", "swap-3", "sku-0", "sku-1"))
    assert len(rejected) == 1  # the refused file is not uploaded again for its other rows
