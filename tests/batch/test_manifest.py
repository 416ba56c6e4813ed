"""Manifests (JSONL and CSV), shards, and ``retry-failed`` / ``export`` through the Python API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from batch_helpers import creates, image_rows, mock_client

from sume_async import InvalidInputError
from sume_async.batch import Batch, check_rows, in_shard, load_manifest
from sume_async.testing import MockSume

pytestmark = pytest.mark.anyio


def test_csv_rows_are_typed_from_the_create_method(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text(
        "id,prompt,image_count,reference_image_urls\n"
        "a,A red mug,2,https://x.test/1.png|https://x.test/2.png\n"
        'b,"A blue mug, on a table",,\n'
    )
    rows = load_manifest(manifest, kind="image")
    assert [r.id for r in rows] == ["a", "b"] and rows.where == ["rows.csv line 2", "rows.csv line 3"]
    assert rows[0].params == {
        "prompt": "A red mug",
        "image_count": 2,
        "reference_image_urls": ["https://x.test/1.png", "https://x.test/2.png"],
    }
    assert rows[1].params == {"prompt": "A blue mug, on a table"}


@pytest.mark.parametrize(
    ("text", "kind", "field"),
    [
        ("id,prompt\na,x\n", None, "kind"),
        ("id,colour\na,red\n", "image", "rows.csv line 1.colour"),
        ("prompt\nx\n", "image", "rows.csv line 1"),
        ("id,prompt,image_count\na,x,two\n", "image", "rows.csv line 2.params.image_count"),
        ("id,prompt\na,x\na,y\n", "image", "rows.csv line 3.id"),
        ("id,prompt\na,x\n", "gif", "kind"),
    ],
)
def test_bad_csv_manifests_name_the_line_and_field(tmp_path: Path, text: str, kind: str | None, field: str) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text(text)
    with pytest.raises(InvalidInputError) as caught:
        load_manifest(manifest, kind=kind)
    assert caught.value.field == field


def test_shards_split_rows_stably_and_completely() -> None:
    ids = [f"sku-{i}" for i in range(500)]
    shards = [[i for i in ids if in_shard(i, (k, 4))] for k in range(4)]
    assert sorted(i for shard in shards for i in shard) == sorted(ids)
    assert all(60 < len(s) < 190 for s in shards)
    assert shards == [[i for i in ids if in_shard(i, (k, 4))] for k in range(4)]  # same on every call


async def test_check_rows_uses_the_sdks_validation_and_sends_nothing(tmp_path: Path) -> None:
    rows = load_manifest(_jsonl(tmp_path, [{"id": "a", "kind": "video", "params": {"prompt": "x", "duration": 99}}]))
    with pytest.raises(InvalidInputError) as caught:
        await check_rows(rows, where=rows.where)
    assert caught.value.field == "rows.jsonl line 1.params.duration"
    rows = load_manifest(_jsonl(tmp_path, [{"id": "a", "kind": "ads_video", "params": {"script": "x"}}]))
    with pytest.raises(InvalidInputError, match="avatar_id"):
        await check_rows(rows)
    good = load_manifest(_jsonl(tmp_path, image_rows(3)))
    assert dict(await check_rows(good)) == {"image": 3}


def _jsonl(folder: Path, rows: list[dict[str, Any]]) -> Path:
    import json

    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


async def test_retry_failed_recreates_only_failed_rows_with_a_new_key(tmp_path: Path) -> None:
    mock = MockSume(speed=1000, failure_rate=0.4, seed=2)
    rows = image_rows(10)
    async with mock_client(mock) as sume:
        async with Batch(sume, name="b", state=tmp_path / "s.db").run(rows) as first:
            failed = [o.row_id async for o in first if not o.ok]
        assert failed
        keys_before = {job.idempotency_key for job in mock.jobs.values()}
        mock.reset_logs()
        async with Batch(sume, name="b", state=tmp_path / "s.db", retry_failed=True).run(rows) as second:
            outcomes = [o async for o in second]
    fresh = [o for o in outcomes if not o.from_journal]
    assert sorted(o.row_id for o in fresh) == sorted(failed)
    assert creates(mock) == len(failed) and len(mock.jobs) == 10 + len(failed)
    new_keys = {job.idempotency_key for job in mock.jobs.values()} - keys_before
    assert len(new_keys) == len(failed)


@pytest.mark.parametrize("shard", [(1, 0), (0, 0), (3, 2), (-1, 4), (0, True), ("0", 4), (0,), [0, 4]])
def test_a_manifest_file_refuses_a_shard_it_cannot_mean(tmp_path: Path, shard: Any) -> None:
    from sume_async.batch import ManifestFile

    with pytest.raises(InvalidInputError, match="shard"):
        ManifestFile(tmp_path / "m.jsonl", shard=shard)
