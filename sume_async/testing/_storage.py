"""The mock's storage host: signed upload URLs and the streaming ``PUT`` that receives bytes.

Stands in for the object store a presigned URL points at. It checks what a real one checks
(HMAC signature, expiry, the required headers, the exact ``Content-Length``) and one thing a
real one cannot: that the client did not send its Sume ``Authorization``/``X-Api-Key`` to the
storage host. The body is streamed to a temporary file chunk by chunk and counted as it
arrives, so a 256 MiB upload never sits in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any
from urllib.parse import parse_qs

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._errors import error_body
from ._runtime import Runtime
from ._signer import STORAGE_PREFIX, UPLOAD_TOKEN_HEADER
from ._state import CredentialLeak, UploadRecord

__all__ = ["StorageRoute"]

CREDENTIAL_HEADERS = ("authorization", "x-api-key")
WRITE_BATCH = 1024 * 1024


class _Reject(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details


class StorageRoute:
    """ASGI handler for ``PUT /storage/{uploadId}``; returns the status sent (``None``: client gone)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> int | None:
        try:
            upload, length = self._admit(scope, request_id)
        except _Reject as rejected:
            return await self._reply(scope, receive, send, request_id, rejected)
        with self.runtime.store.lock:
            fault = self.runtime.faults.decide_storage() if self.runtime.faults is not None else None
        if fault is not None:
            if not await _drain(receive):
                return None
            return await self._reply(
                scope, receive, send, request_id, _Reject(fault, "service_unavailable", "Storage is unavailable.")
            )
        return await self._receive_body(scope, receive, send, request_id, upload, length)

    def _admit(self, scope: Scope, request_id: str) -> tuple[UploadRecord, int]:
        """All checks that need no body, in the order a careful object store applies them."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        leaked = tuple(name for name in CREDENTIAL_HEADERS if name in headers)
        if leaked:
            with self.runtime.store.lock:
                self.runtime.store.credential_leaks.append(
                    CredentialLeak(scope["method"], "/storage/{uploadId}", leaked, request_id)
                )
            raise _Reject(403, "credentials_not_allowed", "Storage requests must not carry Sume API credentials.")
        if scope["method"] != "PUT":
            raise _Reject(405, "method_not_allowed", "Use PUT.")
        upload_id = scope["path"][len(STORAGE_PREFIX) :]
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        with self.runtime.store.lock:
            upload = self.runtime.store.uploads.get(upload_id)
            if upload is None:
                raise _Reject(404, "not_found", "No such upload.")
            try:
                expires = int(query.get("expires", [""])[-1])
            except ValueError:
                raise _Reject(403, "signature_invalid", "The upload URL signature is invalid.") from None
            if not self.runtime.signer.verify(upload, expires, query.get("signature", [""])[-1]):
                raise _Reject(403, "signature_invalid", "The upload URL signature is invalid.")
            if self.runtime.wall_seconds() > expires:
                raise _Reject(403, "url_expired", "The upload URL has expired.")
            if upload.finalized:
                raise _Reject(409, "upload_finalized", "This upload was already finalized.")
            wanted = {"content-type": upload.content_type, UPLOAD_TOKEN_HEADER: upload.token}
            for name, value in wanted.items():
                if not hmac.compare_digest(headers.get(name, "").encode("latin-1"), value.encode("latin-1")):
                    raise _Reject(
                        403, "required_header_mismatch", "A required header is missing or wrong.", {"header": name}
                    )
            if "chunked" in headers.get("transfer-encoding", "").lower() or "content-length" not in headers:
                raise _Reject(411, "length_required", "Content-Length is required.")
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise _Reject(400, "content_length_mismatch", "Content-Length is not a number.") from None
            if length != upload.size_bytes:
                raise _Reject(
                    400,
                    "content_length_mismatch",
                    "Content-Length must equal the presigned size_bytes.",
                    {"expected": upload.size_bytes, "received": length},
                )
            upload.attempts += 1
            upload.complete = False
            upload.received_bytes = 0
        return upload, length

    async def _receive_body(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, upload: UploadRecord, length: int
    ) -> int | None:
        directory = self.runtime.upload_dir()
        final = directory / upload.id
        part = directory / f"{upload.id}.{upload.attempts}.part"
        digest = hashlib.md5(usedforsecurity=False)
        received = 0
        pending = bytearray()
        ok = False
        try:
            # Bytes are counted as each network chunk arrives (so an overflow stops at once) and
            # written in batches of at most WRITE_BATCH through a worker thread, so memory stays
            # bounded and the server's event loop never blocks on the disk.
            async with await anyio.open_file(part, "wb") as sink:
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    chunk: bytes = message.get("body", b"")
                    received += len(chunk)
                    with self.runtime.store.lock:
                        upload.received_bytes = received
                    if received > length:
                        error = _Reject(400, "content_length_mismatch", "More bytes than Content-Length.")
                        return await self._reply(scope, receive, send, request_id, error)
                    digest.update(chunk)
                    pending += chunk
                    more = message.get("more_body", False)
                    if len(pending) >= WRITE_BATCH or not more:
                        await sink.write(bytes(pending))
                        pending.clear()
                    if not more:
                        break
            if received != length:
                error = _Reject(400, "content_length_mismatch", "Fewer bytes than Content-Length.")
                return await self._reply(scope, receive, send, request_id, error)
            os.replace(part, final)
            ok = True
        finally:
            if not ok:
                part.unlink(missing_ok=True)
                final.unlink(missing_ok=True)
        with self.runtime.store.lock:
            upload.complete = True
            upload.path = final
        etag = f'"{digest.hexdigest()}"'
        await Response(status_code=200, headers={"ETag": etag, "X-Request-Id": request_id})(scope, receive, send)
        return 200

    async def _reply(self, scope: Scope, receive: Receive, send: Send, request_id: str, rejected: _Reject) -> int:
        body = error_body(rejected.code, rejected.message, request_id, rejected.details)
        response = Response(
            json.dumps(body, separators=(",", ":")),
            status_code=rejected.status,
            media_type="application/json",
            headers={"X-Request-Id": request_id},
        )
        await response(scope, receive, send)
        return rejected.status


async def _drain(receive: Receive) -> bool:
    """Read and discard a request body; ``False`` if the client went away first."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return False
        if not message.get("more_body", False):
            return True
