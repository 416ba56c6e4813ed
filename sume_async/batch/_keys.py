"""Deterministic idempotency keys and parameter fingerprints.

The key of a row depends only on the batch name, the row id, the row's canonical parameters
and its attempt number, so every run on every machine sends the same key for the same row
and the server answers a repeated create with the job it already made. A face swap row's
local ``source`` file enters through its content hash, not its path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .._errors import InvalidInputError
from ._canonical import canonical_json
from ._rows import KINDS, Row

__all__ = ["canonical_params", "fingerprint", "idempotency_key"]

KEY_PREFIX = "sume-batch-"


def canonical_params(row: Row, source_sha256: str | None = None) -> str:
    """The row's parameters as canonical JSON (sorted keys, no spaces, UTF-8)."""
    params: Mapping[str, Any] = row.params
    source = KINDS[row.kind].local_source if row.kind in KINDS else None
    by_content = source_sha256 is not None and source is not None and source.param in params
    if row.canonical is not None and not by_content:
        return row.canonical  # computed once, when the row was parsed
    if by_content:
        assert source is not None
        params = {**params, source.param: {"sha256": source_sha256}}
    try:
        return canonical_json(params)
    except (TypeError, ValueError, RecursionError):
        raise InvalidInputError(f"row {row.id!r}: params", "must be plain JSON values") from None


def fingerprint(row: Row, source_sha256: str | None = None) -> str:
    """A digest of the row's kind and canonical parameters (what "changed parameters" compares)."""
    canonical = canonical_params(row, source_sha256)
    return hashlib.sha256(f"{row.kind}\n{canonical}".encode()).hexdigest()


def idempotency_key(batch_name: str, row_id: str, row_fingerprint: str, attempt: int) -> str:
    """The row's ``Idempotency-Key``: 75 visible ASCII characters, the same on every run."""
    material = "\0".join((batch_name, row_id, row_fingerprint, str(attempt)))
    return KEY_PREFIX + hashlib.sha256(material.encode()).hexdigest()[:64]
