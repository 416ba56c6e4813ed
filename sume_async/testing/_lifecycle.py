"""Job lifecycle: the status a job has at a given instant, and the job types' mock defaults.

Status is computed lazily from the clock on every read instead of being advanced by a
background task: nothing runs between requests, ``ManualClock.advance`` takes effect
immediately, and the mock behaves identically under asyncio, trio and in-process transports.
"""

from __future__ import annotations

from typing import Any

from .. import _job_types as job_types
from ._clock import Clock, isoformat, wall_time
from ._state import JobRecord

__all__ = [
    "DEFAULT_COSTS",
    "DEFAULT_DURATIONS",
    "FAILED_ERROR",
    "JOB_STATUSES",
    "JOB_TYPES",
    "MEDIA_BASE",
    "MEDIA_PREFIX",
    "QUEUED_FRACTION",
    "TERMINAL_STATUSES",
    "is_terminal",
    "job_state",
    "media_url",
    "render_job",
    "render_job_with_result",
]

#: Every job type (from the schema, through the SDK's job type table).
JOB_TYPES: tuple[str, ...] = tuple(job_types.JOB_TYPES)
JOB_STATUSES: tuple[str, ...] = ("queued", "running", "processing", "completed", "failed", "canceled", "expired")
TERMINAL_STATUSES = frozenset({"completed", "failed", "canceled", "expired"})

#: Simulated seconds from creation to a terminal state, per job type (images fastest, reference
#: analysis slower, videos slowest, as the CLI's reference timings have it). A test fails when a
#: job type of the schema has no entry.
DEFAULT_DURATIONS: dict[str, float] = {
    "image_generation": 6.0,
    "video_generation": 40.0,
    "ads_video": 60.0,
    "face_swap": 30.0,
    "reference_analysis": 20.0,
    "asset_ingest": 8.0,
}

#: Credits charged when a job is created (face swap: per avatar). Not refunded on failure.
DEFAULT_COSTS: dict[str, int] = {
    "image_generation": 4,
    "video_generation": 40,
    "ads_video": 60,
    "face_swap": 30,
    "reference_analysis": 10,
    "asset_ingest": 2,
}

#: The first tenth of a job's duration is spent ``queued``, the rest ``processing``.
QUEUED_FRACTION = 0.1

#: The sanitized error a failed job carries.
FAILED_ERROR: dict[str, str] = {
    "code": "generation_failed",
    "message": "The job could not be completed.",
}

#: Host of generated and uploaded media URLs (``.test`` never resolves).
MEDIA_BASE = "https://media.sume.test"

#: Where the mock serves generated job outputs on its own origin (``{origin}/media/jobs/...``).
MEDIA_PREFIX = "/media/"


def is_terminal(status: str) -> bool:
    """Terminal per the contract; any other (including unknown) status is still running."""
    return status in TERMINAL_STATUSES


def job_state(job: JobRecord, now: float) -> tuple[str, float, dict[str, str] | None]:
    """``(status, since, error)`` of ``job`` at simulated instant ``now``."""
    if job.forced is not None and now >= job.forced.at:
        return job.forced.status, job.forced.at, job.forced.error
    queued_until = job.created + job.duration * QUEUED_FRACTION
    done_at = job.created + job.duration
    if now >= done_at:
        return job.outcome, done_at, job.planned_error
    if now >= queued_until and job.duration > 0:
        return "processing", queued_until, None
    return "queued", job.created, None


def media_url(url: str, origin: str | None) -> str:
    """A generated output's URL as served by the mock's media route at ``origin`` (unchanged without one)."""
    prefix = f"{MEDIA_BASE}/jobs/"
    if origin is None or not url.startswith(prefix):
        return url
    return f"{origin}{MEDIA_PREFIX}jobs/{url[len(prefix) :]}"


def render_job(job: JobRecord, now: float, clock: Clock, origin: str | None = None) -> dict[str, Any]:
    """The contract's Job object (media URLs on ``origin``'s media route when given)."""
    status, since, error = job_state(job, now)
    return {
        "id": job.id,
        "object": "job",
        "type": job.type,
        "status": status,
        "created_at": isoformat(wall_time(clock, job.created)),
        "updated_at": isoformat(wall_time(clock, since)),
        "error": dict(error) if error is not None else None,
        "result_url": media_url(job.result_url, origin) if status == "completed" and job.result_url else None,
        "request_id": job.request_id,
    }


def render_job_with_result(job: JobRecord, now: float, clock: Clock, origin: str | None = None) -> dict[str, Any]:
    """Job plus ``result``: the result object once completed, ``null`` otherwise.

    With ``origin``, output URLs point at the mock's own media route there, so they can be
    downloaded (``{origin}/media/jobs/{job_id}/{name}``).
    """
    body = render_job(job, now, clock, origin)
    if body["status"] != "completed":
        body["result"] = None
        return body
    result = dict(job.result)
    outputs = result.get("outputs")
    if origin is not None and isinstance(outputs, list):
        result["outputs"] = [
            {**o, "url": media_url(o["url"], origin)} if isinstance(o.get("url"), str) else o for o in outputs
        ]
    body["result"] = result
    return body
