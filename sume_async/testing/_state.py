"""The mock's in-memory store: workspaces, jobs, uploads, assets, idempotency and request logs.

One ``threading.RLock`` guards everything. ``serve()`` runs the app on a server thread while
tests inspect the store from theirs, and handlers are synchronous once the request body has
been read, so holding the lock for a whole handler makes each API call atomic (idempotency
check, charge, create and record happen together or not at all).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "AssetRecord",
    "CredentialLeak",
    "ForcedStatus",
    "IdempotencyEntry",
    "JobRecord",
    "LoggedRequest",
    "Store",
    "UploadRecord",
    "Workspace",
]


@dataclass
class Workspace:
    """A workspace; each configured API key gets its own (the key decides the workspace)."""

    id: str
    name: str
    api_key: str
    remaining_credits: int
    monthly_credits: int
    spent_credits: int = 0


@dataclass(frozen=True)
class ForcedStatus:
    """A status pinned by a test helper; it overrides the simulated lifecycle from ``at`` on."""

    status: str
    error: dict[str, str] | None
    at: float


@dataclass
class JobRecord:
    """A job. Its status is not stored: it is computed from ``created``/``duration`` and the clock."""

    id: str
    seq: int
    type: str
    workspace_id: str
    created: float
    duration: float
    outcome: str
    planned_error: dict[str, str] | None
    cost: int
    request: dict[str, Any]
    idempotency_key: str | None
    request_id: str
    result: dict[str, Any]
    result_url: str | None
    forced: ForcedStatus | None = None

    def __repr__(self) -> str:  # the request body may hold private media URLs
        return f"JobRecord(id={self.id!r}, type={self.type!r})"


@dataclass
class UploadRecord:
    """A presigned upload target and what the storage route has received for it."""

    id: str
    object_key: str
    workspace_id: str
    filename: str
    content_type: str
    size_bytes: int
    purpose: str
    media_url: str
    token: str
    expires: float
    created: float
    received_bytes: int = 0
    complete: bool = False
    finalized: bool = False
    attempts: int = 0
    path: Path | None = None
    asset_id: str | None = None

    def __repr__(self) -> str:  # object keys, tokens and media URLs are secrets
        return f"UploadRecord(size_bytes={self.size_bytes}, complete={self.complete})"


@dataclass
class AssetRecord:
    """An Asset Library scene. ``workspace_id=None`` marks a seeded asset every workspace sees."""

    id: str
    seq: int
    workspace_id: str | None
    created_at: datetime
    title: str | None
    start: float | None
    end: float | None
    media_url: str | None
    clip_url: str | None
    source_media_url: str | None
    thumbnail_url: str | None
    metadata: dict[str, Any]
    ingest_job_id: str | None = None
    is_source: bool = False

    @property
    def duration(self) -> float:
        if self.start is None or self.end is None:
            return 0.0
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class IdempotencyEntry:
    """The first successful response for a workspace + Idempotency-Key."""

    fingerprint: str
    status: int
    body: bytes
    created: float


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the mock saw it, with secrets redacted."""

    method: str
    path: str
    query: str
    route: str | None
    status: int | None
    headers: Mapping[str, str]
    request_id: str
    dropped: bool = False


@dataclass(frozen=True)
class CredentialLeak:
    """A storage request that carried Sume credentials (header names only, never values)."""

    method: str
    path: str
    headers: tuple[str, ...]
    request_id: str


@dataclass
class Store:
    """All mutable state of one ``MockSume``."""

    seed: int
    lock: threading.RLock = field(default_factory=threading.RLock)
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    workspace_by_key: dict[str, str] = field(default_factory=dict)
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    uploads: dict[str, UploadRecord] = field(default_factory=dict)
    upload_by_key: dict[str, str] = field(default_factory=dict)
    assets: dict[str, AssetRecord] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyEntry] = field(default_factory=dict)
    requests: list[LoggedRequest] = field(default_factory=list)
    route_counts: Counter[str] = field(default_factory=Counter)
    credential_leaks: list[CredentialLeak] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._outcome_rng = random.Random(f"outcomes:{self.seed}")
        self._seq = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        """A deterministic id (``job_3f2a...``): same seed and call order, same ids."""
        with self.lock:
            return f"{prefix}_{self._rng.getrandbits(80):020x}"

    def next_seq(self) -> int:
        """A creation sequence number: the stable tie-break for list ordering."""
        with self.lock:
            return next(self._seq)

    def draw_failure(self, failure_rate: float) -> bool:
        """Whether the next job fails (its own stream, so ids do not shift with the rate)."""
        with self.lock:
            return self._outcome_rng.random() < failure_rate
