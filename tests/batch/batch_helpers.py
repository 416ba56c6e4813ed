"""Shared set-up for the batch tests: an in-process mock and a fast client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sdk_helpers import FAST_POLL, FAST_RETRY

from sume_async import AsyncSume
from sume_async.testing import DEFAULT_API_KEY, MockSume


def image_rows(n: int, prefix: str = "sku") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}-{i}", "kind": "image", "params": {"prompt": f"Product shot {i}"}} for i in range(n)]


@asynccontextmanager
async def mock_client(mock: MockSume, **kwargs: Any) -> AsyncIterator[AsyncSume]:
    """An SDK client on ``mock`` in-process (ASGI)."""
    kwargs.setdefault("poll_policy", FAST_POLL)
    kwargs.setdefault("retry_policy", FAST_RETRY)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock.app))
    async with (
        http,
        AsyncSume(
            DEFAULT_API_KEY, base_url="http://testserver/api/v1", http_client=http, allow_insecure_http=True, **kwargs
        ) as sume,
    ):
        yield sume


def creates(mock: MockSume) -> int:
    return sum(
        count for route, count in mock.route_counts.items() if route.startswith("POST /") and "uploads" not in route
    )


#: ``(request, nth) -> a response to send instead, "after" (forward, then answer the fault), or None``.
Rule = Any


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps the mock's transport; ``rule(request, nth)`` injects one answer (``nth``: that route's count so far)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rule: Rule) -> None:
        self.inner = inner
        self.rule = rule
        self.seen: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        nth = self.seen[key] = self.seen.get(key, 0) + 1
        decision = self.rule(request, nth)
        if decision is None:
            return await self.inner.handle_async_request(request)
        if isinstance(decision, tuple) and decision[0] == "after":
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return decision[1]
        assert isinstance(decision, httpx.Response)
        return decision


@asynccontextmanager
async def faulty_client(mock: MockSume, rule: Rule, **kwargs: Any) -> AsyncIterator[AsyncSume]:
    """An SDK client on ``mock`` in-process, with ``rule`` injecting faults (see :class:`FaultyTransport`)."""
    kwargs.setdefault("poll_policy", FAST_POLL)
    kwargs.setdefault("retry_policy", FAST_RETRY)
    http = httpx.AsyncClient(transport=FaultyTransport(httpx.ASGITransport(app=mock.app), rule))
    async with (
        http,
        AsyncSume(
            DEFAULT_API_KEY, base_url="http://testserver/api/v1", http_client=http, allow_insecure_http=True, **kwargs
        ) as sume,
    ):
        yield sume
