"""Small helpers shared by the resource modules."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from .. import _rules as rules
from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._errors import APIResponseValidationError
from .._generated.models import Job, JobStatus, JobType
from .._generated.types import UNSET, Unset
from .._options import RequestOptions, context_for
from .._pagination import AsyncPager, Page

V = TypeVar("V")

#: Every list operation shares the schema's ``Limit`` and ``Cursor`` parameters.
LIMIT_RULE = rules.parameter_schema("listJobs", "limit")
CURSOR_RULE = rules.parameter_schema("listJobs", "cursor")


def unset(value: V | None) -> V | Unset:
    """``None`` means "not given": leave the field out of the request."""
    return UNSET if value is None else value


def new_idempotency_key(given: str | None) -> str:
    """The caller's key, or a fresh one. It is reused on every retry of the same call."""
    return validation.idempotency_key(given) if given is not None else f"sume-async-{uuid.uuid4()}"


def derived_key(key: str, step: str) -> str:
    """The Idempotency-Key of a request made on the way to a create keyed ``key`` (its upload, say).

    The same create key always derives the same step key, so a rerun replays that request too
    (the same upload, hence the same body, hence the same job), instead of making a new one.
    """
    return f"sume-async-{step}-{hashlib.sha256(key.encode()).hexdigest()[:48]}"


async def create(
    caller: EndpointCaller,
    endpoint: Callable[..., Awaitable[Any]],
    response_model: type[V],
    body: Any,
    idempotency_key: str | None,
    options: RequestOptions | None = None,
) -> V:
    """POST a create body with an ``Idempotency-Key`` (the caller's, or a fresh one for this call)."""
    key = new_idempotency_key(idempotency_key)
    return await caller.call(endpoint, response_model, options=options, body=body, idempotency_key=key)


class _JobCreated(Protocol):
    """A create response: ``job``, ``job_id`` or both."""

    @property
    def job(self) -> Job | None: ...
    @property
    def job_id(self) -> str | None: ...


def server_id(field: str, value: Any) -> str:
    """An id the server sent, checked before the SDK builds a URL from it.

    Generated parsing does not type-check scalars, so ``5``, ``["a"]`` or ``""`` would
    otherwise become a job to poll.
    """
    if not isinstance(value, str) or not value or value.strip(".") == "" or len(value) > validation.MAX_ID:
        raise APIResponseValidationError(f"Sume returned an invalid `{field}`")
    return value


def server_ids(field: str, values: Any) -> list[str]:
    """A list of ids the server sent (``None``: none); a string is not a list of its characters."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise APIResponseValidationError(f"Sume returned `{field}` that is not a list")
    return [server_id(f"{field}[{i}]", value) for i, value in enumerate(values)]


def job_from(response: _JobCreated, job_type: JobType) -> Job:
    """The job of a create response that carries ``job``, ``job_id`` or both."""
    if response.job is not None:
        server_id("job.id", response.job.id)
        return response.job
    if response.job_id is not None:
        return Job(id=server_id("job_id", response.job_id), status=JobStatus.QUEUED, type_=job_type)
    raise APIResponseValidationError("The create response carries neither `job` nor `job_id`")


async def create_job(
    caller: EndpointCaller,
    endpoint: Callable[..., Awaitable[Any]],
    response_model: type[_JobCreated],
    body: Any,
    idempotency_key: str | None,
    job_type: JobType,
    options: RequestOptions | None = None,
) -> Job:
    """:func:`create`, then the job of the response, whatever its shape."""
    return job_from(await create(caller, endpoint, response_model, body, idempotency_key, options), job_type)


def pager(
    caller: EndpointCaller,
    endpoint: Callable[..., Awaitable[Any]],
    model: type[Any],
    *,
    limit: int | None,
    cursor: str | None = None,
    options: RequestOptions | None = None,
    **filters: Any,
) -> AsyncPager[Any]:
    """A pager over a list endpoint, passing ``next_cursor`` back as ``cursor``.

    ``cursor`` resumes a list where an earlier pager stopped (its ``pager.cursor``).
    ``options`` apply to every page's request (checked here, before the first one).
    """
    page_size = rules.check("limit", limit, LIMIT_RULE) if limit is not None else None
    start = rules.check("cursor", cursor, CURSOR_RULE) if cursor is not None else None
    if options:
        context_for(options)
    params = {key: value for key, value in filters.items() if value is not None}

    async def fetch(cursor: str | None) -> Page[Any]:
        result = await caller.call(
            endpoint, model, options=options, limit=unset(page_size), cursor=unset(cursor), **params
        )
        next_cursor = result.next_cursor
        return Page(data=list(result.data), has_more=bool(result.has_more), next_cursor=next_cursor)

    return AsyncPager(fetch, cursor=start)
