"""Helpers for SDK tests that use a scripted httpx transport (no server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sume_async import AsyncSume, PollPolicy, RetryPolicy

KEY = "sume_live_unit_test_key_5f3a9c"
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.005)
FAST_POLL = PollPolicy(first=0.005, factor=1.5, short_cap=0.02, long_cap=0.02, error_delay=0.005)

Handler = Callable[[httpx.Request], httpx.Response]


def job(job_id: str = "job_1", status: str = "queued", type_: str = "image_generation", **extra: Any) -> dict[str, Any]:
    return {"id": job_id, "object": "job", "status": status, "type": type_, **extra}


def envelope(code: str, message: str = "message", request_id: str = "req_1", **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}, "request_id": request_id}


def client(handler: Handler, **kwargs: Any) -> AsyncSume:
    kwargs.setdefault("retry_policy", FAST_RETRY)
    kwargs.setdefault("poll_policy", FAST_POLL)
    kwargs.setdefault("max_polls_per_second", None)  # intervals of milliseconds: no real-API budget
    return AsyncSume(KEY, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), **kwargs)


class Recorder:
    """A handler that records requests and answers from a queue or a function."""

    def __init__(self, answer: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self._answer(request)
