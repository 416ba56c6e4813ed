"""The tool catalogue: one tool per SDK capability, served by ``sume-async mcp`` and printed by ``tools``.

Tools are named as in Sume's documentation (``jobs.list``, ``images.generate``...) and come in
three levels of access: ``read`` (served by default), ``write`` (``--allow-write``: uploads into
the Asset Library, downloads to the local disk) and ``paid`` (``--allow-paid``: every create
that spends credits). Input schemas come from the signatures below, so they carry the SDK's
own constraints (its enums, ranges and https-only URLs, read from ``_validation``); the SDK
checks again before sending anything.

Every call goes through the ``AsyncSume`` the server opened (no second HTTP stack). A result is
compact JSON without keys, upload URLs or object keys; an error is an MCP tool error whose text is
``{"code", "message", "request_id"}`` with the API's code and message.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
import anyio.to_thread
import attrs
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from .. import AsyncSume, JobStatus, JobType, SumeError
from .. import _validation as validation
from .._pagination import AsyncPager
from .._version import __version__
from .._waiting import DEFAULT
from ..resources.assets import SEARCH_MODES, SORTS
from ._exit import error_object
from ._output import to_data
from ._redact import redact, secret_values

__all__ = ["ACCESS_LEVELS", "CATALOGUE", "ToolSpec", "build_server"]

Access = Literal["read", "write", "paid"]
ACCESS_LEVELS: tuple[Access, ...] = ("read", "write", "paid")

#: Seconds between progress notifications of a long ``jobs.wait``.
PROGRESS_INTERVAL = 1.0
#: Longest wait one ``jobs.wait`` call may ask for; call again to keep waiting.
MAX_WAIT_SECONDS = 3600.0

# -- argument types: the SDK's constraints, as JSON Schema -------------------------------------

if TYPE_CHECKING:
    VideoResolution = str
    AdsStyle = str
    SearchMode = str
    Sort = str
    JobTypeName = str
    JobStatusName = str
else:  # Literal enums built from the SDK's own lists, so schema and SDK cannot drift apart
    VideoResolution = Literal[validation.VIDEO_RESOLUTIONS]
    AdsStyle = Literal[validation.ADS_VIDEO_STYLES]
    SearchMode = Literal[SEARCH_MODES]
    Sort = Literal[SORTS]
    JobTypeName = Literal[tuple(t.value for t in JobType)]
    JobStatusName = Literal[tuple(s.value for s in JobStatus)]

_HTTPS = r"^https://[^\s/?#@]+(?:[/?#]\S*)?$"
HttpsUrl = Annotated[str, Field(pattern=_HTTPS, max_length=8_192, description="An https:// URL.")]
Id = Annotated[str, Field(min_length=1, max_length=validation.MAX_ID, pattern=r"^\S+$")]
Text = Annotated[str, Field(min_length=1, max_length=validation.MAX_TEXT)]
AspectRatio = Annotated[str, Field(pattern=r"^[1-9][0-9]*:[1-9][0-9]*$", description="Width:height, e.g. 9:16.")]
Limit = Annotated[int, Field(ge=1, le=100, description="Items per page (1-100).")]
Cursor = Annotated[str, Field(min_length=1, description="next_cursor of an earlier page.")]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Reuse to get the same job back instead of paying twice (24 h).",
    ),
]
LOW, HIGH = validation.VIDEO_DURATION_RANGE


@attrs.frozen
class ToolSpec:
    name: str
    access: Access
    fn: Callable[..., Awaitable[CallToolResult]]
    title: str


CATALOGUE: list[ToolSpec] = []


def tool(name: str, access: Access, title: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Any]]:
    """Register ``fn(ctx, **args) -> data`` as a tool; SDK errors become tool errors."""

    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> CallToolResult:
            try:
                return _result(await fn(*args, **kwargs))
            except SumeError as exc:
                return _result(error_object(exc), is_error=True)

        CATALOGUE.append(ToolSpec(name, access, run, title))
        return fn

    return register


def _result(data: Any, *, is_error: bool = False) -> CallToolResult:
    # Agents need media URLs to use a result; credentials never leave.
    safe = redact(to_data(data), show_urls=True, secrets=secret_values())
    text = json.dumps(safe, ensure_ascii=False, separators=(",", ":"))
    structured = safe if isinstance(safe, dict) else {"data": safe}
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured, is_error=is_error
    )


def _sume(ctx: Context[AsyncSume, Any]) -> AsyncSume:
    return ctx.request_context.lifespan_context


async def _page(pager: AsyncPager[Any], cursor: str | None) -> dict[str, Any]:
    page = await pager.starting_at(cursor).first_page()
    return {"data": list(page.data), "next_cursor": page.next_cursor if page.has_more else None}


# -- read ------------------------------------------------------------------------------------


@tool("account.me", "read", "Account")
async def account_me(ctx: Context[AsyncSume, Any]) -> Any:
    """The user, workspace and sanitized API key (prefix, scopes) of this server's key."""
    return await _sume(ctx).account.me()


