"""``sume-async batch`` with files a user or another process owns: refused before anything is paid, never exit 70.

Each CLI run is a real child process against a loopback mock (see ``test_batch_cli.py``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from test_batch_cli import run, server, write_manifest

from sume_async.testing import LoopbackServer

__all__ = ["server"]  # the fixture, imported for its name


def creates(server: LoopbackServer) -> int:
    return sum(n for route, n in server.mock.route_counts.items() if route.startswith("POST /images"))


@pytest.mark.parametrize("option", ["--out", "--download"])
def test_an_output_that_cannot_be_written_is_refused_before_anything_is_paid(
    server: LoopbackServer, tmp_path: Path, option: str
) -> None:
    manifest = write_manifest(tmp_path, 3)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run(server, "run", str(manifest), option, str(blocker / "under" / "it"), "--json")
    assert done.returncode == 2, done.stderr
    assert option in json.loads(done.stderr.strip().splitlines()[-1])["message"]
    assert creates(server) == 0 and not server.mock.jobs


def test_export_never_follows_a_planted_symlink_and_writes_private_files(
    server: LoopbackServer, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, 3)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "results.jsonl"
    (tmp_path / f".{out.name}.tmp").symlink_to(victim)  # the old fixed temporary name
    os.umask(0o022)
    done = run(server, "run", str(manifest), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious"
    out.unlink()
    out.symlink_to(victim)  # planted at the destination itself: replaced, not followed
    done = run(server, "export", str(manifest), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious" and not out.is_symlink()
    assert len(out.read_text().splitlines()) == 3
    for path in (out, tmp_path / "rows.jsonl.state"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_foreign_sqlite_state_is_refused_unchanged(server: LoopbackServer, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, 2)
    other = tmp_path / "app.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()
    before = other.read_bytes()
    for args in (("run", str(manifest), "--state", str(other)), ("export", "--state", str(other))):
        done = run(server, *args)
        assert done.returncode == 2, done.stderr
    assert other.read_bytes() == before and not server.mock.jobs


def test_a_damaged_journal_row_neither_crashes_export_nor_run(server: LoopbackServer, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, 3)
    assert run(server, "run", str(manifest)).returncode == 0
    db = sqlite3.connect(tmp_path / "rows.jsonl.state")
    db.execute("UPDATE rows SET outputs = CAST(x'5bff' AS TEXT) WHERE row_id = 'sku-1'")
    db.commit()
    db.close()
    done = run(server, "export", str(manifest))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["completed", "damaged", "completed"]
    assert "damaged" in done.stderr
    done = run(server, "run", str(manifest))
    assert done.returncode == 0, done.stderr
    assert len(server.mock.jobs) == 3  # re-planned with its key: the job it made was found, not paid again


def test_hostile_manifests_exit_2_naming_the_line(server: LoopbackServer, tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "kind": "image", "params": {"prompt": "x"}})
    nested = tmp_path / "nested.jsonl"
    nested.write_text(
        good + "\n" + '{"id": "b", "kind": "image", "params": {"p": ' + "[" * 100_000 + "]" * 100_000 + "}}\n"
    )
    surrogate = tmp_path / "ids.jsonl"
    surrogate.write_text(good + "\n" + '{"id": "\\udc80x", "kind": "image", "params": {"prompt": "x"}}\n')
    cell = tmp_path / "cells.csv"
    cell.write_text("id,prompt\na,x\nb," + "y" * (128 * 1024 + 10) + "\n")
    for path, line, extra in ((nested, 2, ()), (surrogate, 2, ()), (cell, 3, ("--kind", "image"))):
        for dry in ((), ("--dry-run",)):
            done = run(server, "run", str(path), *extra, *dry, "--json")
            assert done.returncode == 2, (path.name, done.stderr)
            assert f"{path.name} line {line}" in done.stderr
    assert not server.mock.jobs


@pytest.mark.anyio
async def test_export_on_a_full_disk_is_a_named_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from sume_async.batch import Journal
    from sume_async.cli import _batch as cli_batch
    from sume_async.cli._exit import CliError, ExitCode

    async with await Journal.open(tmp_path / "s.db", name="b"):
        pass

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli_batch.os, "fdopen", full)
    with pytest.raises(CliError) as caught:
        await cli_batch._export(tmp_path / "s.db", "b", tmp_path / "out.jsonl")
    assert caught.value.exit_code == ExitCode.UNAVAILABLE and "No space" in caught.value.message
    assert sorted(p.name for p in tmp_path.iterdir() if ".tmp" in p.name or p.name == "out.jsonl") == []
