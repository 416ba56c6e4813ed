"""The mock's ASGI application: routing, request ids, faults, auth, idempotency and logging.

A hand-rolled outer layer rather than Starlette middleware, because it must be able to *not*
answer: a dropped connection aborts the socket (or raises in-process) with nothing sent,
which an exception-handling middleware stack would turn into a 500.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import Receive, Scope, Send

from .. import _rules as rules
from . import _idempotency as idempotency
from ._context import Call, Handler
from ._errors import ApiError, ConnectionDropped, error_body
from ._faults import NO_FAULT, FaultReply
from ._handlers import account, assets, generation, jobs, uploads
from ._lifecycle import MEDIA_PREFIX
from ._media import MEDIA_ROUTE, MediaRoute
from ._redact import REDACTED, redact_headers
from ._runtime import Runtime
from ._signer import STORAGE_PREFIX, STORAGE_ROUTE
from ._state import LoggedRequest, Workspace
from ._storage import StorageRoute

__all__ = ["ROUTES", "MockApp", "Route"]

MAX_JSON_BODY = 1024 * 1024


@dataclass(frozen=True)
class Route:
    """One API operation: ``method`` + ``template`` relative to the base path."""

    method: str
    template: str
    handler: Handler

    @property
    def key(self) -> str:
        """The route template key used by ``route_counts`` and ``Faults.routes``."""
        return f"{self.method} {self.template}"

    @property
    def is_create(self) -> bool:
        return self.method == "POST"


def _handler_name(operation_id: str) -> str:
    """``createImageGeneration`` -> ``create_image_generation``: the handler of an operation."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _routes() -> tuple[Route, ...]:
    """One route per operation of the schema, to the handler named after its operationId.

    The paths come from the snapshot (through the SDK's rules), so a new operation needs only its
    handler: a ``Call -> Reply`` function named after it in one of ``_handlers/``'s modules.
    """
    handlers: dict[str, Handler] = {
        name: getattr(module, name)
        for module in (account, jobs, generation, uploads, assets)
        for name in module.__all__
    }
    routes = []
    for operation_id, rule in rules.OPERATIONS.items():
        name = _handler_name(operation_id)
        if name not in handlers:
            raise RuntimeError(f"the mock has no handler {name}() for {operation_id} ({rule['method']} {rule['path']})")
        routes.append(Route(rule["method"], rule["path"], handlers[name]))
    return tuple(routes)


ROUTES: tuple[Route, ...] = _routes()

_COMPILED: tuple[tuple[Route, re.Pattern[str]], ...] = tuple((r, compile_path(r.template)[0]) for r in ROUTES)


def _json_response(status: int, body: bytes, request_id: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status, {"X-Request-Id": request_id, **(headers or {})}, "application/json")


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@dataclass
class _Outcome:
    status: int | None
    dropped: bool = False