@tool("credits.get", "read", "Credits")
async def credits_get(ctx: Context[AsyncSume, Any]) -> Any:
    """Plan, remaining credits, and how many generations may run at once."""
    return await _sume(ctx).credits.get()


@tool("brand.list", "read", "Brand DNA profiles")
async def brand_list(
    ctx: Context[AsyncSume, Any], domain: Text | None = None, limit: Limit = 20, cursor: Cursor | None = None
) -> Any:
    """Brand DNA profiles, optionally of one domain. Pass next_cursor back as cursor for more."""
    return await _page(_sume(ctx).brand.list(domain=domain, limit=limit), cursor)


@tool("brand.current", "read", "Current brand")
async def brand_current(ctx: Context[AsyncSume, Any]) -> Any:
    """The current brand; its images[].reference_url work as reference_image_urls of images.generate."""
    return await _sume(ctx).brand.current()


@tool("avatars.list", "read", "Avatars")
async def avatars_list(ctx: Context[AsyncSume, Any], limit: Limit = 20, cursor: Cursor | None = None) -> Any:
    """Public and workspace avatars (for ads.videos.create and face-swap.create)."""
    return await _page(_sume(ctx).avatars.list(limit=limit), cursor)


@tool("avatars.get", "read", "Avatar")
async def avatars_get(ctx: Context[AsyncSume, Any], avatar_id: Id) -> Any:
    """One avatar and its capabilities."""
    return await _sume(ctx).avatars.get(avatar_id)


@tool("jobs.list", "read", "Jobs")
async def jobs_list(
    ctx: Context[AsyncSume, Any],
    type: JobTypeName | None = None,
    status: JobStatusName | None = None,
    limit: Limit = 20,
    cursor: Cursor | None = None,
) -> Any:
    """Jobs of the workspace, newest first, optionally of one type and/or status."""
    return await _page(_sume(ctx).jobs.list(type=type, status=status, limit=limit), cursor)


@tool("jobs.get", "read", "Job status")
async def jobs_get(ctx: Context[AsyncSume, Any], job_id: Id) -> Any:
    """A job's current status (queued, processing, completed, failed, ...)."""
    return await _sume(ctx).jobs.get(job_id)


@tool("jobs.result", "read", "Job result")
async def jobs_result(ctx: Context[AsyncSume, Any], job_id: Id) -> Any:
    """A finished job with its result (outputs with URLs); error job_not_completed while it runs."""
    return await _sume(ctx).jobs.result(job_id)


@tool("jobs.wait", "read", "Wait for a job")
async def jobs_wait(
    ctx: Context[AsyncSume, Any],
    job_id: Id,
    timeout_seconds: Annotated[float, Field(gt=0, le=MAX_WAIT_SECONDS)] | None = None,
) -> Any:
    """Wait until a job finishes, then return it with its result. Reports progress; cancel to stop waiting.

    Errors job_failed/job_canceled/job_expired when it ends badly, job_timeout when timeout_seconds
    (default 600 for images, 1800 otherwise, at most 3600) pass first: call again to keep waiting.
    """
    sume = _sume(ctx)
    timeout = DEFAULT if timeout_seconds is None else timeout_seconds
    async with anyio.create_task_group() as tg:
        tg.start_soon(_report_progress, ctx, job_id, timeout_seconds)
        try:
            job = await sume.jobs.wait(job_id, timeout=timeout)
        finally:
            tg.cancel_scope.cancel()
    return await sume.jobs.result(job)


async def _report_progress(ctx: Context[AsyncSume, Any], job_id: str, total: float | None) -> None:
    start = anyio.current_time()
    while True:
        await anyio.sleep(PROGRESS_INTERVAL)
        elapsed = anyio.current_time() - start
        await ctx.report_progress(elapsed, total, f"waiting for {job_id}: {elapsed:.0f} s")


_ASSET_FILTERS = (
    "Filters: search_mode (auto|text), source_type, segment_type, brand, product, tag, keyword, cta_present, "
    "min/max_duration_seconds, sort."
)


