"""``make demo`` (``examples/batch_pipeline.py``): progress in place on a terminal, whole lines when piped.

It runs against the embedded mock, which fails a share of jobs on purpose: the demo says so up
front and marks each such failure as simulated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, str(ROOT / "examples" / "batch_pipeline.py"), "--images", "12", "--videos", "2"]


def demo_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}


def test_piped_the_demo_prints_one_line_per_step_and_names_simulated_failures() -> None:
    done = subprocess.run(
        DEMO, cwd=ROOT, env=demo_env(), capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "\r" not in out, "progress drawn in place on a pipe"
    assert "fails 10% of jobs on purpose" in out
    lines = out.splitlines()
    outcomes = [line for line in lines if line.startswith(("  completed job_", "  failed"))]
    assert len(outcomes) == 14, out  # one line per job
    assert all("(simulated)" in line for line in outcomes if line.startswith("  failed")), out
    assert any(line.startswith("  uploaded launch-ad.mp4") for line in lines)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_on_a_terminal_the_demo_draws_progress_in_place() -> None:
    import pty
    import select

    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            DEMO, cwd=ROOT, env=demo_env(), stdin=subprocess.DEVNULL, stdout=terminal, stderr=subprocess.PIPE
        )
        os.close(terminal)
        chunks: list[bytes] = []
        for _ in range(100_000):  # bounded: each read waits at most 60 s
            if not select.select([controller], [], [], 60)[0]:
                process.kill()
                pytest.fail("the demo printed nothing for 60 s")
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the demo exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=240) == 0
    finally:
        os.close(controller)
    out = b"".join(chunks).decode()
    assert "\r  [" in out and "completed, " in out  # the progress bar, redrawn in place
    assert "  completed job_" not in out  # no per-job lines on a terminal
