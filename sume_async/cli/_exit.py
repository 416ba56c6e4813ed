"""Exit codes and the error object, one per kind of failure: the CLI's contract with scripts.

=====  ===========  ==================================================================
code   name         when
=====  ===========  ==================================================================
0      OK           done
1      FAILED       a job ended ``failed``, ``canceled`` or ``expired`` (batch: some rows failed);
                    ``schema check``: breaking changes
2      USAGE        bad command line or input, or no ``SUME_API_KEY``: nothing was sent
3      ACCOUNT      the key was refused (401), no access (403) or not enough credits (402):
                    fix the account and run again (batch: stopped, resumable)
4      REJECTED     the API refused the request: 400, 404, 409 (job not completed, key reused), 422
5      TIMEOUT      the ``--timeout`` of a wait passed; the job goes on (``jobs wait ID`` resumes)
6      UNAVAILABLE  no usable answer: network, timeouts, 408, 429 or 5xx after retries, a malformed
                    response, the storage host refusing an upload, a download that failed
70     INTERNAL     a bug in sume-async (please report it)
74     IO_ERROR     a file or stream could not be written or read (a full disk, a read-only place)
130    INTERRUPTED  Ctrl-C or SIGTERM
141    CLOSED       stdout was closed by its reader (``| head -1``): nothing more is printed, as a Unix
                    tool killed by SIGPIPE (created jobs are still named on stderr)
=====  ===========  ==================================================================

With ``--json`` the error goes to stderr as one JSON object on one line::

    {"code": "insufficient_credits", "message": "...", "request_id": "req_..."}

``code`` is the API's error code when it gave one, otherwise one of the SDK's own
(``invalid_input``, ``usage_error``, ``job_failed``, ``job_canceled``, ``job_expired``,
``job_timeout``, ``connection_error``, ``timeout``, ``invalid_response``,
``upload_failed``, ``download_failed``, ``io_error``, ``interrupted``, ``internal_error``); ``request_id`` is null when
there was no API response. Some errors add keys: ``field`` and ``option`` (invalid input),
``job_id`` and ``job_error`` (jobs), ``status_code`` (HTTP).
"""

from __future__ import annotations

import errno
from enum import IntEnum
from typing import Any

import click

from .._error_kinds import disposition
from .._errors import (
    APIResponseValidationError,
    APIStatusError,
    InvalidInputError,
    JobFailedError,
    JobTimeoutError,
    SumeError,
)

__all__ = ["CliError", "ExitCode", "error_object", "exit_code_for", "is_closed_output"]


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    ACCOUNT = 3
    REJECTED = 4
    TIMEOUT = 5
    UNAVAILABLE = 6
    INTERNAL = 70
    IO_ERROR = 74
    INTERRUPTED = 130
    CLOSED = 141


class CliError(Exception):
    """An error the CLI itself reports (not from the SDK): a code, a message and an exit code."""

    def __init__(self, code: str, message: str, exit_code: ExitCode = ExitCode.USAGE, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code
        self.extra = extra


def exit_code_for(exc: BaseException) -> ExitCode:
    """The documented exit code of an error (the SDK's one mapping, :mod:`sume_async._error_kinds`)."""
    if isinstance(exc, CliError):
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        return ExitCode.USAGE
    if is_closed_output(exc):  # causes of the CLI's own output, not of the API: named here
        return ExitCode.CLOSED
    if isinstance(exc, OSError):
        return ExitCode.IO_ERROR
    return ExitCode(disposition(exc).exit_code)


def is_closed_output(exc: BaseException) -> bool:
    """The reader of stdout (or stderr) went away: ``| head -1``, ``| true``."""
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def error_object(exc: BaseException, *, option_for: dict[str, str] | None = None) -> dict[str, Any]:
    """``{code, message, request_id, ...}`` for an error; never a secret (SDK messages carry none).

    ``option_for`` maps SDK argument names to the command's option names (``aspect_ratio`` →
    ``--aspect-ratio``), so invalid input names what the user typed.
    """
    out: dict[str, Any]
    if isinstance(exc, CliError):
        out = {"code": exc.code, "message": exc.message, "request_id": None, **exc.extra}
    elif isinstance(exc, click.ClickException):
        out = {"code": "usage_error", "message": exc.format_message(), "request_id": None}
    elif isinstance(exc, InvalidInputError):
        option = _option_name(exc.field, option_for or {})
        out = {
            "code": "invalid_input",
            "message": f"{option}: {exc.problem}",
            "request_id": None,
            "field": exc.field,
            "option": option,
        }
    elif isinstance(exc, APIStatusError):
        out = {
            "code": disposition(exc).code,
            "message": exc.message,
            "request_id": exc.request_id,
            "status_code": exc.status_code,
        }
    elif isinstance(exc, APIResponseValidationError):
        out = {"code": disposition(exc).code, "message": str(exc), "request_id": exc.request_id}
    elif isinstance(exc, JobFailedError):
        out = {
            "code": disposition(exc).code,
            "message": str(exc),
            "request_id": None,
            "job_id": exc.job_id,
            "job_error": {"code": exc.error_code, "message": exc.error_message},
        }
    elif isinstance(exc, JobTimeoutError):
        out = {"code": "job_timeout", "message": str(exc), "request_id": None, "job_id": exc.job_id}
    elif isinstance(exc, KeyboardInterrupt):
        out = {"code": "interrupted", "message": "Interrupted", "request_id": None}
    elif isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if isinstance(exc.filename, str) else ""
        out = {"code": "io_error", "message": f"input/output error: {reason}{where}", "request_id": None}
    elif isinstance(exc, SumeError):
        out = {"code": disposition(exc).code, "message": str(exc), "request_id": None}
    else:
        # Not an SDK error: a bug. Its text could hold anything, so only the type is shown.
        out = {"code": "internal_error", "message": f"unexpected {type(exc).__name__}", "request_id": None}
    return out


def _option_name(field: str, option_for: dict[str, str]) -> str:
    base = field.split("[", 1)[0]
    return option_for.get(field) or option_for.get(base) or "--" + base.replace("_", "-")
