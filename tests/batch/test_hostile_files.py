"""Files a user or another process owns, and files that went bad: refused or reported, never crashing.

A full disk under the state file ends as one typed ``JournalError`` (no nested group); a row
damaged on disk is reported and re-planned (its key finds the job it made, nothing is paid
twice); an SQLite file that is not a journal is refused before a byte of it changes; state
and results files are created readable by their owner only; ``export`` never follows a
planted symlink; manifests that are hostile (nested 100k deep, a 128 KiB CSV cell, a lone
surrogate in an id, a line far over the cap, a byte-order mark) are refused naming the line,
or accepted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import image_rows, mock_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sume_async import InvalidInputError
from sume_async.batch import Batch, Journal, JournalError, RowOutcome, check_rows, load_manifest
from sume_async.batch._manifest import MAX_LINE, iter_manifest
from sume_async.testing import MockSume

pytestmark = pytest.mark.anyio


async def run(batch: Batch, rows: list[dict[str, Any]]) -> tuple[list[RowOutcome], Any]:
    outcomes = []
    async with batch.run(rows) as running:
        async for outcome in running:
            outcomes.append(outcome)
    return outcomes, running


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


# -- the state file ---------------------------------------------------------------------------


async def test_a_full_disk_under_the_state_file_is_one_typed_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's own SQLITE_FULL (``max_page_count`` reached once the plan is written)."""
    original = Journal.plan

    async def plan_then_fill(self: Journal, rows: Any) -> None:
        await original(self, rows)
        await self._run(
            lambda db: db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        )

    monkeypatch.setattr(Journal, "plan", plan_then_fill)
    mock = MockSume(speed=1000)
    rows = [{"id": f"row-{i}", "kind": "image", "params": {"prompt": "p" * 200 + str(i)}} for i in range(60)]
    async with mock_client(mock) as sume:
        with pytest.raises(JournalError) as caught:
            await run(Batch(sume, name="b", state=tmp_path / "s.db", max_in_flight=20), rows)
    assert not isinstance(caught.value, BaseExceptionGroup)
    assert "full" in str(caught.value)


async def test_an_sqlite_file_of_another_program_is_refused_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('ada')")
    db.commit()
    db.close()
    before = other.read_bytes()
    with pytest.raises(InvalidInputError) as caught:
        await Journal.open(other, name="b")
    assert caught.value.field == "state"
    with pytest.raises(InvalidInputError):
        await Journal.read_name(other)
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists()


async def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n" * 100)
    with pytest.raises(InvalidInputError):
        await Journal.open(text, name="b")
    assert text.read_text() == "my notes\n" * 100


async def test_state_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        mock = MockSume(speed=1000)
        async with mock_client(mock) as sume:
            await run(Batch(sume, name="b", state=tmp_path / "s.db"), image_rows(3))
    finally:
        os.umask(old)
    for path in tmp_path.iterdir():
        assert private(path), path


async def test_a_damaged_journal_row_is_reported_and_replanned_without_paying_twice(tmp_path: Path) -> None:
    mock = MockSume(speed=1000)
    state = tmp_path / "s.db"
    rows = image_rows(5)
    async with mock_client(mock) as sume:
        await run(Batch(sume, name="b", state=state), rows)
    db = sqlite3.connect(state)
    db.execute("UPDATE rows SET outputs = CAST(x'5b7b22ff' AS TEXT) WHERE row_id = 'sku-1'")  # not UTF-8
    db.execute("UPDATE rows SET job_ids = '[\"job_' WHERE row_id = 'sku-2'")  # JSON cut short
    db.commit()
    db.close()
    async with await Journal.open(state, name="b") as journal:
        damaged = [row.row_id async for row in journal.iter_rows() if row.damaged]
    assert sorted(damaged) == ["sku-1", "sku-2"]
    async with mock_client(mock) as sume:
        outcomes, running = await run(Batch(sume, name="b", state=state), rows)
    assert running.stopped is None and sorted(o.row_id for o in outcomes if o.ok) == [r["id"] for r in rows]
    assert len(mock.jobs) == 5  # the keys found the jobs the damaged rows had made


# -- manifests --------------------------------------------------------------------------------


