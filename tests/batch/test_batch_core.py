"""sume_async.batch: keys, journal, resume, changed params, pacing, stops, cancellation."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest
from batch_helpers import creates, image_rows, mock_client

from sume_async import InvalidInputError
from sume_async.batch import Batch, Journal, ParamsChangedError, Row, RowOutcome, fingerprint, idempotency_key
from sume_async.testing import Faults, MockSume

pytestmark = pytest.mark.anyio


async def run(batch: Batch, rows: list[dict[str, Any]]) -> tuple[list[RowOutcome], Any]:
    outcomes = []
    async with batch.run(rows) as running:
        async for outcome in running:
            outcomes.append(outcome)
    return outcomes, running


def test_keys_are_deterministic_and_depend_on_every_input() -> None:
    row = Row("sku-1", "image", {"prompt": "a", "aspect_ratio": "1:1"})
    same = Row("sku-1", "image", {"aspect_ratio": "1:1", "prompt": "a"})  # key order does not matter
    fp = fingerprint(row)
    assert fp == fingerprint(same)
    key = idempotency_key("b", "sku-1", fp, 0)
    assert key == idempotency_key("b", "sku-1", fingerprint(same), 0)
    assert len(key) <= 255 and key.isascii() and " " not in key
    others = {
        idempotency_key("c", "sku-1", fp, 0),
        idempotency_key("b", "sku-2", fp, 0),
        idempotency_key("b", "sku-1", fingerprint(Row("sku-1", "image", {"prompt": "b"})), 0),
        idempotency_key("b", "sku-1", fp, 1),
    }
    assert key not in others and len(others) == 4


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"id": "", "kind": "image", "params": {}}, "rows[0].id"),
        ({"id": "a", "kind": "gif", "params": {}}, "rows[0].kind"),
        ({"id": "a", "kind": "image", "params": []}, "rows[0].params"),
        ({"id": "a", "kind": "image", "params": {}, "extra": 1}, "rows[0].extra"),
        ({"id": "a", "kind": "face_swap", "params": {"avatar_ids": ["x"]}}, "rows[0].params"),
        ("not a row", "rows[0]"),
    ],
)
async def test_bad_rows_are_refused_before_anything_is_sent(tmp_path: Path, row: Any, field: str) -> None:
    mock = MockSume(speed=1000)
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError) as caught:
            await run(Batch(sume, name="b", state=tmp_path / "s.db"), [row])
    assert caught.value.field == field
    assert not mock.requests


async def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError, match="duplicate row id 'sku-0'"):
            await run(Batch(sume, name="b", state=tmp_path / "s.db"), image_rows(2) + image_rows(1))
    assert not mock.requests


async def test_rerun_skips_finished_rows_and_sends_no_create(tmp_path: Path) -> None:
    mock = MockSume(speed=1000, failure_rate=0.3, seed=4)
    rows = image_rows(20)
    async with mock_client(mock) as sume:
        first, running = await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
        assert sorted(o.row_id for o in first) == sorted(r["id"] for r in rows)
        assert running.stopped is None
        failed = [o for o in first if not o.ok]
        assert failed and all(o.error_code == "generation_failed" for o in failed)
        assert all(len(o.outputs) == 1 for o in first if o.ok)
        before = mock.requests
        second, running = await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
    assert [o.from_journal for o in second] == [True] * 20
    assert {o.row_id: o.status for o in second} == {o.row_id: o.status for o in first}
    assert creates(mock) == 20 and len(mock.jobs) == 20
    assert [r.route for r in mock.requests[len(before) :]] == []  # nothing left to do: not even /credits
    # Every job carries the key derived from the batch name, row id and params.
    keys = {job.idempotency_key for job in mock.jobs.values()}
    assert len(keys) == 20 and all(k and k.startswith("sume-batch-") for k in keys)


async def test_rows_with_journaled_jobs_are_waited_by_id(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    rows = image_rows(5)
    async with mock_client(mock) as sume:
        journal = await Journal.open(tmp_path / "s.db", name="b")
        async with journal:
            from sume_async.batch import plan_rows

            plan = await plan_rows(journal, rows)
            for item in plan.items[:3]:  # created by "an earlier run" that died before finishing
                job = await sume.images.generate(**item.row.params, idempotency_key=item.idempotency_key)
                await journal.created(item.row.id, [job.id])
        mock.reset_logs()
        outcomes, _ = await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
    assert sorted(o.row_id for o in outcomes if o.ok) == [r["id"] for r in rows]
    assert creates(mock) == 2 and len(mock.jobs) == 5


async def test_a_create_lost_before_journaling_is_recovered_by_its_key(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    rows = image_rows(3)
    async with mock_client(mock) as sume:
        async with await Journal.open(tmp_path / "s.db", name="b") as journal:
            from sume_async.batch import plan_rows

            plan = await plan_rows(journal, rows)
            # The create went out, the process died before the job id was journaled.
            await sume.images.generate(**plan.items[0].row.params, idempotency_key=plan.items[0].idempotency_key)
        outcomes, _ = await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
    assert len(mock.jobs) == 3 and all(o.ok for o in outcomes)
    assert mock.balance() == 10_000 - 3 * 4


async def test_changed_params_are_refused_unless_opted_in(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    rows = image_rows(3)
    async with mock_client(mock) as sume:
        await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
        changed = [dict(r) for r in rows]
        changed[1] = {**rows[1], "params": {"prompt": "something else"}}
        mock.reset_logs()
        with pytest.raises(ParamsChangedError, match="sku-1") as caught:
            await run(Batch(sume, name="b", state=tmp_path / "s.db"), changed)
        assert caught.value.row_ids == ("sku-1",)
        assert not mock.requests
        outcomes, _ = await run(Batch(sume, name="b", state=tmp_path / "s.db", recreate_changed=True), changed)
    assert {o.row_id: o.from_journal for o in outcomes} == {"sku-0": True, "sku-1": False, "sku-2": True}
    assert len(mock.jobs) == 4


async def test_a_state_file_of_another_batch_is_refused(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    async with mock_client(mock) as sume:
        await run(Batch(sume, name="one", state=tmp_path / "s.db"), image_rows(1))
        with pytest.raises(InvalidInputError, match="belongs to the batch 'one'"):
            await run(Batch(sume, name="two", state=tmp_path / "s.db"), image_rows(1))
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError, match="state"):
            await run(Batch(sume, name="one", state=tmp_path / "junk.db"), image_rows(1))


async def test_402_stops_creating_waits_for_the_created_and_resumes_without_duplicates(tmp_path: Path) -> None:
    mock = MockSume(speed=1000, credits=4 * 7)  # room for 7 image jobs
    rows = image_rows(12)
    async with mock_client(mock) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=3), rows)
        assert running.stopped is not None and running.stopped.reason == "insufficient_credits"
        assert len(outcomes) == 7 and all(o.ok for o in outcomes)
        mock.set_credits(1_000)
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=3), rows)
    assert running.stopped is None and len(outcomes) == 12 and all(o.ok for o in outcomes)
    assert len(mock.jobs) == 12


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_stop_at_once(tmp_path: Path, status: int) -> None:
    if status == 401:
        mock = MockSume(speed=1000, api_keys=["sume_live_someone_else_0000"])
    else:
        mock = MockSume(speed=1000, forbidden_features=["image_generation"])
    async with mock_client(mock) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=2), image_rows(10))
    assert outcomes == [] and running.stopped is not None and running.stopped.reason == "unauthorized"
    assert creates(mock) <= 2


async def test_429_backs_off_and_every_row_is_created_once(tmp_path: Path) -> None:
    limited = Faults(seed=1, rate_429=0.5, retry_after_seconds=0)
    mock = MockSume(speed=1000, faults=Faults(routes={"POST /images/generations": limited}))
    async with mock_client(mock) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=2), image_rows(4))
    assert running.stopped is None and len(outcomes) == 4 and len(mock.jobs) == 4
    assert creates(mock) > 4  # some creates were answered 429 and sent again


async def test_max_in_flight_bounds_unfinished_jobs(tmp_path: Path) -> None:
    mock = MockSume(speed=100)
    peak = 0

    def seen(progress: Any) -> None:
        nonlocal peak
        peak = max(peak, progress.running)

    async with mock_client(mock) as sume:
        batch = Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=3, on_progress=seen)
        outcomes, running = await run(batch, image_rows(12))
    assert len(outcomes) == 12 and 1 <= peak <= 3
    assert running.progress.completed == 12 and running.progress.credits_charged == 48


async def test_default_max_in_flight_comes_from_credits(tmp_path: Path) -> None:
    mock = MockSume(speed=100, max_concurrent_generations=2)
    peak = 0

    def seen(progress: Any) -> None:
        nonlocal peak
        peak = max(peak, progress.running)

    async with mock_client(mock) as sume:
        await run(Batch(sume, name="b", state=tmp_path / "s.db", on_progress=seen), image_rows(8))
    assert peak == 2


async def test_cancellation_leaves_the_journal_consistent(tmp_path: Path) -> None:
    mock = MockSume(speed=5)  # slow jobs: the cancel lands while waiting
    rows = image_rows(8)
    async with mock_client(mock) as sume:
        with anyio.fail_after(60), anyio.CancelScope() as scope:

            def seen(progress: Any) -> None:
                # Cancelled once four jobs are created and being waited for: a fixed delay could
                # land before the journal was even planned on a busy machine.
                if progress.created >= 4:
                    scope.cancel()

            await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=4, on_progress=seen), rows)
        assert scope.cancelled_caught
        db = sqlite3.connect(tmp_path / "s.db")
        journaled = {r[0]: (r[1], r[2]) for r in db.execute("SELECT row_id, status, job_ids FROM rows")}
        db.close()
        assert len(journaled) == 8
        created_ids = {job_id for status, ids in journaled.values() for job_id in eval(ids)}
        assert created_ids <= set(mock.jobs)
        mock.complete_all()
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=4), rows)
    assert running.stopped is None and sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in rows)
    assert len(mock.jobs) == 8


async def test_a_failed_download_keeps_the_row_for_a_rerun_without_paying_again(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)  # in-process: media URLs are on http://testserver, which downloads refuse
    rows = image_rows(2)
    async with mock_client(mock) as sume:
        batch = Batch(sume, name="b", state=tmp_path / "s.db", download_dir=tmp_path / "media")
        outcomes, running = await run(batch, rows)
        assert outcomes == [] and running.stopped is not None and running.stopped.reason == "download_failed"
        assert "testserver" not in running.stopped.message
        outcomes, running = await run(Batch(sume, name="b", state=tmp_path / "s.db"), rows)
    assert running.stopped is None and all(o.ok for o in outcomes) and len(mock.jobs) == 2
    assert creates(mock) == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"max_in_flight": 0}, "max_in_flight"),
        ({"max_in_flight": True}, "max_in_flight"),
        ({"download_concurrency": 0}, "download_concurrency"),
        ({"wait_timeout": -1}, "wait_timeout"),
    ],
)
async def test_bad_batch_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any], field: str) -> None:
    mock = MockSume(speed=1000)
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError) as caught:
            Batch(sume, **{"name": "b", "state": tmp_path / "s.db", **kwargs})
    assert caught.value.field == field and not mock.requests


async def test_the_journal_never_holds_the_api_key(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    async with mock_client(mock) as sume:
        await run(Batch(sume, name="b", state=tmp_path / "s.db"), image_rows(3))
    for path in tmp_path.iterdir():
        assert b"sume_live_" not in path.read_bytes()
