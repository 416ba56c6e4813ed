"""The exceptions every SDK call raises: nothing else escapes to the caller.

The hierarchy follows the HTTP layering, so ``except`` clauses can be as broad or
as narrow as the caller needs::

    SumeError
    ├── InvalidInputError          bad arguments, raised before anything is sent
    │   └── ConfigurationError     a bad environment variable (proxy, CA bundle), named
    ├── ClientClosedError          the client was used after close()
    ├── EventLoopError             the client was used from a second event loop
    ├── APIConnectionError         no HTTP response (DNS, refused, reset, ...)
    │   └── APITimeoutError
    ├── APIResponseValidationError a 2xx body that does not match the schema
    │   ├── ResponseMismatchError  a valid answer about something else (another job's id)
    │   └── PaginationLoopError    a list's next_cursor leads back to a page already read
    ├── APIStatusError             a non-2xx answer, parsed from the error envelope
    │   ├── BadRequestError (400), AuthenticationError (401),
    │   ├── InsufficientCreditsError (402), PermissionDeniedError (403),
    │   ├── NotFoundError (404), ConflictError (409),
    │   ├── UnprocessableEntityError (422), RateLimitError (429)
    │   └── InternalServerError (5xx, including CDN codes 520-524)
    ├── UploadError                the storage host refused the upload
    ├── DownloadError              a job's output could not be downloaded
    ├── ClusterError               the Dask cluster of a batch could not start or be reached
    └── JobError
        ├── JobFailedError         the job ended failed, canceled or expired
        └── JobTimeoutError        the wait's deadline passed

Messages never carry API keys, signed URLs, object keys or media URLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._generated.models import Job

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClusterError",
    "ConfigurationError",
    "ConflictError",
    "DownloadError",
    "EventLoopError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidInputError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "NotFoundError",
    "PaginationLoopError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseMismatchError",
    "SumeError",
    "UnprocessableEntityError",
    "UploadError",
]


class SumeError(Exception):
    """Base class of every error the SDK raises."""


class InvalidInputError(SumeError, ValueError):
    """An argument is invalid; nothing was sent (and no credits were spent)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ConfigurationError(InvalidInputError):
    """The environment configures the HTTP client in a way it cannot work with.

    ``field`` names the variable (``HTTPS_PROXY``, ``ALL_PROXY``, ``SSL_CERT_FILE``, ...);
    nothing was sent.
    """


class ClientClosedError(SumeError, RuntimeError):
    """The client was closed (or the ``http_client`` it was given); create a new one."""

    def __init__(self, message: str = "This AsyncSume client is closed; create a new one to make requests.") -> None:
        super().__init__(message)


class EventLoopError(SumeError, RuntimeError):
    """The client was used from an event loop other than the one it first ran in."""

    def __init__(self) -> None:
        super().__init__(
            "This AsyncSume client belongs to the event loop it was first used in; "
            "create one client per event loop (per asyncio.run or trio.run)."
        )


class APIConnectionError(SumeError):
    """The request got no HTTP response (connection refused, reset, DNS, TLS, ...)."""

    def __init__(self, message: str = "Connection error.", *, method: str = "", path: str = "", host: str = "") -> None:
        to = f" to {host}" if host else ""
        what = f" ({method} {path})" if method else ""
        super().__init__(f"{message.rstrip('.')}{to}.{what}")
        #: What went wrong, without where (``"Connection error (ReadError)"``).
        self.reason: str = message.rstrip(".")
        self.method = method
        self.path = path
        #: ``host:port`` the request went to (never a query string or credentials).
        self.host = host


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, *, method: str = "", path: str = "", host: str = "") -> None:
        super().__init__("Request timed out.", method=method, path=path, host=host)


class APIResponseValidationError(SumeError):
    """A successful response whose body the SDK could not read as the schema says."""

    def __init__(self, message: str, *, status_code: int | None = None, request_id: str | None = None) -> None:
        suffix = f" (request_id={request_id})" if request_id else ""
        super().__init__(f"{message}{suffix}")
        self.status_code = status_code
        self.request_id = request_id


