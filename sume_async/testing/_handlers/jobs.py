"""Listing and polling jobs."""

from __future__ import annotations

from .._context import Call, Reply
from .._errors import ApiError
from .._lifecycle import JOB_STATUSES, JOB_TYPES, is_terminal, job_state, render_job_with_result
from .._pagination import paginate_presorted
from .._state import JobRecord
from .._validation import QueryReader

__all__ = ["get_job", "get_job_result", "list_jobs"]


def _find(call: Call) -> JobRecord:
    job = call.runtime.store.jobs.get(call.path_params["jobId"])
    if job is None or job.workspace_id != call.workspace.id:
        raise ApiError(404, "not_found", "No such job in this workspace.")
    return job


def list_jobs(call: Call) -> Reply:
    """Newest first (creation sequence), filtered by ``type`` and ``status``."""
    reader = QueryReader(call.query)
    limit, cursor = reader.limit(), reader.cursor()
    job_type = reader.choice("type", JOB_TYPES)
    status = reader.choice("status", JOB_STATUSES)
    reader.done()
    workspace_id = call.workspace.id

    def keep(job: JobRecord) -> bool:
        return (
            job.workspace_id == workspace_id
            and (job_type is None or job.type == job_type)
            and (status is None or job_state(job, call.now)[0] == status)
        )

    # The store keeps jobs in creation order, so newest first is simply reversed insertion order.
    page, has_more, next_cursor = paginate_presorted(
        reversed(call.runtime.store.jobs.values()),
        lambda job: (-float(job.seq),),
        order="jobs",
        limit=limit,
        cursor=cursor,
        keep=keep,
    )
    return Reply(
        200,
        {
            "object": "list",
            "data": [call.render_job(job) for job in page],
            "has_more": has_more,
            "next_cursor": next_cursor,
        },
    )


def get_job(call: Call) -> Reply:
    return Reply(200, call.render_job(_find(call)))


def get_job_result(call: Call) -> Reply:
    """The job with ``result``; ``409 job_not_completed`` while it is not terminal."""
    job = _find(call)
    status = job_state(job, call.now)[0]
    if not is_terminal(status):
        raise ApiError(409, "job_not_completed", "The job has not finished yet.", {"status": status})
    return Reply(200, render_job_with_result(job, call.now, call.runtime.clock, call.origin))
