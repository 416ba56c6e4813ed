"""What each kind of ``SumeError`` means to a front end, decided once.

The retry rule (:func:`._retries.should_retry`) says which failures are transient. This table
builds on it and adds what the batch runner, the CLI and the MCP server each need: whether the
error is a *verdict* (a final answer about this request or job: that row fails, the others go
on), whether it *stops* a batch (the account, not the row: resumable once fixed), the CLI's exit
code and the error object's ``code``. No front end classifies an SDK error by hand.

====================================  =========  =======  =====  ====  ==========================
error                                 transient  verdict  stops  exit  code
====================================  =========  =======  =====  ====  ==========================
InvalidInputError                     no         yes      no     2     ``invalid_input``
401, 403, 402                         no         no       yes    3     the API's
400, 404, 409, 422 (other 4xx)        no         yes      no     4     the API's
408, 429, 5xx                         yes        no       no     6     the API's
connection trouble, timeouts          yes        no       no     6     ``connection_error``/``timeout``
malformed response                    no         no       no     6     ``invalid_response``
an answer about another job, a loop   no         no       no     6     ``response_mismatch``/``pagination_loop``
upload/download failed                no         no       no     6     ``upload_failed``/``download_failed``
client closed                         no         no       no     6     ``client_closed``
job failed/canceled/expired           no         yes      no     1     ``job_failed`` ...
wait timed out                        no         no       no     5     ``job_timeout``
cluster trouble (Dask)                no         no       no     6     ``cluster_error``
anything else (a bug)                 no         no       no     70    ``internal_error``
====================================  =========  =======  =====  ====  ==========================

A malformed answer, a failed upload or download and a wait that timed out are neither
transient nor verdicts: they say nothing final about the job, so a batch row keeps its job and
is resumed on the next run (it never counts as failed, and is never paid for again).
"""

from __future__ import annotations

import attrs

from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ClusterError,
    DownloadError,
    InsufficientCreditsError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    PaginationLoopError,
    PermissionDeniedError,
    ResponseMismatchError,
    SumeError,
    UploadError,
)
from ._retries import should_retry

__all__ = ["Disposition", "disposition"]


@attrs.frozen(kw_only=True)
class Disposition:
    """How a front end treats one error."""

    #: The error object's ``code``: the API's when it gave one, else the SDK's own.
    code: str
    #: The same request may succeed later; says nothing about the request itself.
    transient: bool
    #: A final answer about this request or job: the row fails, the others go on.
    verdict: bool
    #: About the account (key, access, credits): a batch stops, resumable once fixed.
    stops_batch: bool
    #: The CLI's exit code (named by ``cli/_exit.py``'s ``ExitCode``).
    exit_code: int


def _job_code(exc: JobFailedError) -> str:
    return f"job_{exc.status}" if exc.status in ("failed", "canceled", "expired") else "job_failed"


def disposition(exc: BaseException) -> Disposition:
    """The one classification of ``exc`` that every front end uses."""
    transient = should_retry(exc)
    if isinstance(exc, InvalidInputError):
        return Disposition(code="invalid_input", transient=False, verdict=True, stops_batch=False, exit_code=2)
    if isinstance(exc, AuthenticationError | PermissionDeniedError | InsufficientCreditsError):
        return Disposition(code=_api_code(exc), transient=False, verdict=False, stops_batch=True, exit_code=3)
    if isinstance(exc, APIStatusError):
        if transient:
            return Disposition(code=_api_code(exc), transient=True, verdict=False, stops_batch=False, exit_code=6)
        return Disposition(code=_api_code(exc), transient=False, verdict=True, stops_batch=False, exit_code=4)
    if isinstance(exc, APITimeoutError):
        return Disposition(code="timeout", transient=True, verdict=False, stops_batch=False, exit_code=6)
    if isinstance(exc, APIConnectionError):
        return Disposition(code="connection_error", transient=True, verdict=False, stops_batch=False, exit_code=6)
    if isinstance(exc, JobFailedError):
        return Disposition(code=_job_code(exc), transient=False, verdict=True, stops_batch=False, exit_code=1)
    if isinstance(exc, JobTimeoutError):
        return Disposition(code="job_timeout", transient=False, verdict=False, stops_batch=False, exit_code=5)
    for kind, code in _UNAVAILABLE:
        if isinstance(exc, kind):
            return Disposition(code=code, transient=False, verdict=False, stops_batch=False, exit_code=6)
    if isinstance(exc, KeyboardInterrupt):
        return Disposition(code="interrupted", transient=False, verdict=False, stops_batch=True, exit_code=130)
    code = "sdk_error" if isinstance(exc, SumeError) else "internal_error"
    return Disposition(code=code, transient=False, verdict=False, stops_batch=False, exit_code=70)


_UNAVAILABLE: tuple[tuple[type[BaseException], str], ...] = (
    (ResponseMismatchError, "response_mismatch"),
    (PaginationLoopError, "pagination_loop"),
    (APIResponseValidationError, "invalid_response"),
    (UploadError, "upload_failed"),
    (DownloadError, "download_failed"),
    (ClientClosedError, "client_closed"),
    (ClusterError, "cluster_error"),
)


def _api_code(exc: APIStatusError) -> str:
    return exc.code or f"http_{exc.status_code}"
