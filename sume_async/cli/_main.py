"""The root command group; each command group lives in a module of its own."""

from __future__ import annotations

import click

from .._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sume-async")
def main() -> None:
    """Sume from the command line: key from SUME_API_KEY, base URL from SUME_API_BASE_URL."""
