"""Bookkeeping of real TCP connections, fed by the uvicorn protocol that ``serve()`` installs.

Counts open connections (and the peak) so tests can check a client's pool limits, and maps a
peer address to its transport so the app can abort the connection behind a request (the
``rate_drop`` faults) without ASGI offering any way to do so.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["ConnectionTracker"]

Peer = tuple[str, int]


class ConnectionTracker:
    """Thread-safe: connections open on the server thread, tests read counts on theirs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._transports: dict[Peer, asyncio.BaseTransport] = {}
        self._open = 0
        self._peak = 0

    @property
    def open(self) -> int:
        with self._lock:
            return self._open

    @property
    def peak(self) -> int:
        with self._lock:
            return self._peak

    def reset_peak(self) -> None:
        """Start a new peak measurement from the connections open now."""
        with self._lock:
            self._peak = self._open

    def opened(self, peer: Peer | None, transport: asyncio.BaseTransport) -> None:
        with self._lock:
            self._open += 1
            self._peak = max(self._peak, self._open)
            if peer is not None:
                self._transports[peer] = transport

    def closed(self, peer: Peer | None, transport: asyncio.BaseTransport) -> None:
        with self._lock:
            self._open = max(0, self._open - 1)
            if peer is not None and self._transports.get(peer) is transport:
                del self._transports[peer]

    def transport_for(self, client: object) -> asyncio.BaseTransport | None:
        """The live transport of ASGI ``scope["client"]``, if it is one of ours."""
        if not isinstance(client, list | tuple) or len(client) != 2:
            return None
        with self._lock:
            return self._transports.get((str(client[0]), int(client[1])))
