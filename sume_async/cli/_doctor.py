"""``sume-async doctor``: check the live API against the schema snapshot this SDK was built on."""

from __future__ import annotations

import sys
from typing import Any

import click

from .._doctor import PAID_WAIT_SECONDS, DoctorReport, doctor, paid_cost
from ._app import (
    CliError,
    ExitCode,
    Output,
    current_output,
    env_names_in_errors,
    json_option,
    runs_async,
    settings_from_env,
)


@click.command("doctor")
@click.option(
    "--paid",
    is_flag=True,
    help="Also create the cheapest job (one image) twice with one Idempotency-Key, wait for it and fetch "
    "its result. Spends credits: the cost is stated and confirmed first.",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before the paid check (for scripts and CI).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=PAID_WAIT_SECONDS,
    show_default=True,
    help="Seconds the paid check waits for its job.",
)
@json_option
def doctor_command(paid: bool, yes: bool, timeout: float) -> None:
    """Check what the live API answers against the schema this SDK was built on.

    \b
    Read-only by default: each read operation once (smallest page), a job id that cannot
    exist (404) and a request the API must refuse (limit=0). Every answer is checked
    strictly: fields missing, extra, mistyped or null; enum values; the error envelope and
    its request_id; Content-Type and Retry-After. The report lists each x-sume-inferred
    guess of the schema as confirmed, contradicted or not exercised. It carries request ids
    and what differed, never the key, URLs, e-mails or workspace and user ids: safe to paste
    into a support ticket.
    Exit codes: 0 everything matched, 1 something contradicted the schema (or the paid job
    did not complete), otherwise the usual ones (2 usage, 3 key refused, 6 network...).
    """
    out = current_output()
    if paid and not yes:
        _confirm(out, timeout)
    _run(paid=paid, timeout=timeout)


def _confirm(out: Output, timeout: float) -> None:
    """State the paid check's cost and ask, before anything is sent; refuse when no one can answer."""
    statement = paid_cost(timeout)
    if not _isatty(sys.stdin):
        raise _exit(out, CliError("confirmation_required", f"{statement} Add --yes to run it without a prompt."))
    click.echo(statement, err=True)
    try:
        agreed = click.confirm("Spend these credits?", default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise _exit(out, CliError("not_confirmed", "the paid check was not confirmed: nothing was sent"))


@runs_async
async def _run(out: Output, *, paid: bool, timeout: float) -> None:
    settings = settings_from_env()
    if paid:
        out.note(paid_cost(timeout))
    with env_names_in_errors(), out.status("Checking the API against the schema snapshot"):
        report = await doctor(**settings, paid=paid, wait_seconds=timeout)
    if report.paid is not None:
        out.created.extend(report.paid.job_ids)
    _print(out, report)
    raise SystemExit(int(ExitCode.OK if report.ok else ExitCode.FAILED))


def _print(out: Output, report: DoctorReport) -> None:
    if out.json:
        out.data(report.to_dict())
    else:
        out.text(report.render_text())


def _exit(out: Output, error: CliError) -> SystemExit:
    return SystemExit(int(out.error(error)))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def register(group: click.Group) -> None:
    group.add_command(doctor_command)
