"""Async iteration over Sume's cursor-paginated lists.

``async for item in pager`` walks every page lazily; ``pager.pages()`` yields whole
pages. Each page is fetched only when the previous one is used up, so breaking out
of the loop early costs nothing more.

Pagers are resumable: ``pager.cursor`` is where to continue from (hand it to a later
request as ``cursor=``), and ``pager.exhausted`` says whether anything is left. A page whose
``next_cursor`` leads back to a page the pager already read (its own cursor, or any earlier
one: a cycle) is refused with :class:`~sume_async.PaginationLoopError` before its items are
handed out, so no item comes twice and a resume loop cannot go round for ever.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import Any, Generic, TypeVar, get_args

import attrs

from ._errors import PaginationLoopError

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its items and the cursor of the next page, if any.

    Attributes:
        data: The page's items.
        has_more: Whether the server says more pages follow.
        next_cursor: The cursor of the next page (``cursor=`` of a list method), or ``None``.
    """

    data: Sequence[T]
    has_more: bool
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        """The page as JSON: ``{"data": [...], "has_more": ..., "next_cursor": ...}`` (items by their ``to_dict()``)."""
        return {
            "data": [item.to_dict() if hasattr(item, "to_dict") else item for item in self.data],
            "has_more": self.has_more,
            "next_cursor": self.next_cursor,
        }

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook, so a web route can return ``Page[Job]``; pydantic is imported only when it asks."""
        from pydantic_core import core_schema

        args = get_args(source)
        item = handler.generate_schema(args[0]) if args else core_schema.any_schema()
        shape = core_schema.typed_dict_schema(
            {
                "data": core_schema.typed_dict_field(core_schema.list_schema(item)),
                "has_more": core_schema.typed_dict_field(core_schema.bool_schema()),
                "next_cursor": core_schema.typed_dict_field(core_schema.nullable_schema(core_schema.str_schema())),
            }
        )
        from_json = core_schema.no_info_after_validator_function(lambda d: cls(**d), shape)
        return core_schema.json_or_python_schema(
            json_schema=from_json,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_json]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda page: {"data": list(page.data), "has_more": page.has_more, "next_cursor": page.next_cursor},
                return_schema=shape,
            ),
        )


class AsyncPager(Generic[T]):
    """A lazily fetched list; iterate it with ``async for``.

    It stops at the last page: when ``has_more`` is false or there is no ``next_cursor``.
    A ``next_cursor`` already read by this pager (the page's own cursor, the cursor it was
    resumed at, or an earlier one) raises :class:`~sume_async.PaginationLoopError`.
    """

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[T]]], *, cursor: str | None = None) -> None:
        self._fetch = fetch
        self._start = cursor
        self._resume = cursor
        self._exhausted = False

    @property
    def cursor(self) -> str | None:
        """The cursor to continue from: the start of the first page not fully consumed.

        ``None`` before the first page (or when started from the beginning) — check
        :attr:`exhausted` to tell "from the start" from "nothing left".
        """
        return self._resume

    @property
    def exhausted(self) -> bool:
        """Whether the last page has been consumed: nothing is left to resume."""
        return self._exhausted

    def starting_at(self, cursor: str | None) -> AsyncPager[T]:
        """The same list, starting from ``cursor`` (a ``next_cursor`` of an earlier page).

        Args:
            cursor: Where to start; ``None`` starts from the beginning.

        Returns:
            A new pager (nothing is fetched until it is iterated).
        """
        return AsyncPager(self._fetch, cursor=cursor)

    async def pages(self) -> AsyncGenerator[Page[T]]:
        """Yield each page in turn, starting from the first (or the given cursor)."""
        async for page in self._walk():
            yield page
            self._advance(page)

    def _advance(self, page: Page[T]) -> None:
        """Mark ``page`` consumed: the cursor moves past it."""
        next_cursor = _next_cursor(page)
        if next_cursor is None:
            self._exhausted = True
            self._resume = None
        else:
            self._resume = next_cursor

    async def _walk(self) -> AsyncGenerator[Page[T]]:
        cursor = self._start
        # Every cursor read so far: a page pointing back to one of them is a loop.
        seen: set[str | None] = {cursor}
        while True:
            page = _checked(await self._fetch(cursor), seen)
            yield page
            next_cursor = _next_cursor(page)
            if next_cursor is None:
                return
            seen.add(next_cursor)
            cursor = next_cursor

    async def __aiter__(self) -> AsyncGenerator[T]:
        async with aclosing(self._walk()) as pages:
            async for page in pages:
                for item in page.data:
                    yield item
                self._advance(page)

    async def first_page(self) -> Page[T]:
        """Only the first page (one request); refused if its ``next_cursor`` is its own cursor."""
        return _checked(await self._fetch(self._start), {self._start})

    async def to_list(self, *, max_items: int | None = None) -> list[T]:
        """Collect items into a list, stopping after ``max_items`` if given.

        Args:
            max_items: The most items to collect (default: all of them, every page).

        Returns:
            The items, in the list's order.

        Raises:
            SumeError: A page could not be fetched (as for any request).
        """
        items: list[T] = []
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                items.extend(page.data)
                if max_items is not None and len(items) >= max_items:
                    return items[:max_items]
        return items


def _next_cursor(page: Page[Any]) -> str | None:
    """Where the list goes on after ``page``; ``None`` at the last page."""
    return page.next_cursor if page.has_more and page.next_cursor else None


def _checked(page: Page[T], seen: set[str | None]) -> Page[T]:
    """``page``, unless its next cursor leads back to a page already read (``seen``)."""
    next_cursor = _next_cursor(page)
    if next_cursor is not None and next_cursor in seen:
        raise PaginationLoopError(pages=len(seen))
    return page
