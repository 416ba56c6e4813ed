"""``python -m sume_async.testing``: serve the mock on loopback until Ctrl-C or SIGTERM.

For tools outside Python (or a second process, like the upload memory benchmark) that want a
Sume API to talk to. Prints the base URL and the API key on the first line(s) of stdout.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from ._faults import Faults
from ._mock import DEFAULT_API_KEY, MockSume
from ._server import LoopbackServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sume_async.testing", description="Serve the mock Sume API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one; default 8765)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second")
    parser.add_argument("--api-key", action="append", help=f"accepted key, repeatable (default {DEFAULT_API_KEY})")
    parser.add_argument("--credits", type=int, default=10_000, help="credits per workspace")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="share of jobs that end failed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate-429", type=float, default=0.0, help="share of API requests answered 429")
    parser.add_argument("--rate-5xx", type=float, default=0.0, help="share of API requests answered 500/502/503")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    return parser


class _Terminated(Exception):
    """SIGTERM arrived: stop as for Ctrl-C, cleaning up on the way out."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keys = tuple(args.api_key or (DEFAULT_API_KEY,))
    faults = None
    if args.rate_429 or args.rate_5xx:
        faults = Faults(seed=args.seed, rate_429=args.rate_429, rate_5xx=args.rate_5xx)
    mock = MockSume(
        api_keys=keys,
        credits=args.credits,
        failure_rate=args.failure_rate,
        speed=args.speed,
        seed=args.seed,
        faults=faults,
    )
    server = LoopbackServer(mock, args.host, args.port, log_level=args.log_level)

    def announce() -> None:
        print(f"Mock Sume API at {server.base_url}", flush=True)
        print(f"API key: {keys[0]}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    # uvicorn stops on SIGTERM, then re-raises it under the handler found at start: with the
    # default one the process would die there, before the upload folder is removed.
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        server.run(on_started=announce)
    except (KeyboardInterrupt, _Terminated):
        pass
    finally:
        mock.close()
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
