"""The CLI under test runs as a subprocess against a mock served on loopback by this process.

The mock runs in the test process (a uvicorn thread), so tests can inspect what reached it
(jobs created, credits, uploads); each ``sume-async`` run is a real child process with only
``SUME_API_KEY``/``SUME_API_BASE_URL`` to go on. Every run is checked for leaked secrets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sume_async.testing import DEFAULT_API_KEY, LoopbackServer, MockSume

KEY = DEFAULT_API_KEY
#: Simulated seconds per real second: an image job (6 s) ends in about 0.15 s.
SPEED = 40.0


#: ``python -m sume_async.cli`` with SIGINT raising ``KeyboardInterrupt``, as Python sets it up when
#: SIGINT is not ignored at start (asyncio's runner then turns it into a cancellation).
_WITH_INTERACTIVE_SIGINT = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('sume_async.cli', run_name='__main__', alter_sys=True)"
)


@dataclass
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        assert self.stdout.strip(), f"no stdout for {self.args}; stderr: {self.stderr}"
        return json.loads(self.stdout)

    @property
    def error(self) -> dict[str, Any]:
        """The one JSON error object on stderr (``--json``)."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one JSON error line, got: {self.stderr!r}"
        obj = json.loads(lines[0])
        assert {"code", "message", "request_id"} <= obj.keys(), obj
        return dict(obj)


@dataclass
class Cli:
    """Runs ``sume-async`` against the mock and checks each run for secrets."""

    server: LoopbackServer
    secrets: set[str] = field(default_factory=lambda: {KEY})  # never printed, whatever the flags

    @property
    def mock(self) -> MockSume:
        return self.server.mock

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUME_")}
        env.update(SUME_API_KEY=KEY, SUME_API_BASE_URL=self.server.base_url, NO_COLOR="1", COLUMNS="200")
        env.update(extra)
        return env

    def __call__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "sume_async.cli", *args],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        # Media URLs asked for (--show-urls) may embed an object key in their path; nothing else may.
        self.assert_no_secrets(result.stdout + result.stderr, object_keys="--show-urls" not in args)
        return result

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """``sume-async`` started as an interactive shell starts it: Ctrl-C (SIGINT) reaches it.

        A suite run as a background job of a non-interactive shell (``make test &`` in a script)
        passes SIGINT down *ignored*, and Python, asyncio and the CLI keep an inherited ignore,
        as Unix programs should: a child started plainly would never see the test's SIGINT.
        """
        return subprocess.Popen(
            [sys.executable, "-c", _WITH_INTERACTIVE_SIGINT, *args],
            env=env or self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def in_process(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """The same command run in this process (click's runner): for the many quick refusals."""
        from click.testing import CliRunner

        from sume_async.cli import main

        runner = CliRunner()
        outcome = runner.invoke(main, list(args), env=env or self.env(), prog_name="sume-async")
        if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
            raise outcome.exception
        result = Result(tuple(args), outcome.exit_code, outcome.stdout, outcome.stderr)
        self.assert_no_secrets(result.stdout + result.stderr, object_keys="--show-urls" not in args)
        return result

    def assert_no_secrets(self, text: str, *, object_keys: bool = True) -> None:
        secrets = set(self.secrets)
        if object_keys:
            secrets.update(upload.object_key for upload in self.mock.uploads.values())
        for secret in secrets:
            assert secret not in text, "a secret was printed"
        assert "X-Amz-Signature" not in text and "upload_token" not in text.replace('"upload_token"', "")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    mock = MockSume(speed=SPEED)
    srv = LoopbackServer(mock)
    srv.start()
    srv.wait_started()
    try:
        yield srv
    finally:
        srv.stop()
        mock.close()


@pytest.fixture
def cli(server: LoopbackServer) -> Cli:
    return Cli(server)
