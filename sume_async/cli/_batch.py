"""``sume-async batch``: run, status, export and retry-failed for journaled batch pipelines.

Exit codes (as the root help documents): 0 every row done, 1 some rows failed, 2 bad usage or
manifest (naming the line and field; nothing sent), 3 stopped but resumable (credits, key,
rate limits, network: run the same command again), 130 interrupted (the journal stays
consistent: run again to resume).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import click

from .._errors import ClusterError, InvalidInputError
from .._extras import MissingExtraError, require_extra
from ..batch import (
    Batch,
    DaskEngine,
    Engine,
    Journal,
    JournalError,
    JournalRow,
    ManifestFile,
    ParamsChangedError,
    Progress,
    Row,
    check_rows,
)
from ..batch._batch import journaled_outcome
from ..batch._manifest import check_shard
from ._app import CliError, ExitCode, Output, client_from_env, output_options, runs_async

__all__ = ["batch", "register"]


def register(main: click.Group) -> None:
    main.add_command(batch)


@click.group()
def batch() -> None:
    """Crash-safe batches: every row created once, journaled, resumable (spends credits)."""


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    index, sep, count = value.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise CliError("invalid_input", "--shard: must look like I/N (e.g. 0/4)", ExitCode.USAGE) from None
    if not sep:
        raise CliError("invalid_input", "--shard: must look like I/N (e.g. 0/4)", ExitCode.USAGE)
    try:
        return check_shard((i, n))
    except InvalidInputError:
        raise CliError("invalid_input", "--shard: must be I/N with 0 <= I < N", ExitCode.USAGE) from None


def _default_state(manifest: Path, shard: tuple[int, int] | None) -> Path:
    suffix = f".shard-{shard[0]}-of-{shard[1]}" if shard else ""
    return manifest.with_name(f"{manifest.name}{suffix}.state")


_FILE = click.Path(dir_okay=False, path_type=Path)
_PEM = click.Path(exists=True, dir_okay=False, path_type=Path)


def _run_options(fn: Any) -> Any:
    options = [
        click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--kind", help="Kind of every row of a CSV manifest (image, video, ads_video, ...)."),
        click.option("--name", help="Batch name (part of every row's Idempotency-Key). Default: the manifest's stem."),
        click.option(
            "--state",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Journal file (default beside the manifest).",
        ),
        click.option(
            "--out",
            "results",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write one JSON line per row here.",
        ),
        click.option("--download", type=click.Path(file_okay=False, path_type=Path), help="Download outputs here."),
        click.option(
            "--max-in-flight",
            type=click.IntRange(min=1),
            help="Unfinished jobs at once (default: the workspace's limit).",
        ),
        click.option("--shard", help="Run only shard I of N (stable hash of the row id), e.g. 0/4."),
        click.option("--dry-run", is_flag=True, help="Validate every row and count them; send nothing."),
        click.option("--recreate-changed", is_flag=True, help="Create new jobs for rows whose params changed."),
        click.option(
            "--engine",
            type=click.Choice(["process", "dask"]),
            default="process",
            show_default=True,
            help="Where rows run: this process, or a Dask cluster (the dask extra; the journal stays here).",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            help="With --engine dask: a running scheduler, e.g. tls://10.0.0.5:8786 with --tls-* (anyone who "
            "reaches a tcp:// one can read its workers' keys). Workers read SUME_API_KEY from their own "
            "environment. Default: a local cluster for this run.",
        ),
        click.option(
            "--local-workers",
            type=click.IntRange(min=1, max=256),
            help="With --engine dask and no --scheduler: worker processes of the local cluster (default: CPUs, max 4).",
        ),
        click.option(
            "--no-workers-timeout",
            type=click.FloatRange(min=0, min_open=True, max=3600),
            help="With --engine dask: seconds without a usable worker (or the scheduler) before the run stops "
            "resumable (default 60).",
        ),
        click.option(
            "--tls-ca-file",
            type=_PEM,
            help="With --engine dask: the CA certificate(s) of a tls:// scheduler (PEM), as `dask worker` takes.",
        ),
        click.option("--tls-cert", type=_PEM, help="With --engine dask: this driver's TLS certificate (PEM)."),
        click.option("--tls-key", type=_PEM, help="With --engine dask: the private key of --tls-cert (PEM)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@batch.command("run")
@_run_options
@output_options
@runs_async
async def run(out: Output, **options: Any) -> None:
    """Run MANIFEST (JSONL rows, or CSV with --kind); a rerun resumes where the last one stopped.

    Paid: every row creates a job (Face Swap: one per avatar). Keys are deterministic, so a
    rerun never pays twice for a row.
    """
    await _run(out, retry_failed=False, **options)


@batch.command("retry-failed")
@_run_options
@output_options
@runs_async
async def retry_failed(out: Output, **options: Any) -> None:
    """Run MANIFEST again, giving each failed row a new attempt (a new key: paid again)."""
    await _run(out, retry_failed=True, **options)


async def _run(
    out: Output,
    *,
    manifest: Path,
    kind: str | None,
    name: str | None,
    state: Path | None,
    results: Path | None,
    download: Path | None,
    max_in_flight: int | None,
    shard: str | None,
    dry_run: bool,
    recreate_changed: bool,
    retry_failed: bool,
    engine: str,
    scheduler: str | None,
    local_workers: int | None,
    no_workers_timeout: float | None,
    tls_ca_file: Path | None,
    tls_cert: Path | None,
    tls_key: Path | None,
) -> None:
    parts = _shard(shard)
    runner = _engine(
        engine,
        scheduler,
        local_workers,
        no_workers_timeout=no_workers_timeout,
        tls=(tls_ca_file, tls_cert, tls_key),
    )
    base_dir = Path(await anyio.Path(manifest).absolute()).parent
    if dry_run:
        # Streamed: the same checks as a real run's plan, a row at a time, nothing held but ids.
        shown = _Counted(ManifestFile(manifest, kind=kind, shard=parts))
        with _manifest_errors():
            counts = await check_rows(shown, base_dir=base_dir)
        out.data({"rows": shown.rows, "kinds": dict(counts), "jobs": shown.jobs, "sent": 0})
        return
    # Every output path is checked before the first paid request.
    await anyio.to_thread.run_sync(_check_writable, results, download)
    # Read from the file as the run goes: checked and journaled in a first pass, read again for
    # the rows it creates. Nothing is held but the ids seen.
    rows = ManifestFile(manifest, kind=kind, shard=parts)
    batch_name = name or manifest.stem
    state_path = state or _default_state(manifest, parts)
    reporter = _Reporter(out, 0)
    async with client_from_env() as sume:
        job = Batch(
            sume,
            name=batch_name,
            state=state_path,
            max_in_flight=max_in_flight,
            download_dir=download,
            recreate_changed=recreate_changed,
            retry_failed=retry_failed,
            base_dir=base_dir,
            on_progress=reporter.update,
            engine=runner,
        )
        with reporter, _engine_warnings(out):
            try:
                async with job.run(rows) as running:
                    async for _ in running:
                        pass
            except ParamsChangedError:
                raise
            except JournalError as exc:
                raise CliError("state_error", str(exc), ExitCode.UNAVAILABLE, field="--state", resumable=True) from None
            except ClusterError as exc:
                raise CliError("cluster_unavailable", str(exc), ExitCode.ACCOUNT, resumable=True) from None
            except InvalidInputError as exc:
                if exc.field in ("state", "name"):
                    raise CliError("invalid_state", f"--{exc.field}: {exc.problem}", ExitCode.USAGE) from None
                raise CliError("invalid_manifest", str(exc), ExitCode.USAGE, field=exc.field) from None
    progress, stopped = running.progress, running.stopped
    if results is not None:
        await _export(state_path, batch_name, results, only=running.row_ids)
    summary = {
        "name": batch_name,
        "state": str(state_path),
        "rows": progress.total,
        "completed": progress.completed,
        "failed": progress.failed,
        "pending": progress.pending,
        "created": progress.created,
        "downloaded": progress.downloaded,
        "credits_charged": progress.credits_charged,
        "stopped": None if stopped is None else stopped.reason,
        "message": None if stopped is None else stopped.message,
    }
    out.data(summary)
    if stopped is not None:
        raise CliError(stopped.reason, stopped.message, ExitCode.ACCOUNT, resumable=True)
    if progress.failed:
        raise CliError("rows_failed", f"{progress.failed} of {progress.total} rows failed", ExitCode.FAILED)


class _Counted:
    """A manifest's rows, counted as they pass; ``where`` labels them by file and line (the manifest's own)."""

    def __init__(self, manifest: ManifestFile) -> None:
        self.manifest = manifest
        self.rows = self.jobs = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.manifest:
            self.rows += 1
            self.jobs += row.jobs
            yield row

    @property
    def where(self) -> ManifestFile:
        return self.manifest.where


@contextlib.contextmanager
def _manifest_errors() -> Iterator[None]:
    try:
        yield
    except InvalidInputError as exc:
        if exc.field == "kind":
            raise
        raise CliError("invalid_manifest", str(exc), ExitCode.USAGE, field=exc.field) from None


def _check_writable(results: Path | None, download: Path | None) -> None:
    """``--out`` and ``--download`` can be written (proved by creating a file there), or exit 2 at once."""
    if results is not None:
        if results.is_dir():
            raise CliError("invalid_input", "--out: is a folder", ExitCode.USAGE, option="--out")
        _probe(results.parent if str(results.parent) else Path("."), "--out")
    if download is not None:
        if download.exists() and not download.is_dir():
            raise CliError("invalid_input", "--download: is not a folder", ExitCode.USAGE, option="--download")
        try:
            download.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(
                "invalid_input", f"--download: cannot be created ({exc.strerror or type(exc).__name__})",
                ExitCode.USAGE, option="--download",
            ) from None  # fmt: skip
        _probe(download, "--download")


def _probe(folder: Path, option: str) -> None:
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".sume-write-check.", suffix=".tmp")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise CliError(
            "invalid_input", f"{option}: cannot write there ({exc.strerror or type(exc).__name__})", ExitCode.USAGE,
            option=option,
        ) from None  # fmt: skip


def _engine(
    name: str,
    scheduler: str | None,
    local_workers: int | None,
    *,
    no_workers_timeout: float | None = None,
    tls: tuple[Path | None, Path | None, Path | None] = (None, None, None),
) -> Engine | None:
    """The engine of ``--engine``; ``None`` runs the rows in this process."""
    if name != "dask":
        if scheduler is not None or local_workers is not None or no_workers_timeout is not None or any(tls):
            raise CliError(
                "invalid_input",
                "--scheduler, --local-workers, --no-workers-timeout and --tls-* need --engine dask",
                ExitCode.USAGE,
            )
        return None
    try:
        require_extra("dask", "--engine dask")
    except MissingExtraError as exc:
        raise CliError("missing_extra", str(exc), ExitCode.USAGE) from None
    security = None
    if any(tls):
        if not all(tls):
            message = "--tls-ca-file, --tls-cert and --tls-key go together"
            raise CliError("invalid_input", message, ExitCode.USAGE, option="--tls-cert")
        Security: Any = importlib.import_module("distributed.security").Security
        ca, cert, key = (str(path) for path in tls)
        security = Security(tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True)
    extra: dict[str, Any] = {} if no_workers_timeout is None else {"no_workers_timeout": no_workers_timeout}
    try:
        return DaskEngine(scheduler=scheduler, local_workers=local_workers, security=security, **extra)
    except InvalidInputError as exc:
        option = "--" + exc.field.replace("_", "-")
        raise CliError("invalid_input", f"{option}: {exc.problem}", ExitCode.USAGE, option=option) from None


@contextlib.contextmanager
def _engine_warnings(out: Output) -> Iterator[None]:
    """Show the engine's warnings (a Dask worker refused, a chunk failed) as notes while the batch runs:
    the library's logs are otherwise kept off stderr."""

    class Notes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            out.note(f"warning: {record.getMessage()}")

    handler = Notes(logging.WARNING)
    engine_logger = logging.getLogger("sume_async.batch")
    engine_logger.addHandler(handler)
    try:
        yield
    finally:
        engine_logger.removeHandler(handler)


