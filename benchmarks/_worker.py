"""Entry point of benchmark child processes: ``python -m benchmarks._worker module:function``.

The first stdin line holds the JSON arguments; the function's return value is printed
as ``RESULT <json>``. Async functions run under ``anyio.run`` (asyncio backend).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
from typing import Any


def gate() -> Any:
    """Tell the parent this child is ready, then block until it says ``GO``; return its payload."""
    print("READY", flush=True)
    line = sys.stdin.readline()
    if not line.startswith("GO "):
        raise SystemExit("benchmark child: parent went away")
    return json.loads(line[3:])


def main() -> None:
    module_name, func_name = sys.argv[1].split(":")
    args = json.loads(sys.stdin.readline())
    func = getattr(importlib.import_module(module_name), func_name)
    if inspect.iscoroutinefunction(func):
        import anyio

        result = anyio.run(func, args)
    else:
        result = func(args)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
