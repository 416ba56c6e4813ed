"""A misbehaving HTTP/1.1 server on loopback, written with raw sockets.

Each connection reads one request head (and its body, by ``Content-Length``) and then
plays a script: raw bytes to write, pauses, or an abrupt close. Nothing in it is HTTP
aware beyond that, so it can send what no well-behaved server library would: a body
that is not the gzip its header says, a body trickling a byte at a time, a bomb, a
``Retry-After`` in the year 99999, duplicate framing headers.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import SocketStream

#: One step of a script: bytes to send, a pause in seconds, or ``None`` for "close now".
Step = bytes | float | None

#: Given the request head (method and path) and how many requests came before, the steps.
Script = Callable[[str, int], Sequence[Step]]


def head(status: int, headers: dict[str, str] | Sequence[tuple[str, str]] = (), reason: str = "OK") -> bytes:
    items = headers.items() if isinstance(headers, dict) else headers
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in items]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> list[Step]:
    """A complete, well-framed response (whatever its body claims to be)."""
    all_headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
    return [head(status, all_headers) + body]


def json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> list[Step]:
    return response(status, json.dumps(value).encode(), headers)


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped: about a thousandth of that on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


class HostileServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[str] = []
        #: Each request exactly as received: its head and body bytes, framing included.
        self.raw: list[bytes] = []
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    async def _serve(self, stream: SocketStream) -> None:
        async with stream:
            try:
                while True:
                    received = await _read_request(stream)
                    if received is None:
                        return
                    request_line, raw = received
                    index = len(self.requests)
                    self.requests.append(request_line)
                    self.raw.append(raw)
                    for step in self.script(request_line, index):
                        if step is None:
                            return
                        if isinstance(step, float | int):
                            await anyio.sleep(step)
                        else:
                            await stream.send(step)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError):
                return


async def _read_request(stream: SocketStream) -> tuple[str, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
            return None
        data += chunk
    head_bytes, rest = data.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode("latin-1").split("\r\n")
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True

    def complete() -> bool:  # a chunked body ends with its zero-size chunk, whatever Content-Length says
        return rest.endswith(b"0\r\n\r\n") if chunked else len(rest) >= length

    while not complete():
        try:
            rest += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
            return None
    method, path, _ = lines[0].split(" ", 2)
    return f"{method} {path}", head_bytes + b"\r\n\r\n" + rest


@asynccontextmanager
async def hostile_server(script: Script) -> AsyncIterator[HostileServer]:
    server = HostileServer(script)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server._serve)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()
