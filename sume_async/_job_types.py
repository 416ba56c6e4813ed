"""Everything the SDK and its mock know about each job type, in one table.

Which job types exist comes from the schema (``JobType``, generated from the snapshot); a
test fails when the two disagree. The table adds what the schema does not say. Adding a job
type: regenerate, add one row here, then its create method (``resources/``) and its mock
handler (``testing/_handlers/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._generated.models import JobType

__all__ = ["IMAGE_TIMEOUT", "JOB_TYPES", "UNKNOWN", "VIDEO_TIMEOUT", "JobTypeInfo", "info"]

#: Default overall deadlines of a wait, as in Sume's CLI: 600 s for images, 1800 s otherwise.
IMAGE_TIMEOUT = 600.0
VIDEO_TIMEOUT = 1800.0


@dataclass(frozen=True)
class JobTypeInfo:
    """One job type's properties."""

    type: JobType
    #: Finishes in seconds rather than minutes: polled on the short cadence.
    short: bool
    #: How long a wait allows when the caller gives no ``timeout``.
    default_timeout: float
    #: The workspace feature that gates creating it (the mock's ``forbidden_features``).
    feature: str
    #: The mock's simulated seconds from creation to a terminal state (the CLI's reference
    #: timings keep the same order: images fastest, reference analysis slower, videos slowest).
    mock_seconds: float
    #: Credits the mock charges when one is created (face swap: per avatar; not refunded).
    mock_credits: int


_ROWS = (
    JobTypeInfo(JobType.IMAGE_GENERATION, True, IMAGE_TIMEOUT, "image_generation", 6.0, 4),
    JobTypeInfo(JobType.VIDEO_GENERATION, False, VIDEO_TIMEOUT, "video_generation", 40.0, 40),
    JobTypeInfo(JobType.ADS_VIDEO, False, VIDEO_TIMEOUT, "ads_video", 60.0, 60),
    JobTypeInfo(JobType.FACE_SWAP, False, VIDEO_TIMEOUT, "face_swap", 30.0, 30),
    JobTypeInfo(JobType.REFERENCE_ANALYSIS, False, VIDEO_TIMEOUT, "reference_analysis", 20.0, 10),
    JobTypeInfo(JobType.ASSET_INGEST, False, VIDEO_TIMEOUT, "asset_library", 8.0, 2),
)

#: Every job type the schema lists, by name, in a stable order (images first).
JOB_TYPES: Mapping[str, JobTypeInfo] = MappingProxyType({str(row.type): row for row in _ROWS})

#: A type this table does not know (the server added one): treated as long-running.
UNKNOWN = JobTypeInfo(JobType("unknown"), False, VIDEO_TIMEOUT, "", 0.0, 0)


def info(job_type: str | JobType | None) -> JobTypeInfo:
    """The row of ``job_type``; :data:`UNKNOWN` for ``None`` or a type the table lacks."""
    if job_type is None:
        return UNKNOWN
    return JOB_TYPES.get(str(job_type), UNKNOWN)