def _shown(value: object) -> str:
    """A value the server sent, short and printable, for a message."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


class ResponseMismatchError(APIResponseValidationError):
    """A well-formed answer about something other than what was asked.

    A poll of ``job_1`` answered with ``job_2`` (a misrouting proxy, a shared cache, a server
    bug): returning it would hand the caller another job as theirs. ``asked`` and ``answered``
    are the two ids.
    """

    def __init__(self, what: str, *, asked: str, answered: object) -> None:
        super().__init__(f"Sume answered a request for {what} {asked!r} with {what} {_shown(answered)}")
        self.what = what
        self.asked = asked
        self.answered = answered


class PaginationLoopError(APIResponseValidationError):
    """A list's ``next_cursor`` points back to a page this pager already read.

    Following it would return the same items again, and a resume loop (``while not
    pager.exhausted``) would never end. The cursor itself is not in the message.
    """

    def __init__(self, *, pages: int) -> None:
        super().__init__(
            f"Sume's list cursors loop: after {pages} page(s) the next_cursor leads back to a page already read"
        )
        self.pages = pages


class APIStatusError(SumeError):
    """Sume (or a proxy in front of it) answered with a non-2xx status.

    ``code``, ``message``, ``details`` and ``request_id`` come from the error envelope
    when the body is one; an HTML page from a CDN or an empty body still gives an
    ``APIStatusError`` with a generic message.
    """

    def __init__(
        self,
        *,
        status_code: int,
        code: str | None,
        message: str,
        details: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        label = f"{status_code} {code}" if code else str(status_code)
        suffix = f" (request_id={request_id})" if request_id else ""
        super().__init__(f"{label}: {message}{suffix}")
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        self.request_id = request_id
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400 ``bad_request``."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, malformed, revoked or unknown."""


class InsufficientCreditsError(APIStatusError):
    """402 ``insufficient_credits``."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but the workspace lacks access to the feature."""


class NotFoundError(APIStatusError):
    """404 ``not_found``."""


class ConflictError(APIStatusError):
    """409: ``job_not_completed`` or ``idempotency_key_reused``."""


class UnprocessableEntityError(APIStatusError):
    """422 ``validation_error``; ``details["fields"]`` maps fields to messages."""

    @property
    def fields(self) -> Mapping[str, str]:
        fields = self.details.get("fields")
        return fields if isinstance(fields, Mapping) else {}


class RateLimitError(APIStatusError):
    """429 ``rate_limited``; ``retry_after`` is the server's hint in seconds."""


class InternalServerError(APIStatusError):
    """5xx, including CDN statuses such as 520-524."""


class UploadError(SumeError):
    """The storage host did not accept an upload.

    Carries the status (if any) but never the signed URL, its query or the object key.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message if status_code is None else f"{message} (storage status {status_code})")
        self.status_code = status_code


class DownloadError(SumeError):
    """A job's output could not be downloaded (refused URL, redirect, size cap, storage status, network).

    Names the job and the output's position, never its URL.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message if status_code is None else f"{message} (status {status_code})")
        self.status_code = status_code


class ClusterError(SumeError):
    """The Dask cluster a batch runs on could not start, be reached, or set up its workers.

    Nothing was journaled as done that was not; the batch resumes on the next run.
    """


class JobError(SumeError):
    """A job did not complete as awaited."""


class JobFailedError(JobError):
    """The job reached a terminal state other than ``completed``."""

    def __init__(self, job: Job) -> None:
        code, message = _job_error_fields(job)
        self.job = job
        self.job_id: str = job.id
        self.status: str = str(job.status)
        self.error_code = code
        self.error_message = message
        detail = f": {code}: {message}" if code or message else ""
        super().__init__(f"Job {job.id} ended {self.status}{detail}")


def _job_error_fields(job: Job) -> tuple[str | None, str | None]:
    """The sanitized ``(code, message)`` of a failed job, whatever shape the server gave ``error``.

    An object with string fields gives both; a bare string is the message; anything else
    (a list, a number, null, absent) gives neither.
    """
    error: object = getattr(job, "error", None)
    if isinstance(error, str):
        return None, error
    code, message = getattr(error, "code", None), getattr(error, "message", None)
    return (code if isinstance(code, str) else None), (message if isinstance(message, str) else None)


class JobTimeoutError(JobError):
    """The deadline passed before the job reached a terminal state."""

    def __init__(self, job_id: str, *, last_status: str | None, timeout: float | None) -> None:
        self.job_id = job_id
        self.last_status = last_status
        self.timeout = timeout
        seen = last_status or "unknown"
        super().__init__(f"Job {job_id} was still {seen} when the {timeout} s deadline passed")


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific ``APIStatusError`` subclass for a status code."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)
