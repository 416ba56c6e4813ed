"""Every command as a subprocess against the loopback mock: --json parsed, exit codes, no secret printed."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Cli

from sume_async.cli._exit import ExitCode
from sume_async.cli._redact import REDACTED
from sume_async.testing import Faults


def api_requests(cli: Cli) -> int:
    return sum(1 for r in cli.mock.requests if r.route and not r.route.startswith("PUT"))


def test_images_jobs_and_idempotency(cli: Cli) -> None:
    before, balance = len(cli.mock.jobs), cli.mock.balance()
    created = cli("images", "generate", "--prompt", "a red bicycle", "--json", "--idempotency-key", "cli-test-1")
    assert created.returncode == 0, created.stderr
    job = created.json
    assert job["type"] == "image_generation" and job["status"] == "queued"
    again = cli.in_process(
        "images", "generate", "--prompt", "a red bicycle", "--json", "--idempotency-key", "cli-test-1"
    )
    assert again.json["id"] == job["id"], "a rerun with the same key must not pay twice"
    assert len(cli.mock.jobs) == before + 1 and cli.mock.balance() == balance - cli.mock.job_costs["image_generation"]

    cli.mock.set_job_duration(job["id"], 1e6)
    assert cli("jobs", "get", job["id"], "--json").json["id"] == job["id"]
    listed = cli("jobs", "list", "--type", "image_generation", "--json", "--all").json["data"]
    assert job["id"] in {j["id"] for j in listed}
    early = cli.in_process("jobs", "result", job["id"], "--json")
    assert early.returncode == ExitCode.REJECTED and early.error["code"] == "job_not_completed"
    late = cli.in_process("jobs", "wait", job["id"], "--timeout", "0.3", "--json")
    assert late.returncode == ExitCode.TIMEOUT and late.error["code"] == "job_timeout"
    assert late.error["job_id"] == job["id"]

    cli.mock.set_job_duration(job["id"], 0)
    done = cli("jobs", "wait", job["id"], "--json")
    assert done.returncode == 0 and done.json["status"] == "completed"
    assert done.json["result"]["outputs"] and all(o["url"] == REDACTED for o in done.json["result"]["outputs"])
    shown = cli.in_process("jobs", "result", job["id"], "--json", "--show-urls").json
    assert shown["result"]["outputs"][0]["url"].startswith("http")

    waited = cli.in_process("images", "generate", "--prompt", "a blue bicycle", "--wait", "--json")
    assert waited.returncode == 0 and waited.json["status"] == "completed" and waited.json["result"]["outputs"]


def test_a_failed_job_and_no_credits(cli: Cli) -> None:
    job = cli("images", "generate", "--prompt", "doomed", "--json").json
    cli.mock.set_job_status(job["id"], "failed")
    failed = cli("jobs", "wait", job["id"], "--json")
    assert failed.returncode == ExitCode.FAILED and failed.stdout == ""
    assert failed.error["code"] == "job_failed" and failed.error["job_error"]["code"]
    human = cli.in_process("jobs", "wait", job["id"])
    assert human.returncode == ExitCode.FAILED and "failed" in human.stderr

    balance = cli.mock.balance()
    cli.mock.set_credits(0)
    try:
        broke = cli("videos", "generate", "--prompt", "x", "--json")
        assert broke.returncode == ExitCode.ACCOUNT and broke.error["code"] == "insufficient_credits"
        assert broke.error["request_id"]
    finally:
        cli.mock.set_credits(balance)


def test_invalid_input_is_refused_before_any_request(cli: Cli, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00" * 1000)
    cases = [
        (("images", "generate", "--prompt", "x", "--image-count", "11"), "--image-count"),
        (("images", "generate", "--prompt", "x", "--aspect-ratio", "wide"), "--aspect-ratio"),
        (("images", "generate", "--prompt", " "), "--prompt"),
        (
            ("images", "generate", "--prompt", "x", "--reference-image-url", "http://a.example/x.png"),
            "--reference-image-url",
        ),
        (("videos", "generate", "--prompt", "x", "--duration", "3"), "--duration"),
        (("videos", "generate", "--prompt", "x", "--resolution", "1080p"), "--resolution"),
        (
            ("ads", "videos", "create", "--avatar-id", "a", "--script", "s", "--product-image-url", "ftp://x"),
            "--product-image-url",
        ),
        (("face-swap", "create", "--video", str(video), *("--avatar-id=a",) * 11), "--avatar-id"),
        (("face-swap", "create", "--avatar-id", "a"), "--video"),
        (("reference-analysis", "create", "--url", "http://www.tiktok.com/@x/video/1"), "--url"),
        (("images", "generate", "--prompt", "x", "--idempotency-key", "has space"), "--idempotency-key"),
        (("jobs", "wait", "job_x", "--timeout", "0"), "--timeout"),
        (("uploads", "upload", str(video), "--purpose", "other"), "--purpose"),
        (("jobs", "wait", " job_x"), "JOB_ID"),
        (("assets", "search", " "), "QUERY"),
        (("jobs", "result", "job_x", "--download", str(video)), "--download"),
    ]
    seen = api_requests(cli)
    for i, (args, option) in enumerate(cases):
        # One refusal in a real process; the rest in this one (same code path, a second each saved).
        result = cli(*args, "--json") if i == 0 else cli.in_process(*args, "--json")
        assert result.returncode == ExitCode.USAGE, (args, result.stderr)
        assert result.stdout == ""
        assert option in result.error["message"], (args, result.error)
    assert api_requests(cli) == seen, "nothing may be sent for invalid input"
    assert "[paid]" in cli.in_process("images", "generate", "--help").stdout
    assert "[paid]" in cli.in_process("face-swap", "--help").stdout


def test_other_paid_commands(cli: Cli, tmp_path: Path) -> None:
    avatar = cli.in_process("avatars", "list", "--json").json["data"][0]["id"]
    ads = cli("ads", "videos", "create", "--avatar-id", avatar, "--script", "Hi!", "--style", "ugc", "--json")
    assert ads.returncode == 0 and ads.json["type"] == "ads_video"
    ref = cli("reference-analysis", "create", "--url", "https://www.tiktok.com/@x/video/1", "--json")
    assert ref.returncode == 0 and ref.json["type"] == "reference_analysis"
    video = tmp_path / "face.mp4"
    video.write_bytes(b"\x01" * 4096)
    swap = cli(
        "face-swap", "create", "--video", str(video), "--avatar-id", avatar, "--avatar-id", "avatar_leo", "--json"
    )
    assert swap.returncode == 0, swap.stderr
    assert [j["type"] for j in swap.json] == ["face_swap", "face_swap"]
    vid = cli("videos", "generate", "--prompt", "waves", "--duration", "4", "--resolution", "480p", "--wait", "--json")
    assert vid.returncode == 0 and vid.json["status"] == "completed"


def test_uploads_and_the_asset_library(cli: Cli, tmp_path: Path) -> None:
    video = tmp_path / "scene.mp4"
    video.write_bytes(b"\x02" * 10_000)
    up = cli("uploads", "upload", str(video), "--purpose", "face_swap_source_video", "--json")
    assert up.returncode == 0, up.stderr
    assert up.json["object_key"] == REDACTED and up.json["media_url"] == REDACTED and up.json["size_bytes"] == 10_000
    shown = cli.in_process(
        "uploads", "upload", str(video), "--purpose", "face_swap_source_video", "--json", "--show-urls"
    ).json
    assert shown["media_url"].startswith("http") and shown["object_key"] == REDACTED

    ingest = cli("assets", "upload", str(video), "--title", "Demo scene", "--wait", "--json")
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.json["type"] == "asset_ingest" and ingest.json["status"] == "completed"

    found = cli("assets", "search", "camera", "--search-mode", "text", "--limit", "5", "--json")
    assert found.returncode == 0 and set(found.json) == {"data", "next_cursor"}
    listed = cli(
        "assets",
        "list",
        "--sort",
        "created_at_desc",
        "--min-duration",
        "0",
        "--no-cta-present",
        "--created-after",
        "2020-01-01",
        "--json",
    )
    assert listed.returncode == 0, listed.stderr
    scenes = listed.json["data"] or found.json["data"]
    assert scenes
    one = cli("assets", "get", scenes[0]["id"], "--json")
    assert one.returncode == 0 and one.json["id"] == scenes[0]["id"]
    assert one.json.get("media_url") in (None, REDACTED)
    bad = cli.in_process("assets", "list", "--sort", "random", "--json")
    assert bad.returncode == ExitCode.USAGE and "--sort" in bad.error["message"]


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_names_the_created_job(cli: Cli, signum: signal.Signals) -> None:
    before = set(cli.mock.jobs)
    # From a suite that ignores SIGINT (run as a background job of a non-interactive shell) a plain
    # child inherits the ignore and never stops: `spawn` starts it as a terminal would.
    with _sigint_ignored():
        proc = cli.spawn("videos", "generate", "--prompt", "long", "--wait", "--json")
    try:
        deadline = time.monotonic() + 20
        while not set(cli.mock.jobs) - before and time.monotonic() < deadline:
            time.sleep(0.05)
        (job_id,) = set(cli.mock.jobs) - before
        cli.mock.set_job_duration(job_id, 1e6)
        # Signal once the child is waiting: its first poll of the job shows it has read the create's
        # reply (a signal before that is the idempotency-key case, not this one). A fixed delay
        # raced the reply on a busy machine.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
            r.method == "GET" and r.path.endswith(f"/jobs/{job_id}") for r in cli.mock.requests
        ):
            time.sleep(0.05)
        time.sleep(0.3)  # into the pause before the next poll
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED, err
    (line,) = err.strip().splitlines()  # one JSON error, nothing else (no traceback)
    error = json.loads(line)
    assert error["code"] == "interrupted" and error["job_ids"] == [job_id] and out == ""
    cli.assert_no_secrets(out + err)


def _assert_downloaded(cli: Cli, job_id: str, files: list[dict[str, object]], directory: Path) -> None:
    expected = cli.mock.media(job_id)
    assert expected and len(files) == len(expected)
    for record, media in zip(files, expected, strict=True):
        path = Path(str(record["path"]))
        assert path.parent == directory and path.name.startswith(job_id)
        data = path.read_bytes()
        assert len(data) == media.size == record["bytes"]
        assert hashlib.sha256(data).hexdigest() == media.sha256
    assert not [p for p in directory.iterdir() if p.name.startswith(".")], "no temporary file left behind"


def test_downloads_land_on_disk(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    made = cli("images", "generate", "--prompt", "a green bicycle", "--download", str(out), "--json")
    assert made.returncode == 0, made.stderr
    job_id = made.json["id"]
    _assert_downloaded(cli, job_id, made.json["files"], out)
    assert "http" not in made.stdout, "downloading prints paths, not URLs"

    again = tmp_path / "again"
    fetched = cli("jobs", "result", job_id, "--download", str(again), "--json")
    assert fetched.returncode == 0, fetched.stderr
    _assert_downloaded(cli, job_id, fetched.json["files"], again)
    waited = cli.in_process(
        "jobs", "wait", job_id, "--download", str(again)
    )  # complete files are kept, not fetched again
    assert waited.returncode == 0 and str(again) in waited.stdout


def test_a_create_lost_in_flight_is_recovered_with_the_key_it_names(cli: Cli) -> None:
    """The server creates the job and the connection drops, every time: the CLI gives up naming its key."""
    before, saved = set(cli.mock.jobs), cli.mock.faults
    cli.mock.faults = Faults(rate_drop_after_create=1.0)
    try:
        lost = cli("images", "generate", "--prompt", "lost in flight", "--json")
    finally:
        cli.mock.faults = saved
    assert lost.returncode == ExitCode.UNAVAILABLE and lost.stdout == ""
    key = lost.error["idempotency_key"]
    (created,) = set(cli.mock.jobs) - before  # the retries reused the key: one job, not three
    again = cli("images", "generate", "--prompt", "lost in flight", "--idempotency-key", key, "--json")
    assert again.returncode == 0 and again.json["id"] == created
    assert set(cli.mock.jobs) - before == {created}
