"""Everything the SDK and its mock know about each job type, in one table.

Which job types exist comes from the schema (``JobType``, generated from the snapshot); a
test fails when the two disagree. The table adds what the schema does not say. Adding a job
type: regenerate, add one row here, then its create method (``resources/``) and its mock
handler (``testing/_handlers/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ._generated.models import JobType

__all__ = ["IMAGE_TIMEOUT", "JOB_TYPES", "UNKNOWN", "VIDEO_TIMEOUT", "JobTypeInfo", "info"]

#: Default overall deadlines of a wait, as in Sume's CLI: 600 s for images, 1800 s otherwise.
IMAGE_TIMEOUT = 600.0
VIDEO_TIMEOUT = 1800.0


@attrs.frozen(kw_only=True)
class JobTypeInfo:
    """One job type's properties (what the SDK needs; the mock's simulated timings live in ``testing/``)."""

    type: JobType
    #: Finishes in seconds rather than minutes: polled on the short cadence.
    short: bool
    #: How long a wait allows when the caller gives no ``timeout``.
    default_timeout: float
    #: The workspace feature that gates creating it (an API ``403`` names it; the mock's ``forbidden_features``).
    feature: str


_ROWS = (
    JobTypeInfo(type=JobType.IMAGE_GENERATION, short=True, default_timeout=IMAGE_TIMEOUT, feature="image_generation"),
    JobTypeInfo(type=JobType.VIDEO_GENERATION, short=False, default_timeout=VIDEO_TIMEOUT, feature="video_generation"),
    JobTypeInfo(type=JobType.ADS_VIDEO, short=False, default_timeout=VIDEO_TIMEOUT, feature="ads_video"),
    JobTypeInfo(type=JobType.FACE_SWAP, short=False, default_timeout=VIDEO_TIMEOUT, feature="face_swap"),
    JobTypeInfo(
        type=JobType.REFERENCE_ANALYSIS, short=False, default_timeout=VIDEO_TIMEOUT, feature="reference_analysis"
    ),
    JobTypeInfo(type=JobType.ASSET_INGEST, short=False, default_timeout=VIDEO_TIMEOUT, feature="asset_library"),
)

#: Every job type the schema lists, by name, in a stable order (images first).
JOB_TYPES: Mapping[str, JobTypeInfo] = MappingProxyType({str(row.type): row for row in _ROWS})

#: A type this table does not know (the server added one): treated as long-running.
UNKNOWN = JobTypeInfo(type=JobType("unknown"), short=False, default_timeout=VIDEO_TIMEOUT, feature="")


def info(job_type: str | JobType | None) -> JobTypeInfo:
    """The row of ``job_type``; :data:`UNKNOWN` for ``None`` or a type the table lacks."""
    if job_type is None:
        return UNKNOWN
    return JOB_TYPES.get(str(job_type), UNKNOWN)
