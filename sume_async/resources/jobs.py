"""Jobs: list, poll, fetch results, and await completion."""

from __future__ import annotations

import builtins
import os
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, Unpack, overload

from .. import _job_states as job_states
from .. import _validation as validation
from .._download import DownloadProgress, check_download_arguments, download_outputs, outputs_of
from .._endpoint_caller import EndpointCaller
from .._errors import InvalidInputError, JobFailedError, SumeError
from .._generated.api.jobs import get_job, get_job_result, list_jobs
from .._generated.models import Job, JobList, JobStatus, JobType, JobWithResult
from .._options import NOT_GIVEN, NotGiven, RequestOptions
from .._pagination import AsyncPager
from .._poll_gate import PollGate
from .._waiting import JobStream, JobWatch, PollPolicy, Timeout, default_timeout
from ._common import pager

JobRef = Job | str


class Jobs:
    def __init__(self, caller: EndpointCaller, *, poll_gate: PollGate, poll_policy: PollPolicy) -> None:
        self._caller = caller
        self._poll_gate = poll_gate
        self._poll_policy = poll_policy
        self._rng = random.Random()

    def list(
        self,
        *,
        type: str | JobType | None = None,
        status: str | JobStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Job]:
        """Jobs of the workspace, optionally of one ``type`` and/or ``status``."""
        job_type = None if type is None else JobType(validation.text("type", str(type), max_length=100))
        job_status = None if status is None else JobStatus(validation.text("status", str(status), max_length=100))
        return pager(
            self._caller,
            list_jobs.asyncio_detailed,
            JobList,
            limit=limit,
            cursor=cursor,
            options=options,
            type_=job_type,
            status=job_status,
        )

    async def get(self, job: JobRef, **options: Unpack[RequestOptions]) -> Job:
        """The job's current state (one poll)."""
        return await self._caller.call(get_job.asyncio_detailed, Job, job_id=_job_id(job), options=options)

    async def result(self, job: JobRef, **options: Unpack[RequestOptions]) -> JobWithResult:
        """The completed job with its ``result``.

        Raises ``ConflictError`` (``job_not_completed``) while the job is still running, and
        ``JobFailedError`` when it ended ``failed``, ``canceled`` or ``expired`` (it has no
        result to return).
        """
        done = await self._caller.call(
            get_job_result.asyncio_detailed, JobWithResult, job_id=_job_id(job), options=options
        )
        if str(done.status) in job_states.FAILED:
            raise JobFailedError(Job.from_dict(done.to_dict()))
        return done

    async def download(
        self,
        job: JobRef | JobWithResult,
        dest_dir: str | os.PathLike[str],
        *,
        max_bytes: int | None = None,
        max_concurrency: int = 4,
        on_progress: DownloadProgress | None = None,
    ) -> builtins.list[Path]:
        """Stream every output of a completed job into ``dest_dir``; the files' paths, in output order.

        Give the ``JobWithResult`` from :meth:`result` (no extra request), or a job or its id
        (its result is fetched first). Files are named ``<job_id>-<n>.<ext>`` after their
        content type and appear only once complete (written to a temporary file, then
        renamed), so a file already there is skipped without a request. Media URLs must be
        https to a public host (plain http, loopback, link-local and private addresses only
        for a client on a loopback ``base_url``, a local mock), and redirects are followed
        only to URLs that pass the same rule; Sume credentials are never sent to the media host;
        ``max_bytes`` caps each file (default 4 GiB); at most
        ``max_concurrency`` files download at once. ``on_progress(path, received, total)``
        is called as bytes arrive (``total`` is ``None`` when the host does not say).
        Raises ``DownloadError`` (naming the job and output, never the URL).
        """
        check_download_arguments(
            dest_dir, max_bytes=max_bytes, max_concurrency=max_concurrency, on_progress=on_progress
        )
        result = job if isinstance(job, JobWithResult) else await self.result(job)
        if str(result.status) != "completed":
            raise InvalidInputError("job", f"is {result.status}, not completed: nothing to download")
        return await download_outputs(
            self._caller.requester,
            _job_id(result.id),
            outputs_of(result),
            Path(dest_dir),
            max_bytes=max_bytes,
            max_concurrency=max_concurrency,
            on_progress=on_progress,
        )

    async def wait(self, job: JobRef, *, timeout: Timeout = NOT_GIVEN, poll_interval: float | None = None) -> Job:
        """Poll until the job is terminal and return it when ``completed``.

        Raises ``JobFailedError`` when it ends ``failed``, ``canceled`` or ``expired``, and
        ``JobTimeoutError`` when ``timeout`` seconds pass first (default: 600 s for image
        jobs, 1800 s otherwise; ``None`` waits forever). A status the SDK does not know is
        treated as still running.
        """
        async for done in self.as_completed([job], timeout=timeout, poll_interval=poll_interval):
            return done
        raise AssertionError("unreachable")  # pragma: no cover: one job always gives one outcome

    @overload
    def as_completed(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = ...,
        poll_interval: float | None = ...,
        return_exceptions: Literal[False] = ...,
    ) -> JobStream[Job]: ...
    @overload
    def as_completed(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = ...,
        poll_interval: float | None = ...,
        return_exceptions: Literal[True],
    ) -> JobStream[Job | SumeError]: ...
    def as_completed(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = NOT_GIVEN,
        poll_interval: float | None = None,
        return_exceptions: bool = False,
    ) -> JobStream[Job] | JobStream[Job | SumeError]:
        """Jobs as they complete, in completion order: ``async for job in ...``.

        ``timeout`` is one deadline for the whole batch. By default the first failure or
        the deadline raises (``JobFailedError``, ``JobTimeoutError``); with
        ``return_exceptions=True`` they are yielded in place of the job instead, so one
        bad job does not stop the batch. Breaking out of the loop stops all polling.

        For big batches, ``async with sume.jobs.as_completed(jobs) as finished: async for
        job in finished: ...`` keeps polling while your loop body runs (see ``JobStream``).
        """
        watch = self._watch(jobs, timeout, poll_interval)
        return JobStream(watch, return_exceptions=validation.boolean("return_exceptions", return_exceptions))

    @overload
    async def wait_all(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = ...,
        poll_interval: float | None = ...,
        return_exceptions: Literal[False] = ...,
    ) -> builtins.list[Job]: ...
    @overload
    async def wait_all(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = ...,
        poll_interval: float | None = ...,
        return_exceptions: Literal[True],
    ) -> builtins.list[Job | SumeError]: ...
    async def wait_all(
        self,
        jobs: Iterable[JobRef],
        *,
        timeout: Timeout = NOT_GIVEN,
        poll_interval: float | None = None,
        return_exceptions: bool = False,
    ) -> builtins.list[Job] | builtins.list[Job | SumeError]:
        """Wait for every job; results in the order of ``jobs``.

        With ``return_exceptions=True`` a failed or timed-out job appears as its
        ``JobFailedError``/``JobTimeoutError`` in the list instead of raising.
        """
        watch = self._watch(jobs, timeout, poll_interval)
        return await watch.collect(return_exceptions=validation.boolean("return_exceptions", return_exceptions))

    def _watch(self, jobs: Iterable[JobRef], timeout: Timeout, poll_interval: float | None) -> JobWatch:
        if isinstance(jobs, str | bytes | Job | Mapping) or not isinstance(jobs, Iterable):
            raise InvalidInputError("jobs", "must be a list of jobs or job ids")
        refs: Sequence[JobRef] = list(jobs)
        for i, ref in enumerate(refs):
            if not isinstance(ref, Job):
                validation.resource_id(f"jobs[{i}]", ref)
        if isinstance(timeout, int | float) and not isinstance(timeout, bool):
            limit: float | None = validation.number("timeout", timeout, minimum=0)
        elif timeout is None:
            limit = None
        elif isinstance(timeout, NotGiven):
            limit = default_timeout(refs)
        else:
            raise InvalidInputError("timeout", "must be a number of seconds or None")
        if poll_interval is not None:
            poll_interval = validation.number("poll_interval", poll_interval, minimum=0.001)
        return JobWatch(
            self.get,
            refs,
            timeout=limit,
            gate=self._poll_gate,
            policy=self._poll_policy,
            fixed_interval=poll_interval,
            rng=self._rng,
        )


def _job_id(job: JobRef) -> str:
    return validation.resource_id("job_id", job.id if isinstance(job, Job) else job)