def _refused(path: Path, **kwargs: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        load_manifest(path, **kwargs)
    return caught.value


def test_hostile_manifests_are_refused_naming_the_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "kind": "image", "params": {"prompt": "x"}})
    nested = tmp_path / "nested.jsonl"
    nested.write_text(
        good + "\n" + '{"id": "b", "kind": "image", "params": {"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}}\n"
    )
    assert _refused(nested).field == "nested.jsonl line 2"
    surrogate = tmp_path / "surrogate.jsonl"
    surrogate.write_text(good + "\n" + '{"id": "\\ud800", "kind": "image", "params": {"prompt": "x"}}\n')
    assert _refused(surrogate).field == "surrogate.jsonl line 2.id"
    in_params = tmp_path / "params.jsonl"
    in_params.write_text(good + "\n" + '{"id": "b", "kind": "image", "params": {"prompt": "\\udfff"}}\n')
    assert _refused(in_params).field == "params.jsonl line 2.params"
    cell = tmp_path / "cell.csv"
    cell.write_text("id,prompt\na,fine\nb," + "x" * (128 * 1024 + 1) + "\n")
    assert _refused(cell, kind="image").field == "cell.csv line 3"
    nan = tmp_path / "nan.jsonl"
    nan.write_text('{"id": "a", "kind": "image", "params": {"prompt": NaN}}\n')
    assert _refused(nan).field == "nan.jsonl line 1.params"


def test_the_line_cap_is_checked_while_reading(tmp_path: Path) -> None:
    """A line far over the cap is refused once the cap is read, never held whole."""
    long = tmp_path / "long.jsonl"
    with long.open("w") as handle:
        handle.write(json.dumps({"id": "a", "kind": "image", "params": {"prompt": "x"}}) + "\n")
        handle.write('{"id": "b", "kind": "image", "params": {"prompt": "')
        for _ in range(32):
            handle.write("x" * (1024 * 1024))
        handle.write('"}}\n')
    tracemalloc.start()
    try:
        error = _refused(long)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.field == "long.jsonl line 2" and "too long" in error.problem
    assert peak < 4 * MAX_LINE * 4  # a few lines' worth (characters are up to 4 bytes), not 32 MiB


def test_an_excel_csv_with_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufeffid,prompt\nsku-1,A red bicycle\n".encode())
    rows = load_manifest(excel, kind="image")
    assert [(r.id, dict(r.params)) for r in rows] == [("sku-1", {"prompt": "A red bicycle"})]
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes(("\ufeff" + json.dumps({"id": "a", "kind": "image", "params": {"prompt": "x"}}) + "\n").encode())
    assert [r.id for r in load_manifest(jsonl)] == ["a"]


async def test_a_manifest_is_checked_as_a_stream(tmp_path: Path) -> None:
    """``check_rows`` takes a generator: nothing but ids is held."""
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in image_rows(50)))
    stream = (row for _, row in iter_manifest(manifest))
    counts = await check_rows(stream)
    assert counts == {"image": 50}


# -- any manifest: refused as InvalidInputError (exit 2) or accepted, never another exception -------------


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
_params = st.dictionaries(
    st.sampled_from(["prompt", "image_count", "duration", "source", "media_url", "avatar_ids", "url", "x", "script"]),
    _json,
    max_size=4,
)
_row = (
    st.fixed_dictionaries(
        {
            "id": st.one_of(st.text(max_size=12), st.integers(), st.none()),
            "kind": st.sampled_from(["image", "video", "ads_video", "face_swap", "reference_analysis", "gif", ""]),
            "params": _params,
        }
    )
    | _json
)
_lines = st.lists(
    st.one_of(_row.map(lambda v: json.dumps(v)), st.text(max_size=40), st.just('{"id": "\\ud800"}')), max_size=6
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=_lines, csv_mode=st.booleans())
def test_any_manifest_is_refused_naming_where_or_accepted(
    tmp_path_factory: Any, lines: list[str], csv_mode: bool
) -> None:
    import anyio

    folder = tmp_path_factory.mktemp("m")
    path = folder / ("m.csv" if csv_mode else "m.jsonl")
    path.write_text(
        ("id,prompt\n" if csv_mode else "") + "\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass"
    )
    try:
        rows = load_manifest(path, kind="image" if csv_mode else None)
        anyio.run(lambda: check_rows(rows, base_dir=folder))
    except InvalidInputError as exc:
        assert exc.field and exc.problem
