"""``AsyncPager`` on its own: where it starts and where it stops."""

from __future__ import annotations

import pytest

from sume_async import AsyncPager, Page

pytestmark = pytest.mark.anyio

PAGES = {None: Page(["a", "b"], True, "c1"), "c1": Page(["c"], True, "c2"), "c2": Page(["d"], False, None)}


def _pager(asked: list[str | None]) -> AsyncPager[str]:
    async def fetch(cursor: str | None) -> Page[str]:
        asked.append(cursor)
        return PAGES[cursor]

    return AsyncPager(fetch)


async def test_starting_at_a_cursor_fetches_from_there_and_leaves_the_original_alone() -> None:
    asked: list[str | None] = []
    pager = _pager(asked)
    resumed = pager.starting_at("c1")
    assert await resumed.to_list() == ["c", "d"]
    assert asked == ["c1", "c2"]
    assert (await pager.first_page()).data == ["a", "b"]
    assert asked[-1] is None
    assert await resumed.starting_at(None).to_list() == ["a", "b", "c", "d"]
