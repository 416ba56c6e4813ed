from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import (
    UNSET,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="Asset")


@_attrs_define(repr=False)
class Asset:
    """An indexed scene in the Asset Library."""

    id: str
    """ Asset id (`asset_...`). """
    clip_url: str | None = None
    created_at: datetime.datetime | None = None
    """ When the scene was indexed: what `created_after`, `created_before` and the `created_at_*` sorts compare. """
    end_time_seconds: float | None = None
    media_url: str | None = None
    metadata: AssetMetadata | None = None
    object_: str | None = None
    search: AssetSearch | None = None
    source_media_url: str | None = None
    start_time_seconds: float | None = None
    thumbnail_url: str | None = None
    title: str | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
    _null_keys: tuple[str, ...] = _attrs_field(init=False, default=(), eq=False)
    """ Optional keys the server sent as `null` (rather than leaving them out), for `to_dict()`. """

    def __repr__(self) -> str:
        return safe_repr(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook (FastAPI, ``TypeAdapter``); pydantic is imported only when it asks."""
        return pydantic_core_schema(
            cls,
            handler,
            {
                "id": "id",
                "clip_url": "clip_url",
                "created_at": "created_at",
                "end_time_seconds": "end_time_seconds",
                "media_url": "media_url",
                "metadata": "metadata",
                "object_": "object",
                "search": "search",
                "source_media_url": "source_media_url",
                "start_time_seconds": "start_time_seconds",
                "thumbnail_url": "thumbnail_url",
                "title": "title",
            },
            frozenset(
                {
                    "id",
                }
            ),
            extra=True,
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core: Any, handler: Any) -> Any:
        return pydantic_json_schema(core, handler)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """The JSON object's ``(key, value)`` pairs, as pydantic models iterate: ``dict(model) == model.to_dict()``
        (what FastAPI's ``jsonable_encoder`` uses)."""
        return iter(self.to_dict().items())

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["id"] = self.id
        if self.clip_url is not None:
            field_dict["clip_url"] = self.clip_url
        elif "clip_url" in self._null_keys:
            field_dict["clip_url"] = None
        if self.created_at is not None:
            field_dict["created_at"] = self.created_at.isoformat()
        elif "created_at" in self._null_keys:
            field_dict["created_at"] = None
        if self.end_time_seconds is not None:
            field_dict["end_time_seconds"] = self.end_time_seconds
        elif "end_time_seconds" in self._null_keys:
            field_dict["end_time_seconds"] = None
        if self.media_url is not None:
            field_dict["media_url"] = self.media_url
        elif "media_url" in self._null_keys:
            field_dict["media_url"] = None
        if self.metadata is not None:
            field_dict["metadata"] = self.metadata.to_dict()
        elif "metadata" in self._null_keys:
            field_dict["metadata"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.search is not None:
            field_dict["search"] = self.search.to_dict()
        elif "search" in self._null_keys:
            field_dict["search"] = None
        if self.source_media_url is not None:
            field_dict["source_media_url"] = self.source_media_url
        elif "source_media_url" in self._null_keys:
            field_dict["source_media_url"] = None
        if self.start_time_seconds is not None:
            field_dict["start_time_seconds"] = self.start_time_seconds
        elif "start_time_seconds" in self._null_keys:
            field_dict["start_time_seconds"] = None
        if self.thumbnail_url is not None:
            field_dict["thumbnail_url"] = self.thumbnail_url
        elif "thumbnail_url" in self._null_keys:
            field_dict["thumbnail_url"] = None
        if self.title is not None:
            field_dict["title"] = self.title
        elif "title" in self._null_keys:
            field_dict["title"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 1  # keys of this model present in src
        asset = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["id"]
        if type(value) is not str:
            raise unexpected_type("id", value)
        asset.id = value
        value = get("clip_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("clip_url",)
            elif type(value) is not str:
                raise unexpected_type("clip_url", value)
        asset.clip_url = value
        value = get("created_at", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("created_at",)
            else:
                value = datetime.datetime.fromisoformat(value)
        asset.created_at = value
        value = get("end_time_seconds", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("end_time_seconds",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("end_time_seconds", value)
        asset.end_time_seconds = value
        value = get("media_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("media_url",)
            elif type(value) is not str:
                raise unexpected_type("media_url", value)
        asset.media_url = value
        value = get("metadata", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("metadata",)
            else:
                value = AssetMetadata.from_dict(value)
        asset.metadata = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        asset.object_ = value
        value = get("search", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("search",)
            else:
                value = AssetSearch.from_dict(value)
        asset.search = value
        value = get("source_media_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("source_media_url",)
            elif type(value) is not str:
                raise unexpected_type("source_media_url", value)
        asset.source_media_url = value
        value = get("start_time_seconds", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("start_time_seconds",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("start_time_seconds", value)
        asset.start_time_seconds = value
        value = get("thumbnail_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("thumbnail_url",)
            elif type(value) is not str:
                raise unexpected_type("thumbnail_url", value)
        asset.thumbnail_url = value
        value = get("title", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("title",)
            elif type(value) is not str:
                raise unexpected_type("title", value)
        asset.title = value
        asset._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Asset_keys}

        asset.additional_properties = d
        return asset

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


from ..models.asset_metadata import AssetMetadata  # noqa: E402
from ..models.asset_search import AssetSearch  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Asset_keys = frozenset(
    {
        "id",
        "clip_url",
        "created_at",
        "end_time_seconds",
        "media_url",
        "metadata",
        "object",
        "search",
        "source_media_url",
        "start_time_seconds",
        "thumbnail_url",
        "title",
    }
)
