"""The ``sume-async`` console script: the CLI, or one line naming the extra it needs.

It imports nothing optional itself, so an install without the ``cli`` extra gets a sentence
and exit 2 (bad usage: nothing was sent), never a traceback.
"""

from __future__ import annotations

import json
import sys

from ._extras import USAGE, MissingExtraError

__all__ = ["run"]


def run() -> None:
    """Run ``sume-async`` with the process's arguments."""
    try:
        from .cli import main
    except MissingExtraError as exc:
        if "--json" in sys.argv[1:]:
            sys.stderr.write(json.dumps({"code": "missing_extra", "message": str(exc)}) + "\n")
        else:
            sys.stderr.write(f"sume-async: {exc}\n")
        raise SystemExit(USAGE) from None
    main(prog_name="sume-async")
