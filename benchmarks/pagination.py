"""Pagination: 50,000 jobs over 500 pages of 100 from the mock, in-process (ASGITransport).

``async for job in sume.jobs.list(limit=100)`` (on the httpx client the SDK creates, and
on a caller's own ``http_client``, replayed only) against a raw httpx cursor loop
(``json.loads`` of each page, ``next_cursor`` passed back as ``cursor``), both through
``httpx.ASGITransport`` to the same mock.

Two measurements:

* live: every page computed by the mock (which filters and sorts all 50,000 jobs for each
  page, a few ms). The time spent inside the mock's app is also measured and subtracted
  to give a client-side rate.
* replayed: the mock's responses recorded on the first pass and served again, byte for
  byte, by a thin ASGI layer in front of it, so the run times the clients, not the mock.
  Timed in process CPU time (everything runs in this one thread, and other processes on a
  shared machine disturb it far less than the wall clock). Median of several rounds,
  variants interleaved.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx

from ._common import clean, fmt, log, median, spread, table, verdict

TARGET_RATIO = 0.8
#: Client cost alone (replayed pages): the typed models may cost something over ``json.loads``.
TARGET_REPLAYED_RATIO = 0.6
BASE_URL = "http://testserver/api/v1"


class TimedReplayApp:
    """ASGI layer over ``app``: times every call, and replays recorded responses when asked."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.recorded: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
        self.replay = False
        self.app_seconds = 0.0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = tuple(sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"))))
        key = (scope["method"], scope["path"], query)
        if self.replay and key in self.recorded:
            for message in self.recorded[key]:
                await send(message)
            return
        messages: list[dict[str, Any]] = []

        async def keep(message: dict[str, Any]) -> None:
            messages.append(message)
            await send(message)

        start = time.perf_counter()
        await self.app(scope, receive, keep)
        self.app_seconds += time.perf_counter() - start
        if scope["method"] == "GET":
            self.recorded[key] = messages


def seed_jobs(mock: Any, total: int) -> None:
    """``total`` jobs in the default workspace: one made through the API, the rest copies of it."""
    template = next(iter(mock.jobs))
    mock.clone_jobs(template, total - len(mock.jobs))


async def _first_job(mock: Any) -> None:
    from sume_async.testing import DEFAULT_API_KEY

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=mock.app),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
    ) as client:
        (await client.post("/images/generations", json={"prompt": "benchmark"})).raise_for_status()


async def _measure(total: int, page: int, rounds: int, live_rounds: int) -> dict[str, Any]:
    from sume_async import AsyncSume
    from sume_async._generated.models import Job
    from sume_async.testing import DEFAULT_API_KEY, ManualClock, MockSume

    mock = MockSume(clock=ManualClock(), credits=10**9)
    await _first_job(mock)
    seed_jobs(mock, total)
    app = TimedReplayApp(mock.app)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    # The httpx client the SDK creates (given only the transport), and a caller's own http_client.
    sume = AsyncSume(api_key=DEFAULT_API_KEY, base_url=BASE_URL, transport=transport, allow_insecure_http=True)
    sume_http = httpx.AsyncClient(transport=transport)
    sume_user = AsyncSume(api_key=DEFAULT_API_KEY, base_url=BASE_URL, http_client=sume_http, allow_insecure_http=True)
    raw = httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    )

    async def via_sume(client: AsyncSume = sume) -> int:
        count = 0
        async for _ in client.jobs.list(limit=page):
            count += 1
        return count

    async def via_raw(model: bool = False) -> int:
        count = 0
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": page}
            if cursor:
                params["cursor"] = cursor
            response = await raw.get("/jobs", params=params)
            response.raise_for_status()
            body = json.loads(response.content)
            for item in body["data"]:
                if model:
                    Job.from_dict(item)
                count += 1
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return count

    variants = {
        "AsyncSume jobs.list": via_sume,
        "raw httpx cursor loop": via_raw,
        "raw httpx cursor loop + Job.from_dict": lambda: via_raw(True),
        "AsyncSume jobs.list, your http_client": lambda: via_sume(sume_user),
    }
    out: dict[str, Any] = {"live": {}, "replayed": {name: [] for name in variants}}

    async def timed(name: str) -> tuple[float, float]:
        app.app_seconds = 0.0
        start = time.perf_counter()
        count = await variants[name]()
        elapsed = time.perf_counter() - start
        if count != total:
            raise RuntimeError(f"{name}: {count} items, expected {total}")
        return elapsed, app.app_seconds

    try:
        # Live passes (the first one also records the pages for the replays). The typed raw
        # loop differs from the plain one only on the client side, so it is replayed only.
        await sume.jobs.list(limit=page).first_page()  # warm-up: first-use costs out of the timings
        await sume_user.jobs.list(limit=page).first_page()
        (await raw.get("/jobs", params={"limit": page})).raise_for_status()
        live_names = list(variants)[:2]
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in live_names}
        for r in range(live_rounds):
            for name in live_names if r % 2 == 0 else live_names[::-1]:
                log(f"pagination: live {name}")
                runs[name].append(await timed(name))
        for name, timings in runs.items():
            out["live"][name] = {
                "items_per_s": median([total / elapsed for elapsed, _ in timings]),
                "client_items_per_s": median([total / max(elapsed - in_app, 1e-9) for elapsed, in_app in timings]),
                "mock_s": median([in_app for _, in_app in timings]),
                "runs_items_per_s": [total / elapsed for elapsed, _ in timings],
            }
        app.replay = True
        names = list(variants)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                cpu_start = time.process_time()
                await timed(name)
                out["replayed"][name].append(total / (time.process_time() - cpu_start))
    finally:
        await sume.close()
        await sume_user.close()
        await sume_http.aclose()
        await raw.aclose()
    return out