class _Reporter:
    """Progress: a rich bar on a terminal, a plain line every few seconds otherwise (stderr)."""

    def __init__(self, out: Output, total: int) -> None:
        self.out = out
        self.total = total
        self.last = 0.0
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> _Reporter:
        if self.out.progress:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(), console=Console(file=self.out.stderr), transient=False,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("batch", total=self.total, detail="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, progress: Progress) -> None:
        self.total = progress.total  # known once the manifest is planned
        done = progress.completed + progress.failed
        detail = (
            f"running {progress.running}  failed {progress.failed}  created {progress.created}"
            f"  downloaded {progress.downloaded}"
        )
        if self.bar is not None:
            self.bar.update(self.task, total=self.total, completed=done, detail=detail)
            return
        now = time.monotonic()
        if now - self.last >= 2.0 or done == self.total:
            self.last = now
            self.out.stderr.write(f"batch: {done}/{self.total} done, {detail}\n")
            self.out.stderr.flush()


@batch.command("status")
@click.argument("manifest", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), help="Journal file.")
@output_options
@runs_async
async def status(out: Output, manifest: Path | None, state: Path | None) -> None:
    """Rows per status in a batch's journal (MANIFEST's default state, or --state). Sends nothing."""
    with _state_errors():
        path = _state_of(manifest, state)
        name = await Journal.read_name(path)
        async with await Journal.open(path, name=name) as journal:
            counts = await journal.counts()
        out.data(
            {
                "name": name,
                "state": str(path),
                "rows": sum(counts.values()),
                **{s: counts.get(s, 0) for s in ("pending", "created", "completed", "failed")},
            }
        )


