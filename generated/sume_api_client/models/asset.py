from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, json_object, safe_repr

T = TypeVar("T", bound="Asset")


@_attrs_define(repr=False)
class Asset:
    """An indexed scene in the Asset Library."""

    id: str
    """ Asset id (`asset_...`). """
    clip_url: str | None = None
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

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["id"] = self.id
        if self.clip_url is not None:
            field_dict["clip_url"] = self.clip_url
        elif "clip_url" in self._null_keys:
            field_dict["clip_url"] = None
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
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        pop = d.pop
        null_keys: list[str] = []
        id = pop("id")
        clip_url = pop("clip_url", UNSET)
        if clip_url is UNSET:
            clip_url = None
        elif clip_url is None:
            null_keys.append("clip_url")
        end_time_seconds = pop("end_time_seconds", UNSET)
        if end_time_seconds is UNSET:
            end_time_seconds = None
        elif end_time_seconds is None:
            null_keys.append("end_time_seconds")
        media_url = pop("media_url", UNSET)
        if media_url is UNSET:
            media_url = None
        elif media_url is None:
            null_keys.append("media_url")
        metadata = pop("metadata", UNSET)
        if metadata is UNSET:
            metadata = None
        elif metadata is None:
            null_keys.append("metadata")
        else:
            metadata = AssetMetadata.from_dict(metadata)
        object_ = pop("object", UNSET)
        if object_ is UNSET:
            object_ = None
        elif object_ is None:
            null_keys.append("object")
        search = pop("search", UNSET)
        if search is UNSET:
            search = None
        elif search is None:
            null_keys.append("search")
        else:
            search = AssetSearch.from_dict(search)
        source_media_url = pop("source_media_url", UNSET)
        if source_media_url is UNSET:
            source_media_url = None
        elif source_media_url is None:
            null_keys.append("source_media_url")
        start_time_seconds = pop("start_time_seconds", UNSET)
        if start_time_seconds is UNSET:
            start_time_seconds = None
        elif start_time_seconds is None:
            null_keys.append("start_time_seconds")
        thumbnail_url = pop("thumbnail_url", UNSET)
        if thumbnail_url is UNSET:
            thumbnail_url = None
        elif thumbnail_url is None:
            null_keys.append("thumbnail_url")
        title = pop("title", UNSET)
        if title is UNSET:
            title = None
        elif title is None:
            null_keys.append("title")
        asset = cls(
            id,
            clip_url,
            end_time_seconds,
            media_url,
            metadata,
            object_,
            search,
            source_media_url,
            start_time_seconds,
            thumbnail_url,
            title,
        )
        if null_keys:
            asset._null_keys = tuple(null_keys)

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
