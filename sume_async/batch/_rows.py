"""Rows of a batch: what each kind creates, and checking a row before anything is sent.

A row is ``{"id": "sku-1", "kind": "image", "params": {...}}``; ``params`` are the keyword
arguments of the kind's create method. The table :data:`KINDS` is the one place that maps a
kind to its SDK method and says how many jobs one row makes.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs

from .._errors import InvalidInputError
from ..resources import generation

if TYPE_CHECKING:
    from .._client import AsyncSume

__all__ = ["KINDS", "Kind", "Row", "parse_row"]

MAX_ROW_ID = 200
_CONTROL = re.compile(r"[\x00-\x1f]")

#: A face swap row may name a local file instead of a ``media_url``: the batch uploads it once.
SOURCE_PARAM = "source"


@attrs.frozen
class Kind:
    """One row kind: its name, the job type it creates and its create method (``path`` on the client)."""

    name: str
    job_type: str
    owner: type[Any]
    method_name: str
    path: tuple[str, ...]

    def method(self, client: AsyncSume) -> Callable[..., Awaitable[Any]]:
        """The bound create method of ``client``."""
        target: Any = client
        for attribute in self.path:
            target = getattr(target, attribute)
        return cast(Callable[..., Awaitable[Any]], getattr(target, self.method_name))

    def signature(self) -> dict[str, inspect.Parameter]:
        """The keyword arguments a row may give (all but ``idempotency_key``), by name."""
        found = {
            name: parameter
            for name, parameter in inspect.signature(getattr(self.owner, self.method_name)).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name != "idempotency_key"
        }
        if self.name == "face_swap":
            found[SOURCE_PARAM] = inspect.Parameter(SOURCE_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation="str")
        return found


KINDS: Mapping[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("image", "image_generation", generation.Images, "generate", ("images",)),
        Kind("video", "video_generation", generation.Videos, "generate", ("videos",)),
        Kind("ads_video", "ads_video", generation.AdsVideos, "create", ("ads", "videos")),
        Kind("face_swap", "face_swap", generation.FaceSwap, "create", ("face_swap",)),
        Kind(
            "reference_analysis", "reference_analysis", generation.ReferenceAnalysis, "create", ("reference_analysis",)
        ),
    )
}


def _as_dict(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(params)


@attrs.frozen
class Row:
    """One unit of work: ``id`` is unique in the batch, ``params`` are the create method's arguments.

    For ``face_swap`` rows, ``params["source"]`` may name a local video file (absolute, or
    relative to the batch's ``base_dir``) in place of ``media_url``.
    """

    id: str
    kind: str
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_as_dict)
    #: Checked by :func:`parse_row` (which made it): parsing it again returns it as it is.
    _parsed: bool = attrs.field(default=False, init=False, eq=False, repr=False)
    #: The canonical JSON of ``params`` :func:`parse_row` computed (what the fingerprint hashes).
    _canonical: str | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def jobs(self) -> int:
        """How many jobs the row creates (one per avatar for Face Swap)."""
        if self.kind == "face_swap":
            avatars = self.params.get("avatar_ids")
            return max(1, len(avatars)) if isinstance(avatars, list | tuple) else 1
        return 1

    @property
    def canonical(self) -> str | None:
        """``params`` as canonical JSON (sorted keys, no spaces), when :func:`parse_row` made the row."""
        return self._canonical

    def source_path(self, base_dir: Path | None) -> Path | None:
        """The local file of a face swap row, resolved against ``base_dir``; ``None`` if it has none."""
        source = self.params.get(SOURCE_PARAM) if self.kind == "face_swap" else None
        if source is None:
            return None
        path = Path(str(source)).expanduser()
        return path if path.is_absolute() or base_dir is None else base_dir / path


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_row(value: Any, *, where: str = "row") -> Row:
    """A :class:`Row` from a mapping (or a ``Row``); ``InvalidInputError`` naming ``where`` and the field."""
    if isinstance(value, Row):
        if value._parsed:  # made by this function (a manifest's rows): not checked twice
            return value
        value = {"id": value.id, "kind": value.kind, "params": value.params}
    if not isinstance(value, Mapping):
        raise InvalidInputError(where, "must be an object with id, kind and params")
    unknown = set(value) - {"id", "kind", "params"}
    if unknown:
        raise InvalidInputError(f"{where}.{sorted(unknown)[0]}", "unknown field (expected id, kind, params)")
    row_id = value.get("id")
    if isinstance(row_id, int) and not isinstance(row_id, bool):
        row_id = str(row_id)
    if not isinstance(row_id, str) or not row_id.strip() or len(row_id) > MAX_ROW_ID:
        raise InvalidInputError(f"{where}.id", f"must be a non-empty string of at most {MAX_ROW_ID} characters")
    if _CONTROL.search(row_id):
        raise InvalidInputError(f"{where}.id", "must not contain control characters")
    if not _is_text(row_id):
        raise InvalidInputError(f"{where}.id", "must be valid Unicode text (it holds a lone surrogate)")
    kind = value.get("kind")
    if kind not in KINDS:
        raise InvalidInputError(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    params = value.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise InvalidInputError(f"{where}.params", "must be an object")
    try:
        canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise InvalidInputError(f"{where}.params", "are nested too deeply") from None
    except (TypeError, ValueError):
        raise InvalidInputError(f"{where}.params", "must be plain JSON values (no NaN or Infinity)") from None
    if not _is_text(canonical):
        raise InvalidInputError(f"{where}.params", "must be valid Unicode text (they hold a lone surrogate)")
    if kind == "face_swap":
        has_source, has_url = SOURCE_PARAM in params, "media_url" in params
        if has_source == has_url:
            raise InvalidInputError(f"{where}.params", "a face_swap row needs exactly one of source or media_url")
        if has_source and (not isinstance(params[SOURCE_PARAM], str) or not params[SOURCE_PARAM]):
            raise InvalidInputError(f"{where}.params.source", "must be a file path")
    row = Row(row_id, str(kind), params)
    object.__setattr__(row, "_parsed", True)  # frozen: set once, here
    object.__setattr__(row, "_canonical", canonical)
    return row
