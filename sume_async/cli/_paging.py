"""List commands: one page by default (``--limit``), ``--cursor`` to continue, ``--all`` for every page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from .._pagination import AsyncPager
from ._output import Output

F = TypeVar("F", bound=Callable[..., Any])

MAX_ALL_ITEMS = 100_000


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
    items = await pager.to_list(max_items=MAX_ALL_ITEMS)
    out.page(items, None, columns=columns)
