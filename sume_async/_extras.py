"""The optional extras: which modules each brings, and the one message for a missing one.

``pyproject.toml`` declares the extras; this table names the top-level modules each of them
installs, so a front end that needs one (the ``sume-async`` command, the mock server, the MCP
server, the Dask engine) says which extra to install instead of showing a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["EXTRAS", "USAGE", "MissingExtraError", "install_command", "missing_module", "needs_extra", "require_extra"]

#: Extra -> the top-level modules it installs (the ones the package imports).
EXTRAS: dict[str, tuple[str, ...]] = {
    "cli": ("click", "rich"),
    "testing": ("starlette", "uvicorn"),
    "mcp": ("click", "rich", "mcp"),
    "dask": ("distributed",),
}


class MissingExtraError(ModuleNotFoundError):
    """A module of an optional extra is not installed; the message says how to install it."""

    def __init__(self, extra: str, what: str, module: str) -> None:
        self.extra = extra
        super().__init__(f"{what} needs the {extra} extra ({module} is not installed): {install_command(extra)}")
        self.name = module


def install_command(extra: str) -> str:
    """The command that installs ``extra``: ``pip install 'sume-async[cli]'``."""
    return f"pip install 'sume-async[{extra}]'"


def missing_module(extra: str) -> str | None:
    """The first module of ``extra`` that cannot be found, or ``None`` when all are installed."""
    for module in EXTRAS[extra]:
        if importlib.util.find_spec(module) is None:
            return module
    return None


#: The CLI's exit code for bad usage or input (``sume_async.cli``'s ``ExitCode.USAGE``): nothing was sent.
USAGE = 2


def _missing(error: MissingExtraError) -> NoReturn:
    """Raise ``error``; while ``python -m`` is still importing the packages of its module, say it and exit 2.

    Python imports ``sume_async.testing`` before it runs ``sume_async.testing.__main__``, and an
    error there is printed as a traceback; ``sys.argv[0]`` is ``"-m"`` only during that search.
    """
    if sys.argv[:1] == ["-m"]:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(USAGE)
    raise error


def require_extra(extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` unless every module of ``extra`` is installed."""
    module = missing_module(extra)
    if module is not None:
        _missing(MissingExtraError(extra, what, module))


@contextmanager
def needs_extra(extra: str, what: str) -> Iterator[None]:
    """Imports in this block that fail for a module of ``extra`` raise :class:`MissingExtraError`.

    Any other import error (a bug, a broken install) goes on unchanged.
    """
    try:
        yield
        return
    except ModuleNotFoundError as exc:
        module = (exc.name or "").partition(".")[0]
        if isinstance(exc, MissingExtraError) or module not in EXTRAS[extra]:
            raise
        error = MissingExtraError(extra, what, module)
    _missing(error)
