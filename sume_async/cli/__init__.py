"""The ``sume-async`` console script (the ``cli`` extra: click and rich)."""

from ._main import main

__all__ = ["main"]