class MockApp:
    """ASGI callable for one mock's :class:`Runtime` (``mock.app``)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.storage: StorageRoute = StorageRoute(runtime)
        self.media: MediaRoute = MediaRoute(runtime)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request_id = self.runtime.store.new_id("req")
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if path.startswith(MEDIA_PREFIX + "jobs/"):
            served = await self.media(scope, receive, send, request_id)
            self._log(scope, path, MEDIA_ROUTE, _Outcome(served), request_id)
            return
        if path.startswith(STORAGE_PREFIX):
            status = await self.storage(scope, receive, send, request_id)
            self._log(scope, "/storage/{uploadId}", STORAGE_ROUTE, _Outcome(status, status is None), request_id)
            return
        outcome = _Outcome(None)
        route_key: str | None = None
        try:
            route, params = self._match(scope["method"], path)
            route_key = route.key
            outcome = await self._handle(scope, receive, send, route, params, request_id)
        except ApiError as exc:
            await self._send_error(scope, receive, send, exc, request_id)
            outcome = _Outcome(exc.status)
        finally:
            self._log(scope, path, route_key, outcome, request_id)
        if outcome.dropped:
            await self._drop(scope, receive)

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        base = self.runtime.settings.base_path
        if not path.startswith(base + "/"):
            raise ApiError(404, "not_found", "No such endpoint.")
        relative = path[len(base) :]
        allowed = False
        for route, regex in _COMPILED:
            found = regex.match(relative)
            if found is None:
                continue
            if route.method == method:
                with self.runtime.store.lock:
                    self.runtime.store.route_counts[route.key] += 1
                return route, found.groupdict()
            allowed = True
        if allowed:
            raise ApiError(405, "method_not_allowed", "Method not allowed on this endpoint.")
        raise ApiError(404, "not_found", "No such endpoint.")

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, route: Route, params: dict[str, str], request_id: str
    ) -> _Outcome:
        runtime = self.runtime
        with runtime.store.lock:
            faults = runtime.faults
            decision = (
                faults.decide(route.key, is_create=route.is_create, request_id=request_id)
                if faults is not None
                else NO_FAULT
            )
        if decision.latency > 0:
            await anyio.sleep(decision.latency)
        if decision.drops:
            return _Outcome(None, dropped=True)
        if decision.reply is not None:
            return await _send_fault(scope, receive, send, decision.reply)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in reversed(scope["headers"])}
        workspace = self._authenticate(headers)
        body = await self._read_json(receive, headers) if route.method == "POST" else None
        status, payload, extra = self._execute(scope, headers, route, params, workspace, body, request_id)
        if decision.drop_after_create and 200 <= status < 300:
            return _Outcome(None, dropped=True)
        await _json_response(status, payload, request_id, extra)(scope, receive, send)
        return _Outcome(status)

    def _execute(
        self,
        scope: Scope,
        headers: dict[str, str],
        route: Route,
        params: dict[str, str],
        workspace: Workspace,
        body: Any,
        request_id: str,
    ) -> tuple[int, bytes, dict[str, str]]:
        """Run the handler atomically, replaying or recording idempotent responses."""
        runtime = self.runtime
        key = idempotency.check_key(headers.get("idempotency-key")) if route.is_create else None
        print_ = ""
        with runtime.store.lock:
            now = runtime.clock.now()
            if key is not None:
                print_ = idempotency.fingerprint(route.key, body)
                entry = idempotency.lookup(runtime.store, workspace.id, key, print_, now)
                if entry is not None:
                    return entry.status, entry.body, {"Idempotent-Replayed": "true"}
            call = Call(
                runtime=runtime,
                workspace=workspace,
                request_id=request_id,
                path_params=params,
                query=QueryParams(scope.get("query_string", b"").decode("latin-1")),
                body=body,
                idempotency_key=key,
                origin=_origin(scope, headers),
                now=now,
            )
            reply = route.handler(call)
            payload = _dumps(reply.body)
            if key is not None and 200 <= reply.status < 300:
                idempotency.remember(runtime.store, workspace.id, key, print_, reply.status, payload, now)
            return reply.status, payload, reply.headers

    def _authenticate(self, headers: dict[str, str]) -> Workspace:
        """Bearer or X-Api-Key (Authorization wins when both are sent); any configured key works."""
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, token = authorization.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _unauthorized("Malformed Authorization header; use 'Bearer <key>'.")
            key = token.strip()
        elif headers.get("x-api-key") is not None:
            key = headers["x-api-key"].strip()
        else:
            raise _unauthorized("Missing API key.")
        with self.runtime.store.lock:
            ws_id = self.runtime.store.workspace_by_key.get(key)
            if ws_id is None:
                raise _unauthorized("Invalid API key.")
            return self.runtime.store.workspaces[ws_id]

    async def _read_json(self, receive: Receive, headers: dict[str, str]) -> Any:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ApiError(400, "bad_request", "The client disconnected.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BODY:
                raise ApiError(400, "bad_request", "The request body is too large.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type and content_type != "application/json" and not content_type.endswith("+json"):
            raise ApiError(400, "bad_request", "Content-Type must be application/json.")
        if not raw.strip():
            raise ApiError(400, "bad_request", "A JSON request body is required.")
        try:
            return json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "bad_request", "The request body is not valid JSON.") from None

    async def _send_error(self, scope: Scope, receive: Receive, send: Send, exc: ApiError, request_id: str) -> _Outcome:
        body = _dumps(error_body(exc.code, exc.message, request_id, exc.details))
        await _json_response(exc.status, body, request_id, exc.headers)(scope, receive, send)
        return _Outcome(exc.status)

    async def _drop(self, scope: Scope, receive: Receive) -> None:
        """Close the connection with no response (abort the socket, or raise in-process)."""
        transport = self.runtime.connections.transport_for(scope.get("client"))
        if transport is None:
            raise ConnectionDropped()
        transport.abort()  # type: ignore[attr-defined]
        while (await receive())["type"] != "http.disconnect":
            pass

    def _log(self, scope: Scope, path: str, route: str | None, outcome: _Outcome, request_id: str) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        if route == STORAGE_ROUTE and query:
            query = REDACTED
        entry = LoggedRequest(
            method=scope["method"],
            path=path,
            query=query,
            route=route,
            status=outcome.status,
            headers=redact_headers(scope["headers"]),
            request_id=request_id,
            dropped=outcome.dropped,
        )
        with self.runtime.store.lock:
            self.runtime.store.requests.append(entry)


async def _send_fault(scope: Scope, receive: Receive, send: Send, reply: FaultReply) -> _Outcome:
    await Response(reply.body, reply.status, dict(reply.headers), reply.media_type)(scope, receive, send)
    return _Outcome(reply.status)


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="sume"'})


def _origin(scope: Scope, headers: dict[str, str]) -> str:
    """``scheme://host[:port]`` the client used, so upload URLs point back at this server."""
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{scope.get('root_path', '')}"


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
