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
from .._errors import InvalidInputError, JobFailedError, ResponseMismatchError, SumeError
from .._generated.api.jobs import get_job, get_job_result, list_jobs
from .._generated.models import Job, JobList, JobStatus, JobType, JobWithResult
from .._options import NOT_GIVEN, NotGiven, RequestOptions
from .._pagination import AsyncPager
from .._poll_gate import PollGate
from .._waiting import JobStream, JobWatch, PollPolicy, Timeout, default_timeout
from ._common import answer_about, pager

JobRef = Job | str


class Jobs:
    """Jobs: poll, wait for, list, fetch results and download outputs: ``sume.jobs``."""

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
        """Jobs of the workspace, newest first, optionally of one ``type`` and/or ``status``.

        Spends no credits.

        Args:
            type: Only jobs of this :class:`~sume_async.JobType` (``image_generation``, ``video_generation``,
                ``ads_video``, ``face_swap``, ``reference_analysis``, ``asset_ingest``; newer values pass through).
            status: Only jobs in this :class:`~sume_async.JobStatus` (``queued``, ``running``, ``processing``,
                ``completed``, ``failed``, ``canceled``, ``expired``).
            limit: Items per page, 1 to 100 (default: the server's).
            cursor: Start after this cursor (a page's ``next_cursor``, or ``pager.cursor``).
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            A lazy :class:`~sume_async.AsyncPager`: ``async for job in ...`` fetches pages as they are used.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (raised when the pager is created).
            SumeError: While iterating: as for any request (``AuthenticationError``, ``APIStatusError``,
                ``APIConnectionError``).
        """
        job_type = None if type is None else JobType(validation.text("type", str(type), max_length=100))
        job_status = None if status is None else JobStatus(validation.text("status", str(status), max_length=100))

        def check(item: Job) -> None:
            # A job of another type or status than the filter asked for is an answer about something else.
            if job_type is not None and job_states.type_of(item) != str(job_type):
                raise ResponseMismatchError("jobs of type", asked=str(job_type), answered=job_states.type_of(item))
            if job_status is not None and job_states.status_of(item) != str(job_status):
                raise ResponseMismatchError(
                    "jobs of status", asked=str(job_status), answered=job_states.status_of(item)
                )

        return pager(
            self._caller,
            list_jobs.asyncio_detailed,
            JobList,
            limit=limit,
            cursor=cursor,
            options=options,
            check=check if job_type is not None or job_status is not None else None,
            type_=job_type,
            status=job_status,
        )

    async def get(self, job: JobRef, **options: Unpack[RequestOptions]) -> Job:
        """The job's current state (one poll).

        Spends no credits.

        Args:
            job: A :class:`~sume_async.Job` or a job id (``job_...``).
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The job as the API has it now.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            NotFoundError: No such job in this workspace (404).
            ResponseMismatchError: Sume answered about another job.
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        job_id = _job_id(job)
        answer = await self._caller.call(get_job.asyncio_detailed, Job, job_id=job_id, options=options)
        return answer_about("job", job_id, answer)

    async def result(self, job: JobRef, **options: Unpack[RequestOptions]) -> JobWithResult:
        """The completed job with its ``result`` (its outputs' URLs).

        Spends no credits.

        Args:
            job: A :class:`~sume_async.Job` or a job id (``job_...``).
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The job and its ``result``.

        Raises:
            ConflictError: The job is not completed yet (``job_not_completed``).
            JobFailedError: It ended ``failed``, ``canceled`` or ``expired``: there is no result.
            NotFoundError: No such job (404).
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        job_id = _job_id(job)
        done = answer_about(
            "job",
            job_id,
            await self._caller.call(get_job_result.asyncio_detailed, JobWithResult, job_id=job_id, options=options),
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
        """Stream every output of a completed job into ``dest_dir``.

        Media URLs must be https to a public host (plain http, loopback, link-local and private addresses
        only for a client on a loopback ``base_url``, a local mock), and redirects are followed only to URLs
        that pass the same rule; Sume credentials are never sent to the media host.

        Spends no credits.

        Args:
            job: The ``JobWithResult`` from :meth:`result` (no extra request), or a job or its id (its result is
                fetched first).
            dest_dir: An existing folder. Files are named ``<job_id>-<n>.<ext>`` after their content type and appear
                only once complete, so a file already there is skipped without a request.
            max_bytes: The most one file may have (default 4 GiB).
            max_concurrency: Files downloaded at once (default 4).
            on_progress: ``on_progress(path, received, total)`` as bytes arrive (``total`` is ``None`` when the host
                does not say).

        Returns:
            The files' paths, in output order.

        Raises:
            InvalidInputError: ``dest_dir`` is not a path, or the job is not completed.
            DownloadError: An output could not be fetched (naming the job and output, never the URL).
            JobFailedError: The job ended without a result.
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
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

        A status the SDK does not know is treated as still running.

        Spends no credits.

        Args:
            job: A :class:`~sume_async.Job` or a job id (``job_...``).
            timeout: Seconds to wait for it, at least 0; ``None`` waits forever (default: 600 s when every job is an
                image job, 1800 s otherwise).
            poll_interval: A fixed pause between polls, at least 0.001 s (default: the client's ``PollPolicy``,
                learned per job type).

        Returns:
            The completed job (call :meth:`result` for its outputs).

        Raises:
            JobFailedError: A job ended ``failed``, ``canceled`` or ``expired``.
            JobTimeoutError: ``timeout`` passed first.
            SumeError: A poll failed past its retries (``AuthenticationError``, ``NotFoundError``, ...).
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
        """Jobs as they complete, in completion order: ``async for job in sume.jobs.as_completed(jobs)``.

        Breaking out of the loop stops all polling.

        Spends no credits.

        Args:
            jobs: Jobs or job ids (a list, not one job).
            timeout: Seconds for the whole batch (one deadline), at least 0; ``None`` waits forever (default: 600 s
                when every job is an image job, 1800 s otherwise).
            poll_interval: A fixed pause between polls, at least 0.001 s (default: the client's ``PollPolicy``,
                learned per job type).
            return_exceptions: Hand back a failed or timed-out job's ``JobFailedError``/``JobTimeoutError`` in its
                place instead of raising.

        Returns:
            A ``JobStream``: iterate it; ``async with`` it to keep polling while your loop body runs.

        Raises:
            InvalidInputError: ``jobs``, ``timeout`` or ``poll_interval`` is not allowed (at once).
            JobFailedError: While iterating, unless ``return_exceptions``: a job ended ``failed``, ``canceled`` or
                ``expired``.
            JobTimeoutError: While iterating, unless ``return_exceptions``: the deadline passed.
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

        Spends no credits.

        Args:
            jobs: Jobs or job ids (a list, not one job).
            timeout: Seconds to wait for all of them, at least 0; ``None`` waits forever (default: 600 s when every
                job is an image job, 1800 s otherwise).
            poll_interval: A fixed pause between polls, at least 0.001 s (default: the client's ``PollPolicy``,
                learned per job type).
            return_exceptions: Hand back a failed or timed-out job's ``JobFailedError``/``JobTimeoutError`` in its
                place instead of raising.

        Returns:
            The completed jobs (with ``return_exceptions``, errors in place of the jobs that did not complete).

        Raises:
            InvalidInputError: ``jobs``, ``timeout`` or ``poll_interval`` is not allowed.
            JobFailedError: A job ended ``failed``, ``canceled`` or ``expired``.
            JobTimeoutError: ``timeout`` passed first.
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
            retry=self._caller.requester.retry,
        )


def _job_id(job: JobRef) -> str:
    return validation.resource_id("job_id", job.id if isinstance(job, Job) else job)
