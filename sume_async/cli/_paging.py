"""List commands: one page by default (``--limit``), ``--cursor`` to continue, ``--all`` for every page.

``--all`` has no cap: pages are printed as they arrive, so memory stays one page whatever the
list's length. A list that stops before its end (an error after retries, Ctrl-C, a server
handing back a cursor it already gave) is still printed as whole JSON, with the real
``next_cursor`` to continue from, and the command exits non-zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from .._pagination import AsyncPager
from ._exit import CliError, ExitCode
from ._output import Output

F = TypeVar("F", bound=Callable[..., Any])


def list_options(fn: F) -> F:
    """``--limit``, ``--cursor`` and ``--all`` for a list command."""
    fn = click.option("--all", "all_pages", is_flag=True, help="Every page, not just one.")(fn)
    fn = click.option("--cursor", help="Continue from the next_cursor of an earlier page.")(fn)
    fn = click.option(
        "--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Items per page (1-100)."
    )(fn)
    return fn


async def print_page(
    out: Output, pager: AsyncPager[Any], cursor: str | None, columns: Sequence[str], *, all_pages: bool = False
) -> None:
    """Print the first page of ``pager`` (from ``cursor``), or every page with ``all_pages``."""
    if cursor is not None:
        pager = pager.starting_at(cursor)
    if not all_pages:
        page = await pager.first_page()
        out.page(page.data, page.next_cursor if page.has_more else None, columns=columns)
        return
    writer = out.lines(columns=columns)
    try:
        async for page in pager.pages():
            writer.add(page.data)
    except BaseException:
        writer.close(pager.cursor if pager.cursor is not None else cursor)
        raise
    if not pager.exhausted:  # the server handed back a cursor it had already given: a loop
        writer.close(pager.cursor)
        raise CliError(
            "list_incomplete",
            f"the list stopped after {writer.count} items: the server repeated a cursor; "
            "continue with --cursor from next_cursor",
            ExitCode.UNAVAILABLE,
        )
    writer.close(None)
