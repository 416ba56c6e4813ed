"""Paid commands check every argument and output path before the first request, and reruns never pay twice.

Each case failed on the release before the operations table: ``--timeout nan`` or a ``--download``
under a file created and charged the job, then exited 2 ("nothing was sent"); ``--prompt --wait``
paid for a job whose prompt was ``--wait``; ``face-swap create --video`` and ``assets upload``
uploaded again on a rerun, so the same ``--idempotency-key`` failed ``idempotency_key_reused``.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Cli

from sume_async.cli._exit import ExitCode


def _posts(cli: Cli) -> int:
    return sum(1 for r in cli.mock.requests if r.route and r.route.startswith("POST"))


def test_bad_arguments_and_output_paths_are_refused_before_anything_is_paid(cli: Cli, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    prompt = tmp_path / "prompt.txt"
    prompt.write_bytes(b"\xff\xfe not utf-8")
    cases = [
        ("images", "generate", "--prompt", "x", "--timeout", "nan"),
        ("images", "generate", "--prompt", "x", "--timeout", "inf"),
        ("images", "generate", "--prompt", "x", "--request-timeout", "nan"),
        ("images", "generate", "--prompt", "x", "--download", str(a_file / "sub")),
        ("images", "generate", "--prompt", "x", "--download", str(a_file)),
        ("images", "generate", "--prompt", "--wait"),
        ("videos", "generate", "--prompt", "--timeout", "--duration", "5"),
        ("ads", "videos", "create", "--avatar-id", "--script", "--style", "ugc"),
        ("images", "generate", "--prompt-file", str(prompt)),
        ("images", "generate", "--prompt", "x", "--prompt-file", str(a_file)),
        ("images", "generate"),
        ("face-swap", "create", "--video", str(a_file), "--media-url", "https://m.example/v", "--avatar-id", "a"),
    ]
    before, jobs, balance = _posts(cli), len(cli.mock.jobs), cli.mock.balance()
    for args in cases:
        result = cli.in_process(*args, "--json")
        assert result.returncode == ExitCode.USAGE, (args, result.stderr)
        assert result.error["code"] in ("invalid_input", "usage_error"), (args, result.error)
        assert "idempotency_key" not in result.error and "job_ids" not in result.error, "no job can exist yet"
    human = cli.in_process("images", "generate", "--prompt", "--wait")
    assert human.returncode == ExitCode.USAGE and "If a job was created" not in human.stderr
    assert _posts(cli) == before and len(cli.mock.jobs) == jobs and cli.mock.balance() == balance


def test_a_prompt_from_a_file_or_stdin(cli: Cli, tmp_path: Path) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("A red bicycle at dawn, from a file\n", encoding="utf-8")
    created = cli.in_process("images", "generate", "--prompt-file", str(prompt), "--json")
    assert created.returncode == 0, created.stderr
    request = cli.mock.jobs[created.json["id"]].request
    assert request["prompt"] == "A red bicycle at dawn, from a file\n"


def test_reruns_with_the_same_key_upload_once_and_return_the_same_jobs(cli: Cli, tmp_path: Path) -> None:
    video = tmp_path / "face.mp4"
    video.write_bytes(b"\x01" * 4096)
    avatar = cli.in_process("avatars", "list", "--json").json["data"][0]["id"]
    args = ("face-swap", "create", "--video", str(video), "--avatar-id", avatar, "--idempotency-key", "swap-rerun-1")
    first = cli.in_process(*args, "--json")
    assert first.returncode == 0, first.stderr
    jobs, balance = len(cli.mock.jobs), cli.mock.balance()
    again = cli.in_process(*args, "--json")
    assert again.returncode == 0, again.stderr
    ids = lambda result: sorted(job["id"] for job in (result.json if isinstance(result.json, list) else [result.json]))  # noqa: E731
    assert ids(again) == ids(first)
    assert len(cli.mock.jobs) == jobs and cli.mock.balance() == balance, "the rerun paid nothing"

    scene = tmp_path / "scene.mp4"
    scene.write_bytes(b"\x02" * 2048)
    upload = ("assets", "upload", str(scene), "--idempotency-key", "asset-rerun-1", "--json")
    one = cli.in_process(*upload)
    assert one.returncode == 0, one.stderr
    jobs, balance = len(cli.mock.jobs), cli.mock.balance()
    two = cli.in_process(*upload)
    assert two.returncode == 0, two.stderr
    assert two.json["id"] == one.json["id"] and len(cli.mock.jobs) == jobs and cli.mock.balance() == balance
