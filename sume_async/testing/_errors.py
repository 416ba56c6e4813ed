"""Error values of the mock: the API error envelope and the in-process connection drop."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ApiError", "ConnectionDropped", "error_body", "validation_error"]


class ApiError(Exception):
    """An API error response. Raised inside handlers, rendered by the app as the envelope.

    Raising keeps handlers linear: validate, look up, charge, and bail out with the documented
    status and code at the first problem.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


class ConnectionDropped(httpx.RemoteProtocolError):
    """In-process stand-in for a connection closed without a response.

    Raised by the app under ``httpx.ASGITransport`` (there is no socket to close); it subclasses
    the exception httpx raises for a real server disconnect, so retry logic sees the same type.
    """

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


def error_body(code: str, message: str, request_id: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The contract's envelope: ``{"error": {code, message, details?}, "request_id"}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error, "request_id": request_id}


def validation_error(fields: dict[str, str], status: int = 422) -> ApiError:
    """A ``validation_error`` whose ``details.fields`` maps each bad field to a message."""
    names = ", ".join(sorted(fields))
    return ApiError(status, "validation_error", f"Invalid request: {names}.", {"fields": dict(fields)})
