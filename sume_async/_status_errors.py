"""A non-2xx answer as the ``APIStatusError`` it means, whatever its body is.

Sume's error envelope (``{"error": {"code", "message", "details"}, "request_id"}``) gives
the code, message and request id; an HTML page from a CDN, an empty or an oversized body
still gives the right subclass for the status with a generic message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from ._bodies import ERROR_BODY_BYTES
from ._errors import APIStatusError, status_error_class
from ._retries import parse_retry_after

__all__ = ["status_error"]


def status_error(response: httpx.Response) -> APIStatusError:
    """An ``APIStatusError`` from any non-2xx response, envelope or not."""
    code: str | None = None
    message = f"HTTP {response.status_code} from the Sume API"
    details: Mapping[str, Any] | None = None
    request_id = response.headers.get("x-request-id")
    body = _json_or_none(response.content)
    if isinstance(body, Mapping):
        envelope = body.get("error")
        if isinstance(envelope, Mapping):
            code = envelope.get("code") if isinstance(envelope.get("code"), str) else None
            if isinstance(envelope.get("message"), str):
                message = envelope["message"]
            if isinstance(envelope.get("details"), Mapping):
                details = envelope["details"]
        if isinstance(body.get("request_id"), str):
            request_id = body["request_id"]
    elif 300 <= response.status_code < 400:
        message = "Unexpected redirect from the Sume API; it was not followed"
    elif response.content:
        message += " (body is not the JSON error envelope)"
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return status_error_class(response.status_code)(
        status_code=response.status_code,
        code=code,
        message=message,
        details=details,
        request_id=request_id,
        retry_after=retry_after,
    )


def _json_or_none(content: bytes) -> Any:
    if not content or len(content) > ERROR_BODY_BYTES:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
