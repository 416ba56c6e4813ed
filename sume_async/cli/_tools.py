"""The tool catalogue: one tool per SDK capability, served by ``sume-async mcp`` and printed by ``tools``.

Tool names use only ``[A-Za-z0-9_-]`` (``jobs_list``, ``images_generate``), as agent hosts bridge
them to function-calling APIs that refuse dots. Tools come in three levels of access: ``read``
(served by default), ``write`` (``--allow-write DIR``: downloads into that folder) and ``paid``
(``--allow-paid``: everything that spends credits, each marked ``destructiveHint``).

Nothing here restates a rule. Every input schema is built from the snapshot's rules
(:mod:`sume_async._rules`): the paid tools from the operations table
(:mod:`sume_async._operations`) and their bodies, the read tools from their operations'
parameters. The server checks each call's arguments against that schema before anything is
sent: an unknown or misspelt argument is refused (it would otherwise be dropped, and the job
created with defaults), and so is a wrong type or a value out of range.

Every call goes through the ``AsyncSume`` the server opened (no second HTTP stack). A result is
compact JSON without keys, upload URLs or object keys; every error, argument errors included,
is a tool error whose text is ``{"code", "message", "request_id"}`` (the SDK's one mapping,
:mod:`sume_async._error_kinds`), naming the tool's own arguments.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from mcp_types import Tool as MCPTool

from .. import AsyncSume, SumeError
from .. import _rules as rules
from .._errors import InvalidInputError
from .._operations import OPERATIONS, Access, Operation
from .._pagination import AsyncPager
from .._version import __version__
from ..resources.assets import FILTER_NAMES
from ._exit import error_object
from ._output import to_data
from ._redact import redact, secret_values

__all__ = ["ACCESS_LEVELS", "CATALOGUE", "Settings", "ToolSpec", "build_server", "catalogue"]

ACCESS_LEVELS: tuple[Access, ...] = ("read", "write", "paid")

#: Seconds between progress notifications of a long ``jobs_wait``.
PROGRESS_INTERVAL = 1.0
#: Longest wait one ``jobs_wait`` call may ask for; call again to keep waiting.
MAX_WAIT_SECONDS = 3600.0
#: The longest local path a tool takes (the kernel's own limit is 4096 bytes).
MAX_PATH = 4096

log = logging.getLogger("sume_async.mcp")


@attrs.frozen(kw_only=True)
class Settings:
    """What the person starting the server allowed: the gates, the folder for files, a credit budget."""

    access: frozenset[str] = frozenset({"read"})
    #: Files are read and written only below this folder (``--allow-write DIR``).
    root: Path | None = None
    #: Refuse paid calls once this many credits were spent by this server (``--max-credits``).
    max_credits: int | None = None


@attrs.define
class _Session:
    sume: AsyncSume
    context: Context[AsyncSume, Any] | None
    settings: Settings
    budget: _Budget


@attrs.define
class _Budget:
    """Credits this server has spent, measured from the workspace's remaining credits."""

    start: float | None = None
    spent: float = 0.0


Handler = Callable[[_Session, dict[str, Any]], Awaitable[Any]]


@attrs.frozen(kw_only=True)
class ToolSpec:
    name: str
    access: Access
    title: str
    description: str
    #: JSON Schema of each argument (from the snapshot's rules).
    arguments: Mapping[str, Mapping[str, Any]]
    required: frozenset[str] = frozenset()
    run: Handler
    #: Spends credits (destructive for an agent host: real money, not undone).
    paid: bool = False

    @property
    def input_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {name: dict(schema) for name, schema in self.arguments.items()},
            "required": sorted(self.required),
            "additionalProperties": False,
        }


CATALOGUE: list[ToolSpec] = []


def _add(spec: ToolSpec) -> None:
    CATALOGUE.append(spec)


# -- argument schemas, read from the snapshot ---------------------------------------------------


def _parameter(operation_id: str, name: str, description: str | None = None) -> dict[str, Any]:
    schema = dict(rules.parameter_schema(operation_id, name))
    schema.pop("default", None)
    if description:
        schema["description"] = description
    return schema


def _page_arguments(operation_id: str) -> dict[str, dict[str, Any]]:
    return {
        "limit": _parameter(operation_id, "limit", "Items per page."),
        "cursor": _parameter(operation_id, "cursor", "next_cursor of an earlier page."),
    }


