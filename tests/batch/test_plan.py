"""The dry run and a real run's plan are one path: they refuse exactly the same rows, nothing sent.

A manifest mixes every kind with every kind of bad row. Again and again: the dry run names the
first bad row, a real run on the same manifest must name the same row and field with nothing
sent; that row is removed and the loop goes on, until both accept what is left (which the real
run then completes). Resuming a finished batch checks no row at all (only unfinished rows are
planned), and plans with one indexed journal query per chunk of rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import image_rows, mock_client

from sume_async import InvalidInputError
from sume_async.batch import Batch, Journal, RowChecker, check_rows, parse_row, plan_rows
from sume_async.testing import MockSume

pytestmark = pytest.mark.anyio

URL = "https://cdn.example.com/a.mp4"
GOOD = [
    {"id": "img", "kind": "image", "params": {"prompt": "a mug", "image_count": 2, "aspect_ratio": "1:1"}},
    {"id": "vid", "kind": "video", "params": {"prompt": "a mug", "duration": 5}},
    {"id": "ads", "kind": "ads_video", "params": {"avatar_id": "avatar_maya", "script": "Buy the mug."}},
    {"id": "swap-url", "kind": "face_swap", "params": {"media_url": URL, "avatar_ids": ["avatar_maya"]}},
    {"id": "swap-file", "kind": "face_swap", "params": {"source": "clip.mp4", "avatar_ids": ["avatar_maya"]}},
    {"id": "ref", "kind": "reference_analysis", "params": {"url": "https://www.example.com/ad"}},
]
BAD = [
    {"id": "unknown-param", "kind": "image", "params": {"prompt": "x", "aspectRatio": "1:1"}},
    {"id": "missing", "kind": "video", "params": {"duration": 5}},
    {"id": "range", "kind": "image", "params": {"prompt": "x", "image_count": 99}},
    {"id": "type", "kind": "video", "params": {"prompt": "x", "duration": "five"}},
    {"id": "bool-for-int", "kind": "image", "params": {"prompt": "x", "image_count": True}},
    {"id": "ratio", "kind": "image", "params": {"prompt": "x", "aspect_ratio": "wide"}},
    {"id": "http-url", "kind": "reference_analysis", "params": {"url": "http://example.com/ad"}},
    {"id": "no-file", "kind": "face_swap", "params": {"source": "missing.mp4", "avatar_ids": ["avatar_maya"]}},
    {"id": "both", "kind": "face_swap", "params": {"source": "clip.mp4", "media_url": URL, "avatar_ids": ["a"]}},
    {"id": "empty-avatars", "kind": "face_swap", "params": {"media_url": URL, "avatar_ids": []}},
    {"id": "ads-unknown", "kind": "ads_video", "params": {"avatar_id": "avatar_maya", "script": "Hi.", "x": 1}},
    {"id": "", "kind": "image", "params": {"prompt": "x"}},
    {"id": "kind", "kind": "gif", "params": {}},
    {"id": "params", "kind": "image", "params": ["prompt"]},
    {"id": "empty-prompt", "kind": "image", "params": {"prompt": ""}},
]


def _good(copy: int) -> list[dict[str, Any]]:
    return [{**row, "id": f"{row['id']}-{copy}"} for row in GOOD]


async def _dry(rows: list[dict[str, Any]], base_dir: Path) -> str | None:
    try:
        await check_rows(rows, base_dir=base_dir)
    except InvalidInputError as exc:
        return exc.field
    return None


async def test_the_dry_run_and_a_real_run_refuse_exactly_the_same_rows(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"c" * 1000)
    good = _good(0) + _good(1) + _good(2)
    bad = [*BAD, {**good[0], "params": {"prompt": "a duplicate id"}}]
    rows = [row for pair in zip(bad, good, strict=False) for row in pair] + good[len(bad) :]
    mock = MockSume(speed=1000)
    refused: list[str] = []
    for attempt in range(len(rows) + 1):
        dry = await _dry(rows, tmp_path)
        state = tmp_path / f"s{attempt}.db"
        async with mock_client(mock) as sume:
            batch = Batch(sume, name="b", state=state, base_dir=tmp_path)
            if dry is None:
                async with batch.run(rows) as running:
                    outcomes = [o async for o in running]
                break
            with pytest.raises(InvalidInputError) as caught:
                async with batch.run(rows):
                    pass
        assert caught.value.field == dry  # the same row and the same field
        assert not mock.requests  # nothing sent
        async with await Journal.open(state, name="b") as journal:
            assert await journal.counts() == {}  # nothing journaled either
        index = int(dry.split("]")[0].removeprefix("rows["))
        refused.append(json.dumps(rows.pop(index), sort_keys=True))
    assert sorted(refused) == sorted(json.dumps(r, sort_keys=True) for r in bad)
    # Every row left was sent (the mock, as a server, may still refuse a URL it does not host).
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in good)
    assert all(o.ok or o.error_code == "validation_error" for o in outcomes)


async def test_a_finished_batch_resumes_without_checking_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mock = MockSume(speed=1000)
    rows = image_rows(30)
    state = tmp_path / "s.db"
    async with mock_client(mock) as sume, Batch(sume, name="b", state=state).run(rows) as running:
        assert len([o async for o in running]) == 30
    checked: list[str] = []
    queries: list[int] = []
    original_body, original_lookup = RowChecker.body, Journal.lookup

    def body(self: RowChecker, row: Any, label: str) -> dict[str, Any]:
        checked.append(row.id)
        return original_body(self, row, label)

    async def lookup(self: Journal, ids: Any) -> Any:
        queries.append(len(ids))
        return await original_lookup(self, ids)

    monkeypatch.setattr(RowChecker, "body", body)
    monkeypatch.setattr(Journal, "lookup", lookup)
    async with await Journal.open(state, name="b") as journal:
        plan = await plan_rows(journal, rows + image_rows(2, prefix="new"))
    assert plan.skipped == 30 and len(plan.items) == 2 and plan.total == 32
    assert checked == ["new-0", "new-1"]  # only the rows that will run are checked
    assert queries == [32]  # one lookup for the chunk


# -- a manifest file is streamed: new rows are journaled, not held, and read again to run -------


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


async def test_a_manifest_file_plans_its_new_rows_without_holding_them(tmp_path: Path) -> None:
    from sume_async.batch import ManifestFile, deferred_items

    manifest = _write(tmp_path / "m.jsonl", image_rows(2500))  # more than one chunk
    async with await Journal.open(tmp_path / "s.db", name="b") as journal:
        plan = await plan_rows(journal, ManifestFile(manifest), defer_new=True)
        assert plan.items == () and plan.deferred == 2500 and plan.planned == 2500
        assert (await journal.counts()) == {"pending": 2500}
        items = [item async for item in deferred_items(journal, ManifestFile(manifest), plan)]
        rows = await journal.rows()
    assert [item.row.id for item in items] == [row["id"] for row in image_rows(2500)]
    assert all(item.idempotency_key == rows[item.row.id].idempotency_key and not item.job_ids for item in items)


async def test_a_streamed_run_creates_each_row_once_after_the_rows_a_previous_run_left_waiting(tmp_path: Path) -> None:
    from sume_async.batch import ManifestFile

    mock = MockSume(speed=1000)
    state = tmp_path / "s.db"
    first, more = image_rows(30), image_rows(40, prefix="new")
    async with mock_client(mock) as sume:
        async with Batch(sume, name="b", state=state).run(first) as running:
            async for _ in running:
                break  # leave: the rest still run to the end
        manifest = _write(tmp_path / "m.jsonl", first + more)
        async with Batch(sume, name="b", state=state).run(ManifestFile(manifest)) as running:
            outcomes = [outcome async for outcome in running]
    assert sorted(o.row_id for o in outcomes) == sorted(r["id"] for r in first + more)
    assert sum(o.from_journal for o in outcomes) == 30 and all(o.ok for o in outcomes)
    assert len(mock.jobs) == 70  # one job per row: none created twice


async def test_a_streamed_plan_that_fails_takes_its_new_rows_out_of_the_journal(tmp_path: Path) -> None:
    """Nothing was sent for them: a rerun with edited parameters is not refused as a change."""
    from sume_async.batch import ManifestFile

    mock = MockSume(speed=1000)
    state = tmp_path / "s.db"
    rows = image_rows(2100)
    bad = {"id": "bad", "kind": "image", "params": {"prompt": "x", "image_count": 99}}
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError, match="image_count"):
            async with Batch(sume, name="b", state=state).run(ManifestFile(_write(tmp_path / "m.jsonl", [*rows, bad]))):
                pass
        assert not mock.requests
        async with await Journal.open(state, name="b") as journal:
            assert await journal.counts() == {}
        edited = [{**rows[0], "params": {"prompt": "edited"}}, *rows[1:10]]
        async with Batch(sume, name="b", state=state).run(ManifestFile(_write(tmp_path / "m.jsonl", edited))) as run:
            outcomes = [outcome async for outcome in run]
    assert len(outcomes) == 10 and all(o.ok for o in outcomes) and len(mock.jobs) == 10


async def test_a_manifest_edited_while_its_batch_runs_stops_before_sending_the_edited_rows(tmp_path: Path) -> None:
    from sume_async.batch import ManifestFile

    class Edited(ManifestFile):
        """Reads as the plan checked it the first time, edited the second."""

        passes = 0

        def __iter__(self) -> Any:
            self.passes += 1
            for row in super().__iter__():
                if self.passes > 1 and row.id == "sku-5":
                    yield parse_row({"id": row.id, "kind": row.kind, "params": {"prompt": "edited"}})
                else:
                    yield row

    mock = MockSume(speed=1000)
    manifest = _write(tmp_path / "m.jsonl", image_rows(10))
    async with mock_client(mock) as sume:
        with pytest.raises(InvalidInputError, match="changed while the batch ran"):
            async with Batch(sume, name="b", state=tmp_path / "s.db").run(Edited(manifest)) as running:
                async for _ in running:
                    pass
    prompts = [job.request.get("prompt") for job in mock.jobs.values()]
    assert "edited" not in prompts and len(mock.jobs) <= 5  # the rows before it may have run
