"""What a route handler receives (``Call``) and returns (``Reply``), plus shared helpers.

Handlers are plain synchronous functions ``Call -> Reply`` run under the store lock, after the
app has authenticated the request and read its body. That keeps them short, makes every API
call atomic, and leaves all ASGI and fault plumbing to ``app.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from .. import _job_types as job_types
from ._errors import ApiError
from ._lifecycle import FAILED_ERROR, render_job
from ._runtime import Runtime
from ._state import JobRecord, Workspace

__all__ = ["Call", "Handler", "Reply"]


@dataclass
class Reply:
    """A JSON response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One authenticated API request."""

    runtime: Runtime
    workspace: Workspace
    request_id: str
    path_params: dict[str, str]
    query: QueryParams
    body: Any
    idempotency_key: str | None
    origin: str
    now: float

    def require_access(self, job_type: str) -> None:
        """``403 forbidden`` when the workspace lacks the feature that creates ``job_type`` jobs."""
        feature = job_types.JOB_TYPES[job_type].feature
        if feature in self.runtime.settings.forbidden_features:
            raise ApiError(
                403,
                "forbidden",
                "This workspace does not have access to this feature.",
                {"feature": feature},
            )

    def charge(self, amount: int) -> None:
        """Spend credits, or ``402 insufficient_credits`` when the balance would go negative."""
        ws = self.workspace
        if amount > ws.remaining_credits:
            raise ApiError(
                402,
                "insufficient_credits",
                "Not enough credits for this request.",
                {"required_credits": amount, "remaining_credits": ws.remaining_credits},
            )
        ws.remaining_credits -= amount
        ws.spent_credits += amount

    def cost(self, job_type: str) -> int:
        return self.runtime.settings.job_costs[job_type]

    def new_job(
        self,
        job_type: str,
        build: Callable[[str], tuple[dict[str, Any], str | None]],
        *,
        cost: int,
        request: dict[str, Any] | None = None,
    ) -> JobRecord:
        """Create and store a job. ``build(job_id)`` returns its eventual ``(result, result_url)``."""
        store = self.runtime.store
        job_id = store.new_id("job")
        result, result_url = build(job_id)
        failed = store.draw_failure(self.runtime.settings.failure_rate)
        job = JobRecord(
            id=job_id,
            seq=store.next_seq(),
            type=job_type,
            workspace_id=self.workspace.id,
            created=self.now,
            duration=self.runtime.settings.durations[job_type],
            outcome="failed" if failed else "completed",
            planned_error=dict(FAILED_ERROR) if failed else None,
            cost=cost,
            request=dict(self.body if request is None else request),
            idempotency_key=self.idempotency_key,
            request_id=self.request_id,
            result=result,
            result_url=result_url,
        )
        store.jobs[job.id] = job
        return job

    def render_job(self, job: JobRecord) -> dict[str, Any]:
        return render_job(job, self.now, self.runtime.clock, self.origin)


Handler = Callable[[Call], Reply]
