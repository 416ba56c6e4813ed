"""Mocks altered to contradict the contract: an ASGI wrapper around ``MockSume.app`` for doctor tests.

``Altered(mock.app, rewrite=..., drop_request_headers=...)`` passes every request to the mock
and hands its answer to ``rewrite(method, path, status, headers, body)``, which returns the
answer to send instead. Nothing in the product knows about it: the mock stays as it is, and
the test serves the wrapped app (``mock.app = Altered(mock.app, ...)`` before serving it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, bytes]
Rewrite = Callable[[str, str, int, Headers, bytes], Answer]


class Altered:
    def __init__(self, app: Any, *, rewrite: Rewrite | None = None, drop_request_headers: Iterable[str] = ()) -> None:
        self.app = app
        self.rewrite = rewrite
        self.drop = {name.lower().encode() for name in drop_request_headers}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.drop:
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in self.drop]}
        if self.rewrite is None:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body = bytearray()
        rewrite = self.rewrite

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            status, headers, new = rewrite(
                scope["method"], scope["path"], start["status"], list(start["headers"]), bytes(body)
            )
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(new)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": new})

        await self.app(scope, receive, capture)


def json_rewrite(change: Callable[[str, str, Any], Any]) -> Rewrite:
    """A rewrite of JSON answers only: ``change(method, path, data)`` returns the data to send."""

    def rewrite(method: str, path: str, status: int, headers: Headers, body: bytes) -> Answer:
        kind = dict(headers).get(b"content-type", b"")
        if not kind.startswith(b"application/json") or not body:
            return status, headers, body
        return status, headers, json.dumps(change(method, path, json.loads(body))).encode()

    return rewrite


def renamed(old: str, new: str) -> Rewrite:
    """Every key ``old`` in every JSON answer is called ``new``."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {(new if k == old else k): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json_rewrite(lambda method, path, data: walk(data))


def replaced_value(key: str, old: Any, new: Any) -> Rewrite:
    """Every ``key: old`` in every JSON answer becomes ``key: new`` (an enum value the SDK does not list)."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (new if k == key and v == old else walk(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json_rewrite(lambda method, path, data: walk(data))


def html_errors(method: str, path: str, status: int, headers: Headers, body: bytes) -> Answer:
    """Every error answer is a proxy's HTML page."""
    if status < 400:
        return status, headers, body
    kept = [(k, v) for k, v in headers if k.lower() != b"content-type"]
    return status, [*kept, (b"content-type", b"text/html; charset=utf-8")], b"<html><body>Oops</body></html>"
