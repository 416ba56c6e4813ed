"""Cursor pagination, job filters, Asset Library filters, search and sorting."""

from __future__ import annotations

from typing import Any

import pytest
from mock_fixtures import Api, client, clock, conforms, error_code, mock

from sume_async.testing import ManualClock, MockSume

__all__ = ["client", "clock", "mock"]  # fixtures used by name

pytestmark = pytest.mark.anyio


async def collect(c: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list endpoint, following ``next_cursor``."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = await c.get(path, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["object"] == "list"
        items.extend(body["data"])
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return items
        assert body["next_cursor"]
        cursor = body["next_cursor"]


async def test_job_pages_are_stable_while_jobs_are_created(client: Api, clock: ManualClock) -> None:
    for i in range(25):
        await client.post("/images/generations", {"prompt": f"p{i}"})
        clock.advance(0.001 if i % 2 else 0)  # some jobs share a timestamp: the id order breaks ties
    first = (await client.get("/jobs", params={"limit": 10})).json()
    assert len(first["data"]) == 10 and first["has_more"]
    # New jobs arrive while paging: they are newer, so they never show up on later pages.
    for i in range(3):
        await client.post("/images/generations", {"prompt": f"late{i}"})
    rest = await collect(client, "/jobs", limit=10, cursor=first["next_cursor"])
    seen = [job["id"] for job in first["data"] + rest]
    assert len(seen) == len(set(seen)) == 25
    newest_first = await collect(client, "/jobs", limit=100)
    assert [job["id"] for job in newest_first][3:] == seen


async def test_default_and_max_limit(client: Api) -> None:
    for i in range(21):
        await client.post("/images/generations", {"prompt": f"p{i}"})
    assert len((await client.get("/jobs")).json()["data"]) == 20
    assert len((await client.get("/jobs", params={"limit": 100})).json()["data"]) == 21


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/jobs", {"limit": "0"}, "limit"),
        ("/jobs", {"limit": "101"}, "limit"),
        ("/jobs", {"limit": "ten"}, "limit"),
        ("/jobs", {"type": "gif_generation"}, "type"),
        ("/jobs", {"status": "done"}, "status"),
        ("/avatars", {"limit": "0"}, "limit"),
        ("/brand", {"limit": "101"}, "limit"),
        ("/assets", {"sort": "random"}, "sort"),
        ("/assets", {"search_mode": "semantic"}, "search_mode"),
        ("/assets", {"cta_present": "maybe"}, "cta_present"),
        ("/assets", {"min_duration_seconds": "long"}, "min_duration_seconds"),
        ("/assets", {"created_after": "yesterday"}, "created_after"),
        ("/assets/asset_seed_glow_hook", {"search_score": "high"}, "search_score"),
    ],
)
async def test_bad_query_values(client: Api, path: str, params: dict[str, str], field: str) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422 and error_code(response) == "validation_error"
    assert field in response.json()["error"]["details"]["fields"]


@pytest.mark.parametrize("path", ["/jobs", "/avatars", "/brand", "/assets"])
async def test_garbled_cursor_is_a_bad_request(client: Api, path: str) -> None:
    response = await client.get(path, params={"cursor": "not-a-cursor"})
    assert response.status_code == 400 and error_code(response) == "bad_request"
    conforms(response, "GET", path)
    # A cursor from another list (or another sort) is rejected, not misread.
    jobs_cursor = None
    if path != "/jobs":
        for i in range(2):
            await client.post("/images/generations", {"prompt": str(i)})
        jobs_cursor = (await client.get("/jobs", params={"limit": 1})).json()["next_cursor"]
        assert (await client.get(path, params={"cursor": jobs_cursor})).status_code == 400


async def test_job_filters(client: Api, clock: ManualClock, mock: MockSume) -> None:
    await client.post("/images/generations", {"prompt": "a"})
    await client.post("/videos/generations", {"prompt": "b"})
    clock.advance(10)  # the image completes, the video still processes
    await client.post("/images/generations", {"prompt": "c"})
    by_type = await collect(client, "/jobs", type="image_generation")
    assert [j["type"] for j in by_type] == ["image_generation"] * 2
    processing = await collect(client, "/jobs", status="processing")
    assert [j["type"] for j in processing] == ["video_generation"]
    completed = await collect(client, "/jobs", status="completed", type="image_generation")
    assert len(completed) == 1
    assert await collect(client, "/jobs", status="failed") == []


