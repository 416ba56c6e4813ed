"""One table of the create operations: what the schema does not say about each of them.

The schema says what a create takes (its body, its rules: :mod:`._rules`) and what it answers.
This table adds, once, what every front end needs beyond that: where the SDK method lives, the
job type it creates, whether it spends credits, how many jobs one call makes, whether it takes
a local file in place of a URL, and its names as a batch kind, a CLI command and an MCP tool
(with the MCP access gate). ``with_raw_response``, the CLI's create commands, the MCP tools and
the batch kinds are built from these rows and the methods' signatures; a test fails when a
create of the schema has no row, or a row names a method, route, command or tool that is missing.

Adding a create endpoint: the schema change (``make update-schema``/``make generate``), one row
here, the resource method (its keyword arguments are the body's properties) and the mock handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from . import _rules as rules
from ._errors import InvalidInputError
from ._generated.literals import UploadPurposeValue
from ._generated.models import JobType

__all__ = ["OPERATIONS", "Access", "LocalSource", "Operation", "for_batch_kind", "for_mcp_tool"]

Access = Literal["read", "write", "paid"]


@attrs.frozen(kw_only=True)
class LocalSource:
    """A local file a front end may take in place of a body field: uploaded first, then its URL sent."""

    #: The front-end parameter naming the file (a batch row's ``source``, the CLI's ``--source``).
    param: str
    #: The body field the upload's ``media_url`` fills.
    field: str
    #: The upload purpose.
    purpose: UploadPurposeValue


def _one(_: Mapping[str, Any]) -> int:
    return 1


def _per_avatar(params: Mapping[str, Any]) -> int:
    avatars = params.get("avatar_ids")
    return max(1, len(avatars)) if isinstance(avatars, list | tuple) else 1


@attrs.frozen(kw_only=True)
class Operation:
    """One create operation. ``check`` validates its arguments with no HTTP stack at all."""

    #: The schema's ``operationId``: its body and rules in :mod:`._rules`.
    operation_id: str
    #: Attributes from ``AsyncSume`` to the resource (``("ads", "videos")``) and the method name.
    client_path: tuple[str, ...]
    method: str
    job_type: JobType
    spends_credits: bool
    #: The MCP access gate: ``paid`` for anything that spends credits.
    gate: Access
    #: A short line for help texts and tool descriptions.
    summary: str
    #: The batch row ``kind``; ``None``: not offered in batches.
    batch_kind: str | None
    #: Offered as a CLI command / an MCP tool (named after the call: :attr:`cli_command`, :attr:`mcp_tool`).
    in_cli: bool = True
    in_mcp: bool = True
    #: How many jobs one call creates, from its arguments (Face Swap: one per avatar).
    jobs_per_create: Callable[[Mapping[str, Any]], int] = _one
    #: A local file a front end may give instead of a URL field (Face Swap's source video).
    local_source: LocalSource | None = None
    #: The keyword arguments map 1:1 onto the JSON body (front ends are generated from it).
    body_arguments: bool = True

    @property
    def name(self) -> str:
        """``images.generate``: the SDK call, as users write it."""
        return ".".join((*self.client_path, self.method))

    @property
    def cli_command(self) -> tuple[str, ...] | None:
        """The CLI command's words: the call's, kebab-cased (``("face-swap", "create")``); ``None``: none."""
        return tuple(part.replace("_", "-") for part in (*self.client_path, self.method)) if self.in_cli else None

    @property
    def mcp_tool(self) -> str | None:
        """The MCP tool's name: the call's, joined by ``_`` (``ads_videos_create``); ``None``: none."""
        return "_".join((*self.client_path, self.method)) if self.in_mcp else None

    def body_schema(self) -> Mapping[str, Any]:
        return rules.body_schema(self.operation_id)

    def parameters(self) -> Mapping[str, Mapping[str, Any]]:
        """The keyword arguments a caller gives (the body's properties), each with its rule."""
        return self.body_schema().get("properties", {})  # type: ignore[no-any-return]

    def required(self) -> frozenset[str]:
        return frozenset(self.body_schema().get("required", ()))

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON body these arguments make, checked by the schema's rules (``InvalidInputError``).

        With a :attr:`local_source`, its parameter may stand for its field (exactly one of the
        two); the body then carries a placeholder URL in that field, to be filled by the upload.
        """
        values = dict(params)
        source = self.local_source
        if source is not None and source.param in values:
            if values.get(source.field) is not None:
                raise InvalidInputError(source.param, f"give either {source.param} or {source.field}, not both")
            path = values.pop(source.param)
            if not isinstance(path, str) or not path.strip():
                raise InvalidInputError(source.param, "must be a file path")
            values[source.field] = PLACEHOLDER_URL
        return rules.check_body(self.operation_id, values)

    def bound(self, client: Any) -> Callable[..., Any]:
        """The SDK method of ``client`` (an ``AsyncSume``) for this operation."""
        target: Any = client
        for attribute in self.client_path:
            target = getattr(target, attribute)
        return getattr(target, self.method)  # type: ignore[no-any-return]


#: What a planned body carries in a local source's field until the upload gives the real URL.
PLACEHOLDER_URL = "https://upload.invalid/source"

_ROWS = (
    Operation(
        operation_id="createImageGeneration",
        client_path=("images",),
        method="generate",
        job_type=JobType.IMAGE_GENERATION,
        spends_credits=True,
        gate="paid",
        summary="Generate images from a prompt.",
        batch_kind="image",
    ),
    Operation(
        operation_id="createVideoGeneration",
        client_path=("videos",),
        method="generate",
        job_type=JobType.VIDEO_GENERATION,
        spends_credits=True,
        gate="paid",
        summary="Generate a video from a prompt.",
        batch_kind="video",
    ),
    Operation(
        operation_id="createAdsVideo",
        client_path=("ads", "videos"),
        method="create",
        job_type=JobType.ADS_VIDEO,
        spends_credits=True,
        gate="paid",
        summary="Create a talking-head or UGC ad video with an avatar.",
        batch_kind="ads_video",
    ),
    Operation(
        operation_id="createFaceSwap",
        client_path=("face_swap",),
        method="create",
        job_type=JobType.FACE_SWAP,
        spends_credits=True,
        gate="paid",
        summary="Swap avatars' faces onto an uploaded video: one job per avatar.",
        batch_kind="face_swap",
        jobs_per_create=_per_avatar,
        local_source=LocalSource(param="source", field="media_url", purpose="face_swap_source_video"),
    ),
    Operation(
        operation_id="createReferenceAnalysis",
        client_path=("reference_analysis",),
        method="create",
        job_type=JobType.REFERENCE_ANALYSIS,
        spends_credits=True,
        gate="paid",
        summary="Analyze a public TikTok or Instagram Reel.",
        batch_kind="reference_analysis",
    ),
    Operation(
        operation_id="createAsset",
        client_path=("assets",),
        method="upload",
        job_type=JobType.ASSET_INGEST,
        # Finalizing an upload starts an ingest job, which is charged.
        spends_credits=True,
        gate="paid",
        summary="Upload a video into the Asset Library and start its ingest job.",
        batch_kind=None,
        body_arguments=False,
    ),
)

#: Every create operation, by operationId.
OPERATIONS: Mapping[str, Operation] = MappingProxyType({row.operation_id: row for row in _ROWS})


def for_batch_kind(kind: str) -> Operation | None:
    """The operation a batch row of ``kind`` creates (``None``: no such kind)."""
    return _BY_BATCH_KIND.get(kind)


def for_mcp_tool(name: str) -> Operation | None:
    return _BY_MCP_TOOL.get(name)


_BY_BATCH_KIND = {row.batch_kind: row for row in _ROWS if row.batch_kind is not None}
_BY_MCP_TOOL = {row.mcp_tool: row for row in _ROWS if row.mcp_tool is not None}