def _idempotency_argument() -> dict[str, Any]:
    schema = _parameter(
        "createImageGeneration",
        "Idempotency-Key",
        "Reuse to get the same job back instead of paying twice (24 h).",
    )
    return schema


_PATH = {"type": "string", "minLength": 1, "maxLength": MAX_PATH, "pattern": "\\S"}


# -- read --------------------------------------------------------------------------------------


async def _page(pager: AsyncPager[Any], cursor: str | None) -> dict[str, Any]:
    page = await pager.starting_at(cursor).first_page()
    return {"data": list(page.data), "next_cursor": page.next_cursor if page.has_more else None}


def _read(name: str, title: str, description: str, run: Handler, **arguments: Mapping[str, Any]) -> None:
    required = frozenset(n for n, s in arguments.items() if s.get("x-required"))
    clean = {n: {k: v for k, v in s.items() if k != "x-required"} for n, s in arguments.items()}
    _add(
        ToolSpec(
            name=name, access="read", title=title, description=description, arguments=clean, required=required, run=run
        )
    )


def _required(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {**schema, "x-required": True}


_read(
    "account_me",
    "Account",
    "The user, workspace and sanitized API key (prefix, scopes) of this server's key.",
    lambda s, a: s.sume.account.me(),
)
_read(
    "credits_get",
    "Credits",
    "Plan, remaining credits, and how many generations may run at once.",
    lambda s, a: s.sume.credits.get(),
)
_read(
    "brand_list",
    "Brand DNA profiles",
    "Brand DNA profiles, optionally of one domain. Pass next_cursor back as cursor for more.",
    lambda s, a: _page(s.sume.brand.list(domain=a.get("domain"), limit=a.get("limit", 20)), a.get("cursor")),
    domain=_parameter("listBrands", "domain", "Only profiles of this domain."),
    **_page_arguments("listBrands"),
)
_read(
    "brand_current",
    "Current brand",
    "The current brand; its images[].reference_url work as reference_image_urls of images_generate.",
    lambda s, a: s.sume.brand.current(),
)
_read(
    "avatars_list",
    "Avatars",
    "Public and workspace avatars (for ads_videos_create and face_swap_create).",
    lambda s, a: _page(s.sume.avatars.list(limit=a.get("limit", 20)), a.get("cursor")),
    **_page_arguments("listAvatars"),
)
_read(
    "avatars_get",
    "Avatar",
    "One avatar and its capabilities.",
    lambda s, a: s.sume.avatars.get(a["avatar_id"]),
    avatar_id=_required(_parameter("getAvatar", "avatarId", "The avatar's id.")),
)
_read(
    "jobs_list",
    "Jobs",
    "Jobs of the workspace, newest first, optionally of one type and/or status.",
    lambda s, a: _page(
        s.sume.jobs.list(type=a.get("type"), status=a.get("status"), limit=a.get("limit", 20)), a.get("cursor")
    ),
    type=_parameter("listJobs", "type", "Only jobs of this type."),
    status=_parameter("listJobs", "status", "Only jobs in this status."),
    **_page_arguments("listJobs"),
)
_read(
    "jobs_get",
    "Job status",
    "A job's current status (queued, processing, completed, failed, ...).",
    lambda s, a: s.sume.jobs.get(a["job_id"]),
    job_id=_required(_parameter("getJob", "jobId", "The job's id.")),
)
_read(
    "jobs_result",
    "Job result",
    "A finished job with its result (outputs with URLs); error job_not_completed while it runs.",
    lambda s, a: s.sume.jobs.result(a["job_id"]),
    job_id=_required(_parameter("getJobResult", "jobId", "The job's id.")),
)


async def _jobs_wait(session: _Session, arguments: dict[str, Any]) -> Any:
    sume, job_id = session.sume, arguments["job_id"]
    seconds = arguments.get("timeout_seconds")
    async with anyio.create_task_group() as tg:
        if session.context is not None:
            tg.start_soon(_report_progress, session.context, job_id, seconds)
        try:
            # Not given: the SDK's per-type default (as everywhere: NOT_GIVEN, never None).
            job = await (sume.jobs.wait(job_id) if seconds is None else sume.jobs.wait(job_id, timeout=seconds))
        finally:
            tg.cancel_scope.cancel()
    return await sume.jobs.result(job)


async def _report_progress(ctx: Context[AsyncSume, Any], job_id: str, total: float | None) -> None:
    start = anyio.current_time()
    while True:
        await anyio.sleep(PROGRESS_INTERVAL)
        elapsed = anyio.current_time() - start
        await ctx.report_progress(elapsed, total, f"waiting for {job_id}: {elapsed:.0f} s")


_read(
    "jobs_wait",
    "Wait for a job",
    "Wait until a job finishes, then return it with its result. Reports progress; cancel to stop waiting. "
    "Errors job_failed/job_canceled/job_expired when it ends badly, job_timeout when timeout_seconds "
    f"(default: the job type's, at most {MAX_WAIT_SECONDS:.0f}) pass first: call again to keep waiting.",
    _jobs_wait,
    job_id=_required(_parameter("getJob", "jobId", "The job's id.")),
    timeout_seconds={
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": MAX_WAIT_SECONDS,
        "description": "Seconds to wait at most.",
    },
)

#: The Asset Library's filters, as the SDK types them (``AssetFilters``).
_SEARCH_FILTERS = tuple(sorted(FILTER_NAMES))


def _when(name: str, value: Any) -> datetime.datetime | None:
    """A ``date-time`` argument (ISO 8601 text in JSON) as the datetime the SDK takes."""
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(name, "must be an ISO 8601 date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def _assets_search(session: _Session, a: dict[str, Any]) -> Awaitable[Any]:
    filters = {name: a[name] for name in _SEARCH_FILTERS if a.get(name) is not None}
    for name in ("created_after", "created_before"):
        if name in filters:
            filters[name] = _when(name, filters[name])
    return _page(session.sume.assets.search(a["q"], limit=a.get("limit", 20), **filters), a.get("cursor"))


_read(
    "assets_search",
    "Search the Asset Library",
    "Asset Library scenes matching q, best first, with optional filters.",
    _assets_search,
    q=_required(_parameter("listAssets", "q", "What to look for.")),
    **{name: _parameter("listAssets", name) for name in _SEARCH_FILTERS},
    **_page_arguments("listAssets"),
)
_read(
    "assets_get",
    "Asset",
    "One Asset Library scene; q/search_mode/search_score keep the context of the search that found it.",
    lambda s, a: s.sume.assets.get(
        a["asset_id"], q=a.get("q"), search_mode=a.get("search_mode"), search_score=a.get("search_score")
    ),
    asset_id=_required(_parameter("getAsset", "assetId", "The asset's id.")),
    q=_parameter("getAsset", "q"),
    search_mode=_parameter("getAsset", "search_mode"),
    search_score=_parameter("getAsset", "search_score"),
)

# -- files: only below the folder the user named -----------------------------------------------


def _inside_root(session: _Session, argument: str, value: str) -> Path:
    """``value`` resolved below the ``--allow-write`` folder, or ``InvalidInputError`` naming ``argument``."""
    root = session.settings.root
    if root is None:
        raise InvalidInputError(argument, "file access needs the server started with --allow-write DIR")
    try:
        candidate = Path(value).expanduser()
        resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
        base = root.resolve()
    except (OSError, ValueError, RuntimeError):
        raise InvalidInputError(argument, "is not a usable path") from None
    if resolved != base and base not in resolved.parents:
        raise InvalidInputError(argument, f"must be inside the folder the server allows ({base})")
    if any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in resolved.parts):
        raise InvalidInputError(argument, "has a path component longer than 255 bytes")
    return resolved


async def _jobs_download(session: _Session, a: dict[str, Any]) -> Any:
    from ._jobs import save_outputs

    target = await anyio.to_thread.run_sync(_inside_root, session, "directory", a["directory"])
    result = await session.sume.jobs.result(a["job_id"])
    return {"job_id": a["job_id"], "files": await save_outputs(session.sume, result, target)}


_add(
    ToolSpec(
        name="jobs_download",
        access="write",
        title="Download a job's outputs",
        description="Save a finished job's outputs into a folder (inside the one the server allows); "
        "returns the paths and sizes.",
        arguments={
            "job_id": _parameter("getJobResult", "jobId", "The job's id."),
            "directory": {**_PATH, "description": "Folder to save into (relative: inside the allowed folder)."},
        },
        required=frozenset({"job_id", "directory"}),
        run=_jobs_download,
    )
)

# -- paid: every create of the operations table ------------------------------------------------

_PAID_NOTE = " Spends credits. Returns the job at once: follow it with jobs_wait."


def _create_tool(operation: Operation) -> ToolSpec:
    arguments: dict[str, Mapping[str, Any]] = dict(operation.parameters())
    arguments["idempotency_key"] = _idempotency_argument()

    async def run(session: _Session, a: dict[str, Any]) -> Any:
        key = a.pop("idempotency_key", None)
        operation.check(a)  # the SDK checks again; this names a bad argument before the budget is touched
        created = await _spend(session, lambda: operation.bound(session.sume)(**a, idempotency_key=key))
        return {"jobs": created} if isinstance(created, list) else created

    assert operation.mcp_tool is not None
    return ToolSpec(
        name=operation.mcp_tool,
        access=operation.gate,
        title=operation.summary.rstrip("."),
        description=operation.summary + _PAID_NOTE,
        arguments=arguments,
        required=operation.required(),
        run=run,
        paid=operation.spends_credits,
    )


async def _assets_upload(session: _Session, a: dict[str, Any]) -> Any:
    path = await anyio.to_thread.run_sync(_inside_root, session, "path", a["path"])
    if not await anyio.to_thread.run_sync(path.is_file):
        raise InvalidInputError("path", "is not a readable regular file")
    return await _spend(
        session,
        lambda: session.sume.assets.upload(path, title=a.get("title"), idempotency_key=a.get("idempotency_key")),
    )


for _operation in OPERATIONS.values():
    if _operation.mcp_tool is None:
        continue
    if _operation.body_arguments:
        _add(_create_tool(_operation))
    else:  # assets_upload: a local file (inside the allowed folder) instead of a body
        _add(
            ToolSpec(
                name=_operation.mcp_tool,
                access=_operation.gate,
                title="Upload a video to the Asset Library",
                description=_operation.summary + " The file must be inside the folder the server allows." + _PAID_NOTE,
                arguments={
                    "path": {**_PATH, "description": "A local video file (relative: inside the allowed folder)."},
                    "title": dict(rules.body_schema(_operation.operation_id)["properties"]["title"]),
                    "idempotency_key": _idempotency_argument(),
                },
                required=frozenset({"path"}),
                run=_assets_upload,
                paid=_operation.spends_credits,
            )
        )


async def _spend(session: _Session, create: Callable[[], Awaitable[Any]]) -> Any:
    """Run a paid call within the server's ``--max-credits`` budget (measured on the workspace's credits)."""
    limit = session.settings.max_credits
    if limit is None:
        return await create()
    budget = session.budget
    if budget.start is None:
        budget.start = await _remaining(session)
    if budget.spent >= limit:
        raise _BudgetSpent(f"this server's budget of {limit} credits is spent ({budget.spent:g} used)")
    created = await create()
    now = await _remaining(session)
    if budget.start is not None and now is not None:
        budget.spent = max(budget.spent, budget.start - now)
    return created


async def _remaining(session: _Session) -> float | None:
    credits = await session.sume.credits.get()
    value = getattr(credits, "remaining_credits", None)
    return float(value) if isinstance(value, int | float) else None


class _BudgetSpent(SumeError):
    """A paid call refused by the server's ``--max-credits`` budget."""


# -- arguments and errors -----------------------------------------------------------------------


def check_arguments(spec: ToolSpec, arguments: Any) -> dict[str, Any]:
    """The call's arguments checked against the tool's schema: unknown, missing, mistyped, out of range."""
    if not isinstance(arguments, Mapping):
        raise InvalidInputError("arguments", "must be an object")
    for name in arguments:
        if name not in spec.arguments:
            known = ", ".join(sorted(spec.arguments)) or "none"
            raise InvalidInputError(str(name), f"is not an argument of {spec.name} (known: {known})")
    checked: dict[str, Any] = {}
    for name, value in arguments.items():
        if value is None:  # null is "not given", as everywhere in the SDK
            continue
        schema = spec.arguments[name]
        for field, problem in rules.problems(name, value, schema, from_json=True):
            raise InvalidInputError(field, problem)
        if schema.get("type") == "integer" and isinstance(value, float):
            value = int(value)
        checked[name] = value
    for name in sorted(spec.required):
        if name not in checked:
            raise InvalidInputError(name, "is required")
    return checked


def _first_sume_error(exc: BaseException) -> BaseException:
    """The ``SumeError`` inside an exception group (a wait's task group), else ``exc`` itself."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _first_sume_error(inner)
            if isinstance(found, SumeError):
                return found
    return exc


def tool_error(exc: BaseException) -> dict[str, Any]:
    """The ``{code, message, request_id}`` of a failed call, naming the tool's own arguments."""
    exc = _first_sume_error(exc)
    if isinstance(exc, _BudgetSpent):
        return {"code": "budget_exceeded", "message": str(exc), "request_id": None}
    if isinstance(exc, InvalidInputError):
        return {
            "code": "invalid_input",
            "message": f"{exc.field}: {exc.problem}",
            "request_id": None,
            "field": exc.field,
        }
    if not isinstance(exc, SumeError):
        # A bug: its text could hold anything, so only its type is shown, and logged without a traceback.
        log.error("tool call failed: unexpected %s", type(exc).__name__)
    return error_object(exc)


def _result(data: Any, *, is_error: bool = False) -> CallToolResult:
    # Agents need media URLs to use a result; credentials never leave.
    safe = redact(to_data(data), show_urls=True, secrets=secret_values())
    text = json.dumps(safe, ensure_ascii=False, separators=(",", ":"))
    structured = safe if isinstance(safe, dict) else {"data": safe}
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured, is_error=is_error
    )


