"""The ``sume-async`` console script (the ``cli`` extra: click and rich)."""

from .._extras import require_extra

# All of the extra up front: rich is imported only when a command prints, too late to explain.
require_extra("cli", "the sume-async command")

from ._main import main  # noqa: E402

__all__ = ["main"]
