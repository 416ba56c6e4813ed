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