def run(*, quick: bool = False, runs: int | None = None) -> dict[str, Any]:
    total = 5_000 if quick else 50_000
    page = 100
    rounds = runs or (2 if quick else 5)
    log(f"pagination: {total:,} jobs, {total // page} pages, {rounds} replayed rounds per variant")

    live_rounds = runs or (1 if quick else 3)
    data = anyio.run(_measure, total, page, rounds, live_rounds)
    live, replayed = data["live"], data["replayed"]
    raw_name, sume_name = "raw httpx cursor loop", "AsyncSume jobs.list"
    live_ratio = live[sume_name]["items_per_s"] / live[raw_name]["items_per_s"]
    live_client_ratio = live[sume_name]["client_items_per_s"] / live[raw_name]["client_items_per_s"]
    ratios = [s / r for s, r in zip(replayed[sume_name], replayed[raw_name], strict=True)]
    replay_ratio = median(ratios)
    met = live_ratio >= TARGET_RATIO
    replay_met = replay_ratio >= TARGET_REPLAYED_RATIO
    table(
        f"Pagination: {total:,} jobs in {total // page} pages of {page}, in-process mock "
        f"(median of {live_rounds} live, {rounds} replayed)",
        ["client", "live items/s", "live, client-side items/s", "replayed items/s", "replayed × raw", "replayed runs"],
        [
            [
                name,
                live[name]["items_per_s"] if name in live else None,
                live[name]["client_items_per_s"] if name in live else None,
                median(replayed[name]),
                median([a / b for a, b in zip(replayed[name], replayed[raw_name], strict=True)]),
                spread(replayed[name]),
            ]
            for name in replayed
        ],
        [
            f"Live: AsyncSume = {fmt(live_ratio)}x raw end to end (the mock spends "
            f"{fmt(live[raw_name]['mock_s'] / (total // page) * 1000)} ms per page), "
            f"{fmt(live_client_ratio)}x client-side.",
            f"Target >= {TARGET_RATIO}x raw live: {verdict(met)} ({fmt(live_ratio)}x); "
            f">= {TARGET_REPLAYED_RATIO}x on replayed pages (client cost only, median of {rounds}): "
            f"{verdict(replay_met)} ({fmt(replay_ratio)}x).",
        ],
    )
    return clean(
        {
            "items": total,
            "page_size": page,
            "rounds": rounds,
            "live": live,
            "replayed": {name: {"items_per_s": median(v), "runs": v} for name, v in replayed.items()},
            "ratio_live": live_ratio,
            "ratio_live_client_side": live_client_ratio,
            "ratio_replayed": replay_ratio,
            "target": {
                "min_ratio": TARGET_RATIO,
                "min_ratio_replayed": TARGET_REPLAYED_RATIO,
                "met_live": met,
                "met_replayed": replay_met,
            },
        }
    )
