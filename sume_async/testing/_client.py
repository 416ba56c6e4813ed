"""``client_for(mock)``: an ``AsyncSume`` matched to a mock in one call."""

from __future__ import annotations

from typing import Any

import httpx

from .._client import AsyncSume
from .._retries import RetryPolicy
from .._waiting import PollPolicy
from ._clock import ScaledClock
from ._mock import DEFAULT_API_KEY, MockSume

__all__ = ["client_for", "speed_of"]

#: Base URL of a mock served in-process (any host works; this is httpx's and starlette's).
ASGI_HOST = "http://testserver"


def speed_of(mock: MockSume) -> float:
    """Simulated seconds per real second: the mock's ``speed``, or 1 on a ``ManualClock``."""
    return mock.clock.speed if isinstance(mock.clock, ScaledClock) else 1.0


def client_for(
    mock: MockSume,
    base_url: str | None = None,
    *,
    api_key: str = DEFAULT_API_KEY,
    **options: Any,
) -> AsyncSume:
    """An :class:`~sume_async.AsyncSume` for ``mock``: its base URL, key and speed.

    Without ``base_url`` the client talks to ``mock.app`` in-process (no socket, asyncio or
    trio); pass the URL from :func:`~sume_async.testing.serve` to go over loopback instead.
    Job polling and retry backoff run ``speed`` times faster, as the mock's clock does, so
    ``MockSume(speed=100)`` finishes a 6 s image job's wait in about 60 ms: the default
    :class:`PollPolicy` and :class:`RetryPolicy` are scaled by ``1 / speed`` (a
    ``ManualClock`` counts as speed 1). ``options`` go to ``AsyncSume`` and win over the
    scaled defaults (``poll_policy=``, ``retry_policy=``, ``timeout=``, ...).

    Use it as any client: ``async with client_for(mock) as sume: ...``; closing it closes
    the in-process transport too.
    """
    scale = 1.0 / speed_of(mock)
    options.setdefault("poll_policy", PollPolicy().scaled(scale))
    if "retry_policy" not in options:
        defaults = RetryPolicy(max_retries=options.pop("max_retries", RetryPolicy().max_retries))
        options["retry_policy"] = RetryPolicy(
            max_retries=defaults.max_retries,
            initial_delay=defaults.initial_delay * scale,
            max_delay=defaults.max_delay * scale,
            max_retry_after=defaults.max_retry_after * scale,
        )
    if base_url is not None:
        return AsyncSume(api_key, base_url=base_url, **options)
    if "http_client" in options or "transport" in options:
        raise TypeError("client_for: pass base_url= with http_client= or transport=, or none of them")
    options.setdefault("allow_insecure_http", True)  # nothing leaves the process
    transport = httpx.ASGITransport(app=mock.app)
    return AsyncSume(api_key, base_url=ASGI_HOST + mock.base_path, transport=transport, **options)
