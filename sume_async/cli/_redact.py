"""What the CLI and the MCP server may print: the SDK's one redaction (:mod:`sume_async._redaction`)."""

from __future__ import annotations

from .._redaction import REDACTED, SECRET_KEYS, redact, secret_values

__all__ = ["REDACTED", "SECRET_KEYS", "redact", "secret_values"]
