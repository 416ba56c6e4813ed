"""``MockSume``: configuration, state and the inspection API of one mock Sume server."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar, cast, overload

from .. import _job_types as job_types
from ._app import MockApp
from ._catalog import SAMPLE_SCENES, scene_created_at
from ._clock import Clock, ScaledClock, wall_time
from ._connections import ConnectionTracker
from ._faults import Faults
from ._lifecycle import DEFAULT_COSTS, DEFAULT_DURATIONS, FAILED_ERROR, JOB_TYPES, is_terminal, job_state
from ._media import media_file
from ._runtime import Runtime, Settings
from ._signer import UploadSigner
from ._state import (
    AssetRecord,
    CredentialLeak,
    ForcedStatus,
    JobRecord,
    LoggedRequest,
    Store,
    UploadRecord,
    Workspace,
)
from ._views import JobView, MediaView, UploadView

__all__ = ["DEFAULT_API_KEY", "FEATURES", "MockSume"]

T = TypeVar("T")

#: The key every default mock accepts (a test key: it is not a secret).
DEFAULT_API_KEY = "sume_live_test_0123456789abcdef"

#: Names accepted by ``forbidden_features``: each job type's feature (from the SDK's job type
#: table). Uploads count as the feature they serve.
FEATURES: tuple[str, ...] = tuple(dict.fromkeys(row.feature for row in job_types.JOB_TYPES.values()))


def _merge(name: str, defaults: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in (given or {}).items():
        if key not in defaults:
            raise ValueError(f"{name}: unknown job type {key!r}; known: {', '.join(JOB_TYPES)}")
        if value < 0:
            raise ValueError(f"{name}[{key!r}] must be >= 0")
        merged[key] = value
    return merged


def _upload_view(u: UploadRecord) -> UploadView:
    return UploadView(
        object_key=u.object_key,
        filename=u.filename,
        size_bytes=u.size_bytes,
        content_type=u.content_type,
        purpose=u.purpose,
        media_url=u.media_url,
        received_bytes=u.received_bytes,
        complete=u.complete,
        finalized=u.finalized,
        attempts=u.attempts,
        asset_id=u.asset_id,
        path=u.path,
    )


class _Setting(Generic[T]):
    """A read-only ``MockSume`` attribute showing the field of the same name of its settings."""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, mock: None, owner: type[Any]) -> _Setting[T]: ...
    @overload
    def __get__(self, mock: MockSume, owner: type[Any] | None = None) -> T: ...
    def __get__(self, mock: MockSume | None, owner: type[Any] | None = None) -> _Setting[T] | T:
        if mock is None:
            return self
        return cast(T, getattr(mock.settings, self.name))

    def __set__(self, mock: MockSume, value: T) -> None:
        raise AttributeError(f"MockSume.{self.name} is fixed when the mock is built")


class MockSume:
    """A stateful, schema-faithful Sume API for tests, demos and benchmarks.

    Serve ``mock.app`` in-process with ``httpx.ASGITransport`` (base URL
    ``http://testserver/api/v1``) or on a real socket with :func:`~sume_async.testing.serve`.

    Every key in ``api_keys`` and ``legacy_api_keys`` is valid with both ``Authorization:
    Bearer`` and ``X-Api-Key``, and gets its own workspace (jobs, uploads and balance are per
    key). The two lists differ only in intent: ``legacy_api_keys`` need not look like
    ``sume_live_...``.

    All arguments are keyword-only:

    - ``forbidden_features``: names from :data:`FEATURES`; those endpoints answer ``403``.
    - ``credits``: starting balance of every workspace; ``job_costs``/``durations`` override
      :data:`~sume_async.testing._lifecycle.DEFAULT_COSTS` / ``DEFAULT_DURATIONS`` per job type.
    - ``failure_rate``: share of jobs that end ``failed`` (seeded by ``seed``).
    - ``clock``: a :class:`ManualClock` for tests; when omitted, real time scaled by ``speed``
      (``speed`` is ignored when ``clock`` is given).
    - ``faults``: a :class:`Faults`; may be replaced or edited at any time (``mock.faults``).
    - ``base_path``: where the API is mounted; the storage route is always ``/storage/...``.
    - ``upload_url_ttl``: simulated seconds a presigned upload URL stays valid.
    - ``max_concurrent_generations``: reported by ``GET /credits`` (not enforced).
    """

    def __init__(
        self,
        *,
        api_keys: Iterable[str] = (DEFAULT_API_KEY,),
        legacy_api_keys: Iterable[str] = (),
        forbidden_features: Iterable[str] = (),
        credits: int = 10_000,
        job_costs: Mapping[str, int] | None = None,
        durations: Mapping[str, float] | None = None,
        failure_rate: float = 0.0,
        clock: Clock | None = None,
        speed: float = 1.0,
        seed: int = 0,
        faults: Faults | None = None,
        base_path: str = "/api/v1",
        upload_url_ttl: float = 3600.0,
        max_concurrent_generations: int = 10,
    ) -> None:
        keys = list(dict.fromkeys([*api_keys, *legacy_api_keys]))
        if not keys or not all(isinstance(k, str) and k and k == k.strip() for k in keys):
            raise ValueError("at least one non-empty API key without surrounding spaces is required")
        unknown = set(forbidden_features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}; known: {', '.join(FEATURES)}")
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        if credits < 0:
            raise ValueError("credits must be >= 0")
        if base_path and (not base_path.startswith("/") or base_path.endswith("/")):
            raise ValueError("base_path must be '' or start with '/' and not end with '/'")
        settings = Settings(
            base_path=base_path,
            forbidden_features=frozenset(forbidden_features),
            job_costs=_merge("job_costs", DEFAULT_COSTS, job_costs),
            durations=_merge("durations", DEFAULT_DURATIONS, durations),
            failure_rate=float(failure_rate),
            upload_url_ttl=float(upload_url_ttl),
            max_concurrent_generations=max_concurrent_generations,
        )
        self._runtime = Runtime(
            settings, clock=clock if clock is not None else ScaledClock(speed), faults=faults, seed=seed
        )
        #: The configuration (read-only; also shown as ``base_path``, ``job_costs``, ...).
        self.settings = settings
        #: The live parts, fixed for the mock's life: hold ``store.lock`` while reading the store.
        self.clock: Clock = self._runtime.clock
        self.store: Store = self._runtime.store
        self.signer: UploadSigner = self._runtime.signer
        self.connections: ConnectionTracker = self._runtime.connections
        for index, key in enumerate(keys, start=1):
            ws = Workspace(f"ws_mock{index}", f"Mock Workspace {index}", key, credits, credits)
            self.store.workspaces[ws.id] = ws
            self.store.workspace_by_key[key] = ws.id
        for scene in SAMPLE_SCENES:
            self._seed_asset(scene)
        self.app: MockApp = MockApp(self._runtime)

    # -- configuration (read through to the runtime's settings) ------------------------------

    @property
    def faults(self) -> Faults | None:
        """The fault injection in force; assign a new :class:`Faults` (or ``None``) at any time."""
        return self._runtime.faults

    @faults.setter
    def faults(self, faults: Faults | None) -> None:
        with self.store.lock:
            self._runtime.faults = faults

    base_path: _Setting[str] = _Setting[str]()
    forbidden_features: _Setting[frozenset[str]] = _Setting[frozenset[str]]()
    job_costs: _Setting[dict[str, int]] = _Setting[dict[str, int]]()
    durations: _Setting[dict[str, float]] = _Setting[dict[str, float]]()
    failure_rate: _Setting[float] = _Setting[float]()
    upload_url_ttl: _Setting[float] = _Setting[float]()
    max_concurrent_generations: _Setting[int] = _Setting[int]()

    # -- inspection -----------------------------------------------------------------------

    @property
    def jobs(self) -> Mapping[str, JobView]:
        """Snapshot of all jobs by id (every workspace), statuses as of now."""
        with self.store.lock:
            now = self.clock.now()
            return MappingProxyType({job.id: self._view(job, now) for job in self.store.jobs.values()})

    @property
    def uploads(self) -> Mapping[str, UploadView]:
        """Snapshot of all uploads by ``object_key``."""
        with self.store.lock:
            return MappingProxyType({u.object_key: _upload_view(u) for u in self.store.uploads.values()})

    @property
    def requests(self) -> list[LoggedRequest]:
        """Copy of the request log, oldest first (secrets redacted)."""
        with self.store.lock:
            return list(self.store.requests)

    @property
    def route_counts(self) -> Counter[str]:
        """Copy of the request count per route template, e.g. ``"GET /jobs/{jobId}"``."""
        with self.store.lock:
            return Counter(self.store.route_counts)

    @property
    def credential_leaks(self) -> list[CredentialLeak]:
        """Storage requests that carried ``Authorization``/``X-Api-Key`` (all were rejected)."""
        with self.store.lock:
            return list(self.store.credential_leaks)

    @property
    def open_connections(self) -> int:
        """TCP connections open now (real sockets via ``serve()`` only)."""
        return self.connections.open

    @property
    def peak_connections(self) -> int:
        """Most TCP connections open at once since start or :meth:`reset_peak`."""
        return self.connections.peak

    def reset_peak(self) -> None:
        self.connections.reset_peak()

    def reset_logs(self) -> None:
        """Forget logged requests, route counts and credential leaks (state is kept)."""
        with self.store.lock:
            self.store.requests.clear()
            self.store.route_counts.clear()
            self.store.credential_leaks.clear()

    def balance(self, api_key: str = DEFAULT_API_KEY) -> int:
        """Remaining credits of ``api_key``'s workspace."""
        with self.store.lock:
            return self._workspace(api_key).remaining_credits

    def media(self, job_id: str) -> list[MediaView]:
        """The outputs the media route serves for a job (``[]`` for jobs without media outputs).

        Each carries the size and SHA-256 that a complete download of it must have.
        """
        with self.store.lock:
            outputs = list(self.store.jobs[job_id].result.get("outputs", []))
        views = []
        for index, output in enumerate(outputs):
            name = str(output["url"]).rsplit("/", 1)[-1]
            size, sha256 = media_file(job_id, name, str(output["content_type"]))
            views.append(MediaView(job_id, index, name, str(output["content_type"]), size, sha256))
        return views

    def set_credits(self, credits: int, api_key: str = DEFAULT_API_KEY) -> None:
        """Set the remaining credits of ``api_key``'s workspace (e.g. to provoke ``402``)."""
        with self.store.lock:
            self._workspace(api_key).remaining_credits = credits

    # -- lifecycle helpers --------------------------------------------------------------------

    def complete_all(self) -> list[str]:
        """Finish every running job now with its planned outcome; returns their ids.

        The planned outcome is ``completed`` unless ``failure_rate`` chose ``failed``.
        """
        with self.store.lock:
            now = self.clock.now()
            finished = []
            for job in self.store.jobs.values():
                if not is_terminal(job_state(job, now)[0]):
                    job.forced = ForcedStatus(job.outcome, job.planned_error, now)
                    finished.append(job.id)
            return finished

    def set_job_duration(self, job_id: str, seconds: float) -> float:
        """Give one job its own duration (from its creation), e.g. to spread a benchmark batch.

        Returns the clock time (``mock.clock.now()`` scale) at which the job will finish.
        """
        if not seconds >= 0:
            raise ValueError("seconds must be >= 0")
        with self.store.lock:
            job = self.store.jobs[job_id]
            job.duration = float(seconds)
            return job.created + job.duration

    def clone_jobs(self, job_id: str, count: int) -> list[str]:
        """Add ``count`` copies of a job (new ids, newest last) without going through the API.

        For large lists: creating tens of thousands of jobs over HTTP takes seconds.
        """
        with self.store.lock:
            template = self.store.jobs[job_id]
            ids = []
            for _ in range(count):
                copy = dataclasses.replace(template, id=self.store.new_id("job"), seq=self.store.next_seq())
                self.store.jobs[copy.id] = copy
                ids.append(copy.id)
            return ids

    def set_job_status(self, job_id: str, status: str, error: Mapping[str, str] | None = None) -> None:
        """Pin a job's status from now on; any string works (new states test client tolerance).

        A ``failed`` job without ``error`` gets the standard sanitized error.
        """
        with self.store.lock:
            job = self.store.jobs[job_id]
            if error is None and status == "failed":
                error = FAILED_ERROR
            job.forced = ForcedStatus(status, dict(error) if error is not None else None, self.clock.now())

    def close(self) -> None:
        """Delete received upload files. The mock stays usable; new uploads recreate the folder."""
        self._runtime.close()

    # -- internals ------------------------------------------------------------------------------

    def _workspace(self, api_key: str) -> Workspace:
        ws_id = self.store.workspace_by_key.get(api_key)
        if ws_id is None:
            raise KeyError("unknown API key")
        return self.store.workspaces[ws_id]

    def _seed_asset(self, scene: Mapping[str, Any]) -> None:
        asset = AssetRecord(
            id=str(scene["id"]),
            seq=self.store.next_seq(),
            workspace_id=None,
            created_at=scene_created_at(dict(scene), self.clock.epoch),
            title=scene["title"],
            start=float(scene["start"]),
            end=float(scene["end"]),
            media_url=scene["media_url"],
            clip_url=scene["clip_url"],
            source_media_url=scene["source_media_url"],
            thumbnail_url=scene["thumbnail_url"],
            metadata=dict(scene["metadata"]),
        )
        self.store.assets[asset.id] = asset

    def _view(self, job: JobRecord, now: float) -> JobView:
        status, since, error = job_state(job, now)
        return JobView(
            id=job.id,
            type=job.type,
            status=status,
            created_at=wall_time(self.clock, job.created),
            updated_at=wall_time(self.clock, since),
            idempotency_key=job.idempotency_key,
            request=MappingProxyType(dict(job.request)),
            workspace_id=job.workspace_id,
            cost=job.cost,
            error=MappingProxyType(dict(error)) if error is not None else None,
            request_id=job.request_id,
            result=MappingProxyType(dict(job.result)) if status == "completed" else None,
        )

    def __repr__(self) -> str:
        with self.store.lock:
            return f"MockSume(base_path={self.base_path!r}, jobs={len(self.store.jobs)}, clock={self.clock!r})"
