"""Read-only snapshots of the mock's state for test assertions (``mock.jobs``, ``mock.uploads``).

Snapshots rather than live records: they are safe to hold while the server thread keeps
changing the store, and a job's status in a snapshot is the status at the moment it was taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["JobView", "MediaView", "UploadView"]


@dataclass(frozen=True)
class JobView:
    """A job as of the snapshot: ``status`` is computed from the clock at that moment."""

    id: str
    type: str
    status: str
    created_at: datetime
    updated_at: datetime
    idempotency_key: str | None
    request: Mapping[str, Any]
    workspace_id: str
    cost: int
    error: Mapping[str, str] | None
    request_id: str
    result: Mapping[str, Any] | None

    def __repr__(self) -> str:  # the request body may hold private media URLs
        return f"JobView(id={self.id!r}, type={self.type!r}, status={self.status!r})"


@dataclass(frozen=True, repr=False)
class UploadView:
    """An upload target and what the storage route has received for it."""

    object_key: str
    filename: str
    size_bytes: int
    content_type: str
    purpose: str
    media_url: str
    received_bytes: int
    complete: bool
    finalized: bool
    attempts: int
    asset_id: str | None
    path: Path | None

    def read_bytes(self) -> bytes:
        """The stored bytes of a complete upload (mind the size: this reads the whole file)."""
        if self.path is None or not self.complete:
            raise ValueError("the upload is not complete")
        return self.path.read_bytes()

    def __repr__(self) -> str:  # object keys and media URLs are secrets
        return (
            f"UploadView(size_bytes={self.size_bytes}, received_bytes={self.received_bytes}, "
            f"complete={self.complete}, finalized={self.finalized})"
        )


@dataclass(frozen=True)
class MediaView:
    """One output of a completed job as the mock serves it: what a complete download must match."""

    job_id: str
    index: int
    name: str
    content_type: str
    size: int
    sha256: str