async def test_catalog_pagination(client: Api) -> None:
    avatars = await collect(client, "/avatars", limit=2)
    assert len(avatars) == len({a["id"] for a in avatars}) >= 6
    brands = await collect(client, "/brand", limit=1)
    assert len(brands) == 3


async def test_asset_search_and_context(client: Api) -> None:
    found = (await client.get("/assets", params={"q": "Woman CAMERA"})).json()["data"]
    assert found, "seeded assets match"
    scores = [a["search"]["score"] for a in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert all(a["search"] == {"mode": "text", "score": a["search"]["score"], "query": "Woman CAMERA"} for a in found)
    top = found[0]
    text = (top["title"] + " " + str(top["metadata"])).lower()
    assert "woman" in text and "camera" in text
    plain = (await client.get("/assets")).json()["data"]
    assert all(a["search"] is None for a in plain)
    assert (await client.get("/assets", params={"q": "zzzz-nothing"})).json()["data"] == []

    one = await client.get(f"/assets/{top['id']}", params={"q": "woman camera", "search_score": 0.5})
    assert one.json()["search"] == {"mode": "text", "score": 0.5, "query": "woman camera"}
    rescored = await client.get(f"/assets/{top['id']}", params={"q": "woman camera"})
    assert rescored.json()["search"]["score"] > 0


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"source_type": "upload"}, lambda a: a["metadata"]["source_type"] == "upload"),
        ({"source_type": "GENERATED"}, lambda a: a["metadata"]["source_type"] == "generated"),
        ({"segment_type": "cta"}, lambda a: a["metadata"]["segment_type"] == "cta"),
        ({"brand": "northpeak outdoor"}, lambda a: a["metadata"]["brand"] == "Northpeak Outdoor"),
        ({"product": "Dawn Roast"}, lambda a: a["metadata"]["product"] == "Dawn Roast"),
        ({"tag": "ugc"}, lambda a: "ugc" in a["metadata"]["tags"]),
        ({"keyword": "cta"}, lambda a: "cta" in a["metadata"]["keywords"]),
        ({"cta_present": "true"}, lambda a: a["metadata"]["cta_present"] is True),
        ({"cta_present": "false"}, lambda a: a["metadata"]["cta_present"] is False),
        ({"min_duration_seconds": "9"}, lambda a: a["end_time_seconds"] - a["start_time_seconds"] >= 9),
        ({"max_duration_seconds": "3"}, lambda a: a["end_time_seconds"] - a["start_time_seconds"] <= 3),
        ({"created_after": "2024-12-27T00:00:00Z"}, lambda a: a["created_at"] > "2024-12-27"),
        ({"created_before": "2024-12-27T00:00:00+00:00"}, lambda a: a["created_at"] < "2024-12-27"),
        ({"q": "serum", "segment_type": "demo"}, lambda a: a["metadata"]["segment_type"] == "demo"),
    ],
)
async def test_asset_filters(client: Api, params: dict[str, str], check: Any) -> None:
    everything = await collect(client, "/assets")
    matching = await collect(client, "/assets", limit=2, **params)
    assert matching, params
    assert all(check(a) for a in matching)
    assert [a["id"] for a in everything if check(a)] == [a["id"] for a in matching] or "q" in params


@pytest.mark.parametrize("sort", ["created_at_desc", "created_at_asc", "duration_desc", "relevance"])
async def test_asset_sorts_page_consistently(client: Api, sort: str) -> None:
    whole = (await client.get("/assets", params={"sort": sort, "q": "the", "limit": 100})).json()["data"]
    paged = await collect(client, "/assets", sort=sort, q="the", limit=3)
    assert [a["id"] for a in paged] == [a["id"] for a in whole]
    if sort == "created_at_asc":
        assert [a["created_at"] for a in paged] == sorted(a["created_at"] for a in paged)
    if sort == "duration_desc":
        durations = [a["end_time_seconds"] - a["start_time_seconds"] for a in paged]
        assert durations == sorted(durations, reverse=True)


async def test_rfc3339_variants_are_accepted(client: Api) -> None:
    for value in ("2024-12-27t00:00:00z", "2024-12-27T01:30:00.123456+01:30", "2024-12-31T23:59:60Z"):
        assert (await client.get("/assets", params={"created_after": value})).status_code == 200
