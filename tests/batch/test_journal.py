"""The journal: group commits, cancellation at any await, close flushing what is queued."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import anyio
import pytest

from sume_async.batch import Journal, JournalRow

pytestmark = pytest.mark.anyio


def pending(row_id: str, position: int) -> JournalRow:
    return JournalRow(row_id, position, "image", "fp", 0, f"key-{row_id}", "pending", (), (), None, None)


async def test_concurrent_writes_are_grouped_and_all_committed(tmp_path: Path) -> None:
    async with await Journal.open(tmp_path / "s.db", name="b") as journal:
        await journal.plan([pending(f"r{i}", i) for i in range(200)])
        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(journal.created, f"r{i}", [f"job_{i}"])
        rows = await journal.rows()
        assert all(rows[f"r{i}"].job_ids == (f"job_{i}",) and rows[f"r{i}"].status == "created" for i in range(200))
        assert journal.commits < 200  # writes that arrived together shared a commit


@pytest.mark.parametrize("seed", range(6))
async def test_a_cancel_at_any_moment_loses_no_acknowledged_write(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    journal = await Journal.open(tmp_path / "s.db", name="b")
    await journal.plan([pending(f"r{i}", i) for i in range(100)])

    async def write(i: int) -> None:
        await anyio.sleep(rng.uniform(0, 0.02))
        await journal.created(f"r{i}", [f"job_{i}"])
        acknowledged.add(f"r{i}")

    with anyio.move_on_after(rng.uniform(0.001, 0.03)):
        async with anyio.create_task_group() as tg:
            for i in range(100):
                tg.start_soon(write, i)
    await journal.close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    created = {row for (row,) in db.execute("SELECT row_id FROM rows WHERE status = 'created'")}
    db.close()
    assert acknowledged <= created  # a write whose await returned is on disk


async def test_a_closed_journal_refuses_writes(tmp_path: Path) -> None:
    journal = await Journal.open(tmp_path / "s.db", name="b")
    await journal.close()
    await journal.close()  # idempotent
    with pytest.raises(RuntimeError):
        await journal.created("r", ["job"])


async def test_a_failing_state_file_raises_a_sume_error(tmp_path: Path) -> None:
    from sume_async import SumeError
    from sume_async.batch import JournalError

    journal = await Journal.open(tmp_path / "s.db", name="b")
    await journal.plan([pending("r0", 0)])
    lock = sqlite3.connect(tmp_path / "s.db", timeout=0)
    lock.execute("BEGIN EXCLUSIVE")  # another writer holds the file
    try:
        journal._db.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(JournalError) as caught:
            await journal.created("r0", ["job_1"])
        assert isinstance(caught.value, SumeError)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    await journal.close()


# -- reading rows back at journal speed, by the one rule ---------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sume_async.batch._journal import _job_ids, _json_list  # noqa: E402


@given(st.lists(st.text(max_size=12), max_size=4))
@settings(max_examples=300, deadline=None)
def test_job_ids_written_by_the_journal_read_back_as_they_were(ids: list[str]) -> None:
    import json

    assert _job_ids(json.dumps(ids)) == tuple(ids)
    assert _job_ids(json.dumps(ids, ensure_ascii=False)) == tuple(ids)


_JSONISH = st.text(alphabet='[]", \\abu0\n\x01{}:1', max_size=24)


@given(st.one_of(_JSONISH, _JSONISH.map(lambda t: '["' + t + '"]')))
@settings(max_examples=1000, deadline=None)
def test_the_fast_job_ids_path_says_what_the_json_decoder_says(text: str) -> None:
    """The split fast path never accepts text the decoder refuses, nor reads it otherwise."""
    assert _job_ids(text) == _json_list(text, str)


async def test_a_damaged_row_of_any_kind_is_read_as_damaged_never_raising(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    async with await Journal.open(state, name="b") as journal:
        await journal.plan([pending(f"r{i}", i) for i in range(9)])
    damage = {
        "r0": "job_ids = CAST(x'5b22ff225d' AS TEXT)",  # not UTF-8
        "r1": "job_ids = '[\"job_'",  # cut short
        "r2": "job_ids = '[1, 2]'",  # not strings
        "r3": "outputs = '[1]'",  # not objects
        "r4": "outputs = ' []'",  # not as the journal writes it
        "r5": "attempt = 'one'",
        "r6": "status = x'00ff'",  # a blob
        "r7": "error_message = CAST(x'c3' AS TEXT)",  # not UTF-8
        "r8": "job_ids = replace(hex(zeroblob(5000)), '00', '[') || replace(hex(zeroblob(5000)), '00', ']')",  # deep
    }
    db = sqlite3.connect(state)
    for row_id, change in damage.items():
        db.execute(f"UPDATE rows SET {change} WHERE row_id = ?", (row_id,))
    db.commit()
    db.close()
    async with await Journal.open(state, name="b") as journal:
        read = [row async for row in journal.iter_rows()]
        looked_up = await journal.lookup([f"r{i}" for i in range(9)])
    assert [row.row_id for row in read if row.damaged] == sorted(damage)
    assert sorted(row_id for row_id, row in looked_up.items() if row.damaged) == sorted(damage)