@batch.command("export")
@click.argument("manifest", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), help="Journal file.")
@click.option(
    "--out", "results", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout)."
)
@output_options
@runs_async
async def export(out: Output, manifest: Path | None, state: Path | None, results: Path | None) -> None:
    """One JSON line per journaled row: id, kind, job ids, status, outputs, error. Sends nothing.

    Printed, media URLs are redacted unless --show-urls; written with --out, they are kept.
    """
    with _state_errors():
        path = _state_of(manifest, state)
        name = await Journal.read_name(path)
        if results is None:
            damaged = 0
            async with await Journal.open(path, name=name) as journal:
                async for row in journal.iter_rows():  # on the terminal, media URLs only with --show-urls
                    damaged += row.damaged
                    out.json_line(out.safe(_line(row)))
            out.stdout.flush()
        else:
            await anyio.to_thread.run_sync(_check_writable, results, None)
            damaged = await _export(path, name, results)
            out.note(f"wrote {results}")
        if damaged:
            out.note(f"{damaged} journal rows are damaged (status 'damaged'); the next run re-plans them")


@contextlib.contextmanager
def _state_errors() -> Iterator[None]:
    """A state file that cannot be used: exit 2 when it is not a journal, 6 when it fails (disk, lock)."""
    try:
        yield
    except JournalError as exc:
        raise CliError("state_error", str(exc), ExitCode.UNAVAILABLE, field="--state", resumable=True) from None
    except InvalidInputError as exc:
        if exc.field not in ("state", "name"):
            raise
        raise CliError("invalid_state", f"--{exc.field}: {exc.problem}", ExitCode.USAGE) from None


