"""What a job's status means, in one place.

Sume documents the *common* states only, so anything not listed here is treated as
still running: a wait keeps polling instead of returning early or crashing.
"""

from __future__ import annotations

from . import _job_types as job_types
from ._generated.models import Job, JobType

SUCCEEDED = frozenset({"completed"})
FAILED = frozenset({"failed", "canceled", "expired"})
TERMINAL = SUCCEEDED | FAILED


def status_of(job: Job) -> str:
    """The job's status as a plain string (known or not)."""
    return str(job.status)


def is_terminal(job: Job) -> bool:
    return status_of(job) in TERMINAL


def is_failed(job: Job) -> bool:
    return status_of(job) in FAILED


def type_of(job: Job) -> str | None:
    return None if job.type_ is None else str(job.type_)


def is_short(job_type: str | JobType | None) -> bool:
    """Whether a job of this type is expected to finish in seconds rather than minutes."""
    return job_types.info(job_type).short