# -- the server ----------------------------------------------------------------------------------


def tools_for(access: set[str] | frozenset[str]) -> list[ToolSpec]:
    """The catalogue's tools whose access level is allowed, in catalogue order."""
    return [spec for spec in CATALOGUE if spec.access in access]


class SumeServer(MCPServer[AsyncSume]):
    """An ``MCPServer`` whose tools are the catalogue's, listed and called by their own schemas."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sume_settings = settings
        self._specs = {spec.name: spec for spec in tools_for(settings.access)}
        self._budget = _Budget()

    async def list_tools(self) -> list[MCPTool]:
        return [
            MCPTool(
                name=spec.name,
                title=spec.title,
                description=spec.description,
                input_schema=spec.input_schema,
                annotations=ToolAnnotations(
                    title=spec.title,
                    read_only_hint=spec.access == "read",
                    destructive_hint=spec.paid,
                    idempotent_hint=spec.access == "read",
                    open_world_hint=True,
                ),
                _meta={"sume/access": spec.access},
            )
            for spec in self._specs.values()
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AsyncSume, Any] | None = None
    ) -> CallToolResult:
        spec = self._specs.get(name)
        if spec is None:
            known = ", ".join(self._specs)
            message = f"no tool named {name[:100]!r} is served (known: {known})"
            return _result({"code": "unknown_tool", "message": message, "request_id": None}, is_error=True)
        try:
            checked = check_arguments(spec, arguments)
            if context is None:
                raise InvalidInputError("context", "a tool call needs the server's session")
            sume: AsyncSume = context.request_context.lifespan_context
            session = _Session(sume=sume, context=context, settings=self.sume_settings, budget=self._budget)
            return _result(await spec.run(session, checked))
        except Exception as exc:
            return _result(tool_error(exc), is_error=True)


def build_server(
    access: set[str] | frozenset[str] | Settings, *, client: Callable[[], AsyncSume] | None = None
) -> SumeServer:
    """A server for the allowed tools; ``client()`` makes the AsyncSume (opened per server)."""
    settings = access if isinstance(access, Settings) else Settings(access=frozenset(access))

    @asynccontextmanager
    async def lifespan(_: MCPServer[AsyncSume]) -> AsyncIterator[AsyncSume]:
        if client is None:  # only listing tools: any call fails clearly
            raise RuntimeError("no client")
        async with client() as sume:
            yield sume

    return SumeServer(
        settings,
        name="sume",
        title="Sume",
        version=__version__,
        instructions=(
            "Sume: AI images, videos, ad videos and Face Swaps as asynchronous jobs, plus Brand DNA, avatars and "
            "an Asset Library. Paid tools return a job at once; call jobs_wait, then use the result's outputs."
        ),
        lifespan=lifespan,
        log_level="WARNING",
    )


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
