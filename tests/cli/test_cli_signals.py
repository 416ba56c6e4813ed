"""Ctrl-C and SIGTERM stop a command cleanly wherever they land.

The CLI turns both signals into an anyio cancellation of the command: taken at its next
await, after any shielded section, never raised in the middle of a library's bookkeeping.
The proof sends a real signal to this process at many points of a ``--wait`` (inside the
poll's HTTP exchange, its shielded connection release, the scheduler, the gate) and checks
each run ends at once with exit 130, one JSON error naming the job, and nothing logged.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import anyio
import pytest
from mock_fixtures import served_mock

from sume_async import AsyncSume, PollPolicy
from sume_async.cli import _generate, main
from sume_async.cli._app import CliError, ExitCode, _handlers_restored, _interruptible, _stop_signals
from sume_async.testing import DEFAULT_API_KEY, LoopbackServer

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def interactive_sigint() -> Iterator[None]:
    """SIGINT as Python sets it up in a process started from a terminal, whatever this one inherited.

    These proofs run the CLI in the test process, so they see its SIGINT disposition. Started
    with SIGINT ignored (``nohup``, a background job of a script), Python leaves it ignored and
    the CLI rightly keeps the ignore (``test_an_ignored_sigint_stays_ignored``): a Ctrl-C proof
    must then put the interactive handler in place itself, and put back what it found.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: Polls 10 ms apart, so a poll cycle is short and every run reaches the same code.
FAST = PollPolicy(first=0.01, factor=1.0, short_cap=0.01, long_cap=0.01, jitter=0.0)
#: Points of the run (Python calls and returns after the first poll began) where the signal lands:
#: spread over about one poll cycle (~1,600 of them), including the shielded release of the connection.
POINTS = range(1, 1700, 61)


@pytest.fixture(scope="module")
def endless() -> Iterator[LoopbackServer]:
    """A mock whose videos never finish: a ``--wait`` only ends by the signal."""
    with served_mock(1.0, durations={"video_generation": 1e9}) as server:
        yield server


class _Shooter:
    """A profile hook: sends ``signum`` to this process at the ``n``-th event after the first poll starts."""

    def __init__(self, signum: signal.Signals, n: int) -> None:
        self.signum, self.n = signum, n
        self.count = 0
        self.armed = self.fired = False

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if self.fired or threading.current_thread() is not threading.main_thread():
            return
        if not self.armed:
            self.armed = event == "call" and frame.f_code.co_name == "_poll"
            return
        self.count += 1
        if self.count >= self.n:
            self.fired = True
            sys.setprofile(None)
            os.kill(os.getpid(), self.signum)


def _run_cli(shooter: _Shooter) -> tuple[object, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    done = threading.Event()

    def watchdog() -> None:  # a run the signal did not stop: a second Ctrl-C forces it out
        if not done.wait(15):
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watchdog, daemon=True).start()
    code: object = None
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        sys.setprofile(shooter)
        try:
            main.main(["videos", "generate", "--prompt", "p", "--wait", "--json"], prog_name="sume-async")
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.setprofile(None)
            done.set()
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_anywhere_in_a_wait_stops_it_cleanly(
    endless: LoopbackServer, signum: signal.Signals, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SUME_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("SUME_API_BASE_URL", endless.base_url)
    make_client = _generate.client_from_env

    def fast_client(**options: Any) -> AsyncSume:
        return make_client(poll_policy=FAST, **options)

    monkeypatch.setattr(_generate, "client_from_env", fast_client)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    before = signal.getsignal(signal.SIGTERM)
    caplog.set_level(logging.ERROR)
    for n in POINTS:
        jobs = set(endless.mock.jobs)
        shooter = _Shooter(signum, n)
        code, out, err = _run_cli(shooter)
        where = f"signal at point {n}"
        assert shooter.fired, where
        assert code == ExitCode.INTERRUPTED, f"{where}: exit {code}, stderr {err!r}"
        (job_id,) = set(endless.mock.jobs) - jobs
        lines = err.splitlines()
        assert len(lines) == 1, f"{where}: stderr {err!r}"
        error = json.loads(lines[0])
        assert error["code"] == "interrupted" and error["job_ids"] == [job_id] and out == "", where
        logged = [r.getMessage() for r in caplog.records if r.thread == threading.main_thread().ident]
        assert not logged, f"{where}: {logged}"
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, where
        assert signal.getsignal(signal.SIGTERM) == before, where


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_stop_waits_for_a_shielded_section(backend: str, signum: signal.Signals) -> None:
    steps: list[str] = []

    async def command() -> None:
        with anyio.CancelScope(shield=True):
            os.kill(os.getpid(), signum)
            await anyio.sleep(0.05)
            steps.append("shielded section done")
        with anyio.fail_after(10):
            await anyio.sleep_forever()

    signals = _stop_signals()
    assert signals == (signal.SIGINT, signal.SIGTERM)
    with _handlers_restored(signals), pytest.raises(KeyboardInterrupt):
        anyio.run(_interruptible, command, signals, backend=backend)
    assert steps == ["shielded section done"]


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_an_error_is_raised_as_itself(backend: str) -> None:
    async def command() -> None:
        await anyio.sleep(0)
        raise CliError("usage_error", "bad", ExitCode.USAGE)

    with pytest.raises(CliError):
        anyio.run(_interruptible, command, _stop_signals(), backend=backend)
    finished: list[bool] = []

    async def quiet() -> None:
        await anyio.sleep(0)
        finished.append(True)

    anyio.run(_interruptible, quiet, _stop_signals(), backend=backend)
    assert finished == [True]


def test_an_ignored_sigint_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert _stop_signals() == (signal.SIGTERM,)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_proofs_pass_in_a_suite_started_with_sigint_ignored() -> None:
    """As under ``nohup`` or a script's ``&``: the process starts with SIGINT ignored, and the proofs still hold."""
    ignoring = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "os.execv(sys.executable, [sys.executable, '-m', 'pytest', *sys.argv[1:]])"
    )
    chosen = "shielded_section or raised_as_itself"
    result = subprocess.run(
        [sys.executable, "-c", ignoring, __file__, "-q", "-p", "no:cacheprovider", "-k", chosen],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "6 passed" in result.stdout, result.stdout[-3000:]