@tool("assets.search", "read", "Search the Asset Library")
async def assets_search(
    ctx: Context[AsyncSume, Any],
    q: Annotated[str, Field(min_length=1, max_length=2_000)],
    search_mode: SearchMode | None = None,
    source_type: Text | None = None,
    segment_type: Text | None = None,
    brand: Text | None = None,
    product: Text | None = None,
    tag: Text | None = None,
    keyword: Text | None = None,
    cta_present: bool | None = None,
    min_duration_seconds: Annotated[float, Field(ge=0)] | None = None,
    max_duration_seconds: Annotated[float, Field(ge=0)] | None = None,
    sort: Sort | None = None,
    limit: Limit = 20,
    cursor: Cursor | None = None,
) -> Any:
    """Asset Library scenes matching q, best first."""
    pager = _sume(ctx).assets.search(
        q,
        search_mode=search_mode,
        source_type=source_type,
        segment_type=segment_type,
        brand=brand,
        product=product,
        tag=tag,
        keyword=keyword,
        cta_present=cta_present,
        min_duration_seconds=min_duration_seconds,
        max_duration_seconds=max_duration_seconds,
        sort=sort,
        limit=limit,
    )
    return await _page(pager, cursor)


@tool("assets.get", "read", "Asset")
async def assets_get(
    ctx: Context[AsyncSume, Any],
    asset_id: Id,
    q: Annotated[str, Field(min_length=1, max_length=2_000)] | None = None,
    search_mode: SearchMode | None = None,
    search_score: float | None = None,
) -> Any:
    """One Asset Library scene; q/search_mode/search_score keep the context of the search that found it."""
    return await _sume(ctx).assets.get(asset_id, q=q, search_mode=search_mode, search_score=search_score)


# -- write -----------------------------------------------------------------------------------


@tool("uploads.asset_video", "write", "Upload a video to the Asset Library")
async def uploads_asset_video(
    ctx: Context[AsyncSume, Any],
    path: Annotated[str, Field(min_length=1, description="A local video file on the server's machine.")],
    title: Annotated[str, Field(min_length=1, max_length=1_000)] | None = None,
    idempotency_key: IdempotencyKey | None = None,
) -> Any:
    """Upload a local video into the Asset Library and start its ingest job (wait with jobs.wait)."""
    file = await anyio.to_thread.run_sync(_local_path, path)
    if not await anyio.to_thread.run_sync(file.is_file):
        from .._errors import InvalidInputError

        raise InvalidInputError("path", "is not a readable regular file")
    return await _sume(ctx).assets.upload(file, title=title, idempotency_key=idempotency_key)


@tool("jobs.download", "write", "Download a job's outputs")
async def jobs_download(
    ctx: Context[AsyncSume, Any],
    job_id: Id,
    directory: Annotated[str, Field(min_length=1, description="Local directory to save into.")],
) -> Any:
    """Save a finished job's outputs into a local directory; returns the paths and sizes."""
    from ._jobs import save_outputs

    sume = _sume(ctx)
    result = await sume.jobs.result(job_id)
    target = await anyio.to_thread.run_sync(_local_path, directory)
    return {"job_id": job_id, "files": await save_outputs(sume, result, target)}


def _local_path(path: str) -> Path:
    return Path(path).expanduser()


# -- paid ------------------------------------------------------------------------------------

_PAID = " Spends credits. Returns the job at once: follow it with jobs.wait."


@tool("images.generate", "paid", "Generate images (paid)")
async def images_generate(
    ctx: Context[AsyncSume, Any],
    prompt: Text,
    aspect_ratio: AspectRatio | None = None,
    image_count: Annotated[int, Field(ge=1, le=10)] | None = None,
    reference_image_urls: Annotated[list[HttpsUrl], Field(max_length=validation.MAX_LIST_ITEMS)] | None = None,
    resolution: Annotated[str, Field(min_length=1, max_length=20)] | None = None,
    quality: Annotated[str, Field(min_length=1, max_length=20)] | None = None,
    idempotency_key: IdempotencyKey | None = None,
) -> Any:
    return await _sume(ctx).images.generate(
        prompt=prompt,
        aspect_ratio=aspect_ratio,
        image_count=image_count,
        reference_image_urls=reference_image_urls,
        resolution=resolution,
        quality=quality,
        idempotency_key=idempotency_key,
    )


@tool("videos.generate", "paid", "Generate a video (paid)")
async def videos_generate(
    ctx: Context[AsyncSume, Any],
    prompt: Text,
    aspect_ratio: AspectRatio | None = None,
    duration: Annotated[int, Field(ge=LOW, le=HIGH, description=f"Seconds, {LOW}-{HIGH}.")] | None = None,
    resolution: VideoResolution | None = None,
    generate_audio: bool | None = None,
    idempotency_key: IdempotencyKey | None = None,
) -> Any:
    return await _sume(ctx).videos.generate(
        prompt=prompt,
        aspect_ratio=aspect_ratio,
        duration=duration,
        resolution=resolution,
        generate_audio=generate_audio,
        idempotency_key=idempotency_key,
    )