def _state_of(manifest: Path | None, state: Path | None) -> Path:
    if state is not None:
        return state
    if manifest is None:
        raise CliError("invalid_input", "give MANIFEST or --state", ExitCode.USAGE)
    return _default_state(manifest, None)


def _line(row: JournalRow) -> dict[str, Any]:
    if row.damaged:
        return {
            "id": row.row_id.encode("utf-8", "replace").decode("utf-8"),
            "kind": row.kind.encode("utf-8", "replace").decode("utf-8"),
            "job_ids": list(row.job_ids),
            "status": "damaged",
            "outputs": [],
            "error": {"code": "journal_damaged", "message": "This row of the state file could not be read."},
        }
    if row.finished:
        return journaled_outcome(row).to_dict()
    return {
        "id": row.row_id,
        "kind": row.kind,
        "job_ids": list(row.job_ids),
        "status": row.status,
        "outputs": [],
        "error": None,
    }


async def _export(state: Path, name: str, results: Path, only: Collection[str] | None = None) -> int:
    """Write the journal's rows as JSON lines, atomically; the number of damaged rows.

    The lines go to a new temporary file of an unguessable name beside ``results`` (created
    exclusively, readable by its owner only: it holds private media URLs), which then replaces
    ``results``: a symlink planted there is replaced, never followed.
    """
    try:
        return await _write_export(state, name, results, only)
    except OSError as exc:  # a full disk, a folder that went away: named, and the journal is intact
        raise CliError(
            "write_failed", f"--out: {results.name} cannot be written ({exc.strerror or type(exc).__name__}); "
            "the batch state is intact: run `sume-async batch export` again", ExitCode.UNAVAILABLE, option="--out",
        ) from None  # fmt: skip


async def _write_export(state: Path, name: str, results: Path, only: Collection[str] | None) -> int:
    folder = results.parent if str(results.parent) else Path(".")
    damaged = 0
    async with await Journal.open(state, name=name) as journal:
        fd, temp = await anyio.to_thread.run_sync(
            lambda: tempfile.mkstemp(dir=folder, prefix=f".{results.name}.", suffix=".tmp")
        )
        try:
            try:
                handle = os.fdopen(fd, "w", encoding="utf-8")
            except BaseException:
                os.close(fd)
                raise
            with handle:
                async for row in journal.iter_rows():
                    if only is None or row.row_id in only:
                        damaged += row.damaged
                        handle.write(json.dumps(_line(row), ensure_ascii=False) + "\n")
                handle.flush()
                await anyio.to_thread.run_sync(os.fsync, handle.fileno())
            await anyio.to_thread.run_sync(os.replace, temp, results)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    return damaged
