"""Serving a ``MockSume`` on a real loopback socket with uvicorn.

uvicorn only runs on asyncio, and the mock must be usable from trio tests too, so ``serve()``
runs uvicorn on its own event loop in a background thread and the caller's task (asyncio or
trio, via anyio) only waits for it to start and stop. One code path for both backends, and the
server never competes with the code under test for its event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar, cast

import anyio
import anyio.to_thread
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._connections import ConnectionTracker
from ._mock import MockSume

__all__ = ["LoopbackServer", "serve"]


class _TrackingProtocol(H11Protocol):
    """uvicorn's h11 protocol, reporting connections to the mock's tracker."""

    tracker: ClassVar[ConnectionTracker]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.tracker.opened(self.client, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.tracker.closed(self.client, self.transport)
        super().connection_lost(exc)


def _protocol_for(mock: MockSume) -> type[asyncio.Protocol]:
    return cast(type[asyncio.Protocol], type("MockSumeProtocol", (_TrackingProtocol,), {"tracker": mock.connections}))


class _Server(uvicorn.Server):
    """uvicorn's server with a prompt, thread-safe stop and a hook when listening."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[_Server], None]) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    async def startup(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started(self)

    async def main_loop(self) -> None:
        # uvicorn polls every 0.1 s; waiting on an event makes stop() take effect at once.
        assert self._stop is not None
        counter = 0
        while not await self.on_tick(counter):
            counter += 10  # refresh the Date header on every tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 1.0)

    def stop(self) -> None:
        """Ask the server to shut down; callable from any thread."""
        self.should_exit = True
        loop, event = self._loop, self._stop
        if loop is not None and event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    @property
    def port(self) -> int:
        return int(self.servers[0].sockets[0].getsockname()[1])


class LoopbackServer:
    """uvicorn serving a mock on its own thread and event loop."""

    def __init__(self, mock: MockSume, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning") -> None:
        self.mock = mock
        self.host = host
        config = uvicorn.Config(
            mock.app,
            host=host,
            port=port,
            http=_protocol_for(mock),
            ws="none",
            lifespan="off",
            log_config=None,
            log_level=log_level,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=3,
        )
        self._ready = threading.Event()
        self._on_started: Callable[[], None] | None = None
        self._server = _Server(config, self._started)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:54321/api/v1``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.port}{self.mock.base_path}"

    def start(self) -> None:
        """Start the server thread (returns at once; see :meth:`wait_started`)."""
        self._thread = threading.Thread(target=self._run, name="sume-mock-server", daemon=True)
        self._thread.start()

    def wait_started(self, timeout: float = 30.0) -> None:
        """Block until the socket listens; raise if the server could not start."""
        if not self._ready.wait(timeout):
            raise TimeoutError("the mock server did not start")
        if self._error is not None:
            raise OSError(f"the mock server could not start: {self._error!r}")

    def stop(self) -> None:
        """Stop the server and wait for its thread (closes open connections)."""
        self._server.stop()
        if self._thread is not None:
            self._thread.join()

    def run(self, on_started: Callable[[], None] | None = None) -> None:
        """Serve on the current thread until SIGINT/SIGTERM (used by the CLI).

        ``on_started`` runs once the socket listens (``base_url`` is known by then).
        """
        self._on_started = on_started
        self._server.run()

    def _started(self, _: _Server) -> None:
        self._ready.set()
        if self._on_started is not None:
            self._on_started()

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # uvicorn reports a failed bind with SystemExit
            self._error = exc
        finally:
            if not self._server.started and self._error is None:
                self._error = RuntimeError("server exited during startup")
            self._ready.set()


@contextlib.asynccontextmanager
async def serve(
    mock: MockSume, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning"
) -> AsyncIterator[str]:
    """Serve ``mock`` on a real socket; yields the API base URL. Works under asyncio and trio.

    ``port=0`` picks a free port. On exit the server stops and its connections are closed,
    even when the block is cancelled.
    """
    server = LoopbackServer(mock, host, port, log_level=log_level)
    server.start()
    try:
        await anyio.to_thread.run_sync(server.wait_started)
        yield server.base_url
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(server.stop)