@tool("ads.videos.create", "paid", "Create an ad video (paid)")
async def ads_videos_create(
    ctx: Context[AsyncSume, Any],
    avatar_id: Id,
    script: Text,
    style: AdsStyle | None = None,
    aspect_ratio: AspectRatio | None = None,
    reference_image_urls: Annotated[list[HttpsUrl], Field(max_length=validation.MAX_LIST_ITEMS)] | None = None,
    product_image_url: HttpsUrl | None = None,
    idempotency_key: IdempotencyKey | None = None,
) -> Any:
    return await _sume(ctx).ads.videos.create(
        avatar_id=avatar_id,
        script=script,
        style=style,
        aspect_ratio=aspect_ratio,
        reference_image_urls=reference_image_urls,
        product_image_url=product_image_url,
        idempotency_key=idempotency_key,
    )


@tool("face-swap.create", "paid", "Face Swap (paid)")
async def face_swap_create(
    ctx: Context[AsyncSume, Any],
    media_url: HttpsUrl,
    avatar_ids: Annotated[list[Id], Field(min_length=1, max_length=validation.MAX_AVATARS_PER_FACE_SWAP)],
    idempotency_key: IdempotencyKey | None = None,
) -> Any:
    jobs = await _sume(ctx).face_swap.create(
        media_url=media_url, avatar_ids=avatar_ids, idempotency_key=idempotency_key
    )
    return {"jobs": jobs}


@tool("reference-analysis.create", "paid", "Analyze a Reel (paid)")
async def reference_analysis_create(
    ctx: Context[AsyncSume, Any], url: HttpsUrl, idempotency_key: IdempotencyKey | None = None
) -> Any:
    return await _sume(ctx).reference_analysis.create(url=url, idempotency_key=idempotency_key)


_DESCRIPTIONS = {
    "images.generate": "Start an image generation job from a prompt (reference_image_urls: https only)." + _PAID,
    "videos.generate": f"Start a video generation job ({LOW}-{HIGH} s, 480p or 720p)." + _PAID,
    "ads.videos.create": "Start a talking-head or UGC ad video with an avatar (see avatars.list)." + _PAID,
    "face-swap.create": "Swap avatars' faces onto an uploaded video (its media URL): one job per avatar." + _PAID,
    "reference-analysis.create": "Analyze a public TikTok or Instagram Reel (https URL)." + _PAID,
    "assets.search": "Asset Library scenes matching q, best first. " + _ASSET_FILTERS,
}


def _description(spec: ToolSpec) -> str:
    doc = _DESCRIPTIONS.get(spec.name) or (spec.fn.__doc__ or "").strip()
    return " ".join(doc.split())


def tools_for(access: set[str]) -> list[ToolSpec]:
    """The catalogue's tools whose access level is allowed, in catalogue order."""
    return [spec for spec in CATALOGUE if spec.access in access]


def build_server(access: set[str], *, client: Callable[[], AsyncSume] | None = None) -> MCPServer[AsyncSume]:
    """An ``MCPServer`` serving the allowed tools; ``client()`` makes the AsyncSume (opened per server)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[AsyncSume]) -> AsyncIterator[AsyncSume]:
        if client is None:  # only listing tools: any call fails clearly
            raise RuntimeError("no client")
        async with client() as sume:
            yield sume

    server: MCPServer[AsyncSume] = MCPServer(
        name="sume",
        title="Sume",
        version=__version__,
        instructions=(
            "Sume: AI images, videos, ad videos and Face Swaps as asynchronous jobs, plus Brand DNA, avatars and "
            "an Asset Library. Paid tools return a job at once; call jobs.wait, then use the result's outputs."
        ),
        lifespan=lifespan,
        log_level="WARNING",
    )
    for spec in tools_for(access):
        server.add_tool(
            spec.fn,
            name=spec.name,
            title=spec.title,
            description=_description(spec),
            annotations=ToolAnnotations(
                title=spec.title,
                read_only_hint=spec.access == "read",
                destructive_hint=False,
                idempotent_hint=spec.access == "read",
                open_world_hint=True,
            ),
            meta={"sume/access": spec.access},
            structured_output=False,
        )
    return server


async def catalogue(access: set[str]) -> list[dict[str, Any]]:
    """The tools as MCP lists them (name, title, description, inputSchema, annotations, access)."""
    server = build_server(access)
    listed = await server.list_tools()
    out: list[dict[str, Any]] = []
    for item in listed:
        data = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["access"] = (item.meta or {}).get("sume/access")
        out.append(data)
    return out
