"""``uploads upload`` and the Asset Library: ``assets upload|search|list|get``."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import _rules as rules
from .._generated.literals import GetAssetSearchModeValue, UploadPurposeValue
from .._operations import OPERATIONS
from ._app import Output, client_from_env, output_options, runs_async
from ._generate import command_help
from ._jobs import finish, idempotency_option, sending_create, timeout_option
from ._paging import list_options, print_page

F = TypeVar("F", bound=Callable[..., Any])

ASSET_COLUMNS = ["id", "title", "start_time_seconds", "end_time_seconds", "search.score"]
file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))

#: Choices read from the schema's enums.
PURPOSES = click.Choice(rules.body_schema("createUploadPresign")["properties"]["purpose"]["enum"])
SEARCH_MODES = click.Choice(rules.parameter_schema("listAssets", "search_mode")["enum"])
SORTS = click.Choice(rules.parameter_schema("listAssets", "sort")["enum"])


@contextlib.contextmanager
def upload_progress(out: Output, path: Path) -> Iterator[Callable[[int, int | None], None] | None]:
    """A rich progress bar on a terminal's stderr; nothing otherwise."""
    if not out.progress:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True
    ) as bar:
        task = bar.add_task(f"Uploading {path.name}", total=None)

        def advance(sent: int, total: int | None) -> None:
            bar.update(task, completed=sent, total=total)

        yield advance


@click.group()
def uploads() -> None:
    """Uploads of local videos (streamed from disk)."""


@uploads.command("upload")
@file_argument
@click.option(
    "--purpose",
    required=True,
    type=PURPOSES,
    help="What the video is for.",
)
@click.option("--content-type", help="Default: guessed from the file name.")
@output_options
@runs_async
async def uploads_upload(out: Output, file: Path, purpose: UploadPurposeValue, content_type: str | None) -> None:
    """Upload FILE to Sume's storage.

    For face_swap_source_video, the printed media_url (shown with --show-urls) feeds
    `face-swap create --media-url`; `face-swap create --video FILE` does both steps.
    For the Asset Library use `assets upload`, which also finalizes the upload.
    The upload URL and object key are credentials and are never printed.
    """
    async with client_from_env() as sume:
        with upload_progress(out, file) as progress:
            uploaded = await sume.uploads.upload(file, purpose=purpose, content_type=content_type, on_progress=progress)
        out.data(uploaded)


@click.group()
def assets() -> None:
    """The Asset Library: your videos, cut into searchable scenes."""


_UPLOAD_HELP, _UPLOAD_SHORT = command_help(OPERATIONS["createAsset"])


@assets.command("upload", help=_UPLOAD_HELP, short_help=_UPLOAD_SHORT)
@file_argument
@click.option("--title", help="A title for the video.")
@click.option("--wait", is_flag=True, help="Wait until ingest has finished (then search finds the scenes).")
@timeout_option
@idempotency_option
@output_options
@runs_async
async def assets_upload(
    out: Output, file: Path, title: str | None, wait: bool, timeout: float | None, idempotency_key: str
) -> None:
    rules.check_field("createAsset", "title", title)
    async with client_from_env() as sume:
        sending_create(out, idempotency_key)
        with upload_progress(out, file) as progress:
            job = await sume.assets.upload(file, title=title, on_progress=progress, idempotency_key=idempotency_key)
        await finish(out, sume, [job], wait=wait, timeout=timeout, download=None)


def asset_filters(fn: F) -> F:
    """The documented filters of GET /assets, as options."""
    options = [
        click.option(
            "--search-mode",
            type=SEARCH_MODES,
            help="auto (semantic when available) or text.",
        ),
        click.option("--source-type", help="e.g. generated, upload."),
        click.option("--segment-type", help="Scene segment type."),
        click.option("--brand", help="Brand name."),
        click.option("--product", help="Product name."),
        click.option("--tag", help="A tag."),
        click.option("--keyword", help="A keyword."),
        click.option("--cta-present/--no-cta-present", default=None, help="Scenes with (or without) a call to action."),
        click.option(
            "--min-duration", "min_duration_seconds", type=click.FloatRange(min=0), help="Shortest scene, seconds."
        ),
        click.option(
            "--max-duration", "max_duration_seconds", type=click.FloatRange(min=0), help="Longest scene, seconds."
        ),
        click.option("--created-after", type=click.DateTime(), help="ISO date or date-time."),
        click.option("--created-before", type=click.DateTime(), help="ISO date or date-time."),
        click.option("--sort", type=SORTS, help="Order of results."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _utc(value: datetime.datetime | None) -> datetime.datetime | None:
    return value.replace(tzinfo=datetime.UTC) if value is not None and value.tzinfo is None else value


@assets.command("search")
@click.argument("query")
@asset_filters
@list_options
@output_options
@runs_async
async def assets_search(
    out: Output, query: str, limit: int, cursor: str | None, all_pages: bool, **filters: Any
) -> None:
    """Scenes matching QUERY, best first."""
    filters["created_after"] = _utc(filters["created_after"])
    filters["created_before"] = _utc(filters["created_before"])
    async with client_from_env() as sume:
        await print_page(
            out, sume.assets.search(query, limit=limit, **filters), cursor, ASSET_COLUMNS, all_pages=all_pages
        )


@assets.command("list")
@asset_filters
@list_options
@output_options
@runs_async
async def assets_list(out: Output, limit: int, cursor: str | None, all_pages: bool, **filters: Any) -> None:
    """Asset Library scenes, filtered and sorted."""
    filters["created_after"] = _utc(filters["created_after"])
    filters["created_before"] = _utc(filters["created_before"])
    async with client_from_env() as sume:
        await print_page(out, sume.assets.list(limit=limit, **filters), cursor, ASSET_COLUMNS, all_pages=all_pages)


@assets.command("get")
@click.argument("asset_id")
@click.option("--q", help="The search query that found it (keeps the search context).")
@click.option("--search-mode", type=SEARCH_MODES)
@click.option("--search-score", type=float)
@output_options
@runs_async
async def assets_get(
    out: Output, asset_id: str, q: str | None, search_mode: GetAssetSearchModeValue | None, search_score: float | None
) -> None:
    """One scene. Media URLs are redacted unless --show-urls."""
    async with client_from_env() as sume:
        out.data(await sume.assets.get(asset_id, q=q, search_mode=search_mode, search_score=search_score))


def register(group: click.Group) -> None:
    for command in (uploads, assets):
        group.add_command(command)
