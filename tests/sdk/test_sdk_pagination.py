"""``AsyncPager`` on its own: where it starts and where it stops."""

from __future__ import annotations

import pytest

from sume_async import APIResponseValidationError, AsyncPager, Page, PaginationLoopError

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


# -- answers that loop: refused with a typed error before any item comes twice


def _scripted(pages: dict[str | None, Page[str]], asked: list[str | None]) -> AsyncPager[str]:
    async def fetch(cursor: str | None) -> Page[str]:
        asked.append(cursor)
        return pages[cursor]

    return AsyncPager(fetch)


async def test_a_page_pointing_back_to_the_cursor_it_was_resumed_at_is_refused_not_read_twice() -> None:
    asked: list[str | None] = []
    pager = _scripted({"X": Page(["x1", "x2"], True, "X")}, asked).starting_at("X")
    items: list[str] = []
    with pytest.raises(PaginationLoopError) as info:
        async for item in pager:
            items.append(item)
    assert items == [] and asked == ["X"]  # the looping page is refused whole, fetched once
    assert not pager.exhausted and pager.cursor == "X"
    assert "X" not in str(info.value).replace("next_cursor", "")  # the cursor is not in the message
    with pytest.raises(PaginationLoopError):
        await pager.first_page()
    with pytest.raises(PaginationLoopError):
        await pager.to_list()


async def test_a_cursor_cycle_raises_instead_of_ending_silently_unexhausted() -> None:
    """A -> B -> A: the documented resume loop (``while not pager.exhausted``) must end."""
    pages = {None: Page(["a"], True, "A"), "A": Page(["b"], True, "B"), "B": Page(["c"], True, "A")}
    asked: list[str | None] = []
    pager = _scripted(pages, asked)
    items: list[str] = []
    with pytest.raises(PaginationLoopError) as info:
        async for item in pager:
            items.append(item)
    assert items == ["a", "b"] and asked == [None, "A", "B"]  # no item twice, no page fetched twice
    assert info.value.pages == 3 and isinstance(info.value, APIResponseValidationError)
    assert pager.cursor == "B" and not pager.exhausted  # resuming reads the refused page again: refused again
    rounds = 0
    with pytest.raises(PaginationLoopError):
        while not pager.exhausted and rounds < 10:  # the resume loop, bounded here in case of a regression
            rounds += 1
            async for _ in pager.starting_at(pager.cursor):
                pass
    assert rounds == 1
    pages_seen = []
    with pytest.raises(PaginationLoopError):
        async for page in _scripted(pages, []).pages():
            pages_seen.append(list(page.data))
    assert pages_seen == [["a"], ["b"]]


@pytest.mark.parametrize(
    "last",
    [Page(["z"], False, "A"), Page(["z"], True, None), Page(["z"], True, ""), Page(["z"], False, None)],
)
async def test_a_last_page_ends_the_list_whatever_cursor_it_carries(last: Page[str]) -> None:
    pager = _scripted({None: Page(["a"], True, "A"), "A": last}, [])
    assert await pager.to_list() == ["a", "z"]
    assert pager.exhausted and pager.cursor is None
    walked = _scripted({None: Page(["a"], True, "A"), "A": last}, [])
    assert [item async for item in walked] == ["a", "z"] and walked.exhausted and walked.cursor is None
