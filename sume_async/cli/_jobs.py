"""``jobs list|get|result|wait``, and how every create command waits, fetches and downloads."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio
import click

from .. import AsyncSume, InvalidInputError, Job, JobWithResult
from .._options import NOT_GIVEN
from ..resources._common import new_idempotency_key
from ._app import Output, client_from_env, output_options, runs_async
from ._paging import list_options, print_page

F = TypeVar("F", bound=Callable[..., Any])

JOB_COLUMNS = ["id", "type", "status", "created_at"]

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to wait before giving up (exit 5; the job goes on). Default 600 for images, 1800 otherwise."
    " Implies --wait on create commands.",
)


def _download(help: str) -> Callable[[F], F]:
    return click.option("--download", type=click.Path(file_okay=False, writable=True, path_type=Path), help=help)


#: ``--download DIR`` of the commands that wait (create commands, ``jobs wait``).
download_option = _download("Save the outputs into this directory (implies --wait).")
#: ``--download DIR`` of ``jobs result``, which does not wait: the job must have finished.
result_download_option = _download("Save the outputs of the finished job into this directory (no waiting).")


def check_download_dir(directory: Path) -> None:
    """Refuse, before anything is paid for, a ``--download`` folder that could not be written."""
    target = directory.expanduser()
    probe = target
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise click.BadParameter(f"{probe} is not a directory", param_hint="--download")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{probe} is not writable", param_hint="--download")


def wait_options(fn: F) -> F:
    """``--wait``, ``--timeout``, ``--download DIR`` for the create commands."""
    fn = download_option(fn)
    fn = timeout_option(fn)
    return click.option("--wait", is_flag=True, help="Wait for the job and print it with its result.")(fn)


def idempotency_option(fn: F) -> F:
    """``--idempotency-key``, passed to the command as the key to send (the user's, or a fresh one).

    The key is checked before anything is sent. The command calls :func:`sending_create` just
    before its create goes out: only from then on does an error (a timeout, Ctrl-C) tell the user
    which key returns that job on a rerun; a usage error never suggests a job may exist.
    """

    def checked(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        try:
            return new_idempotency_key(value)
        except InvalidInputError as exc:
            raise click.BadParameter(exc.problem, ctx=ctx, param=param) from None

    return click.option(
        "--idempotency-key",
        callback=checked,
        help="Reuse a key to make a rerun answer with the same job instead of paying for a new one (24 h).",
    )(fn)


def sending_create(out: Output, key: str) -> None:
    """From now on a paid request may reach the server: errors name ``key``, which returns its job."""
    out.idempotency_key = key


async def finish(
    out: Output,
    sume: AsyncSume,
    jobs: Sequence[Job],
    *,
    wait: bool,
    timeout: float | None,
    download: Path | None,
    many: bool = False,
) -> None:
    """Print created ``jobs``; with ``wait``/``download``, wait, fetch each result and save its outputs."""
    out.created.extend(job.id for job in jobs)
    if not wait and timeout is None and download is None:
        out.data(list(jobs) if many else jobs[0], columns=JOB_COLUMNS)
        return
    ids = ", ".join(job.id for job in jobs)
    out.note(f"Created {ids}; waiting (Ctrl-C stops waiting, not the job)")
    records = await wait_and_fetch(out, sume, list(jobs), timeout=timeout, download=download)
    out.data(records if many else records[0], columns=JOB_COLUMNS)


async def wait_and_fetch(
    out: Output, sume: AsyncSume, jobs: Sequence[Job | str], *, timeout: float | None, download: Path | None
) -> list[Any]:
    """Wait for every job, fetch its result, save outputs to ``download``: one record per job."""
    label = ", ".join(job.id if isinstance(job, Job) else job for job in jobs)
    with out.status(f"Waiting for {label}"):
        done = await sume.jobs.wait_all(jobs, timeout=NOT_GIVEN if timeout is None else timeout)
        records: list[Any] = []
        for job in done:
            result = await sume.jobs.result(job)
            record = out.safe(result)
            if download is not None:
                record["files"] = await save_outputs(sume, result, download)
            records.append(record)
    return records


async def save_outputs(sume: AsyncSume, result: JobWithResult, directory: Path) -> list[dict[str, Any]]:
    """Save a finished job's outputs into ``directory`` (the SDK's downloader: atomic, skips complete files)."""
    paths = await sume.jobs.download(result, directory)
    return [{"path": str(path), "bytes": (await anyio.Path(path).stat()).st_size} for path in paths]


@click.group()
def jobs() -> None:
    """Jobs: list, inspect, fetch results, wait, download outputs."""


@jobs.command("list")
@click.option("--type", "job_type", help="Only jobs of this type (image_generation, video_generation, ...).")
@click.option("--status", help="Only jobs in this status (queued, processing, completed, failed, ...).")
@list_options
@output_options
@runs_async
async def jobs_list(
    out: Output, job_type: str | None, status: str | None, limit: int, cursor: str | None, all_pages: bool
) -> None:
    """Jobs of the workspace, newest first."""
    async with client_from_env() as sume:
        pager = sume.jobs.list(type=job_type, status=status, limit=limit)
        await print_page(out, pager, cursor, JOB_COLUMNS, all_pages=all_pages)


@jobs.command("get")
@click.argument("job_id")
@output_options
@runs_async
async def jobs_get(out: Output, job_id: str) -> None:
    """A job's current status (one request)."""
    async with client_from_env() as sume:
        out.data(await sume.jobs.get(job_id))


@jobs.command("result")
@click.argument("job_id")
@result_download_option
@output_options
@runs_async
async def jobs_result(out: Output, job_id: str, download: Path | None) -> None:
    """A finished job with its result, in one request: it does not wait.

    While the job runs this exits 4 (job_not_completed); `sume-async jobs wait JOB_ID` waits.
    Output URLs are redacted unless --show-urls; --download saves the files instead.
    """
    async with client_from_env() as sume:
        result = await sume.jobs.result(job_id)
        record = out.safe(result)
        if download is not None:
            record["files"] = await save_outputs(sume, result, download)
        out.data(record)


@jobs.command("wait")
@click.argument("job_ids", metavar="JOB_ID...", nargs=-1, required=True)
@timeout_option
@_download("Save the outputs into this directory.")
@output_options
@runs_async
async def jobs_wait(out: Output, job_ids: tuple[str, ...], timeout: float | None, download: Path | None) -> None:
    """Wait until the jobs finish and print them with their results.

    Exit 1 when a job ends failed, canceled or expired; exit 5 when --timeout passes first.
    Waiting costs nothing: run it again to keep waiting.
    """
    async with client_from_env() as sume:
        records = await wait_and_fetch(out, sume, list(job_ids), timeout=timeout, download=download)
        out.data(records if len(records) > 1 else records[0], columns=JOB_COLUMNS)


def register(group: click.Group) -> None:
    group.add_command(jobs)
