from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.asset_metadata import AssetMetadata
    from ..models.asset_search import AssetSearch


T = TypeVar("T", bound="Asset")


@_attrs_define(repr=False)
class Asset:
    """An indexed scene in the Asset Library."""

    id: str
    """ Asset id (`asset_...`). """
    clip_url: None | str | Unset = UNSET
    end_time_seconds: float | None | Unset = UNSET
    media_url: None | str | Unset = UNSET
    metadata: AssetMetadata | Unset = UNSET
    object_: str | Unset = UNSET
    search: AssetSearch | None | Unset = UNSET
    source_media_url: None | str | Unset = UNSET
    start_time_seconds: float | None | Unset = UNSET
    thumbnail_url: None | str | Unset = UNSET
    title: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        from ..models.asset_search import AssetSearch  # noqa: PLC0415

        id = self.id

        clip_url: None | str | Unset
        if isinstance(self.clip_url, Unset):
            clip_url = UNSET
        else:
            clip_url = self.clip_url

        end_time_seconds: float | None | Unset
        if isinstance(self.end_time_seconds, Unset):
            end_time_seconds = UNSET
        else:
            end_time_seconds = self.end_time_seconds

        media_url: None | str | Unset
        if isinstance(self.media_url, Unset):
            media_url = UNSET
        else:
            media_url = self.media_url

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        object_ = self.object_

        search: dict[str, Any] | None | Unset
        if isinstance(self.search, Unset):
            search = UNSET
        elif isinstance(self.search, AssetSearch):
            search = self.search.to_dict()
        else:
            search = self.search

        source_media_url: None | str | Unset
        if isinstance(self.source_media_url, Unset):
            source_media_url = UNSET
        else:
            source_media_url = self.source_media_url

        start_time_seconds: float | None | Unset
        if isinstance(self.start_time_seconds, Unset):
            start_time_seconds = UNSET
        else:
            start_time_seconds = self.start_time_seconds

        thumbnail_url: None | str | Unset
        if isinstance(self.thumbnail_url, Unset):
            thumbnail_url = UNSET
        else:
            thumbnail_url = self.thumbnail_url

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if clip_url is not UNSET:
            field_dict["clip_url"] = clip_url
        if end_time_seconds is not UNSET:
            field_dict["end_time_seconds"] = end_time_seconds
        if media_url is not UNSET:
            field_dict["media_url"] = media_url
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if object_ is not UNSET:
            field_dict["object"] = object_
        if search is not UNSET:
            field_dict["search"] = search
        if source_media_url is not UNSET:
            field_dict["source_media_url"] = source_media_url
        if start_time_seconds is not UNSET:
            field_dict["start_time_seconds"] = start_time_seconds
        if thumbnail_url is not UNSET:
            field_dict["thumbnail_url"] = thumbnail_url
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.asset_metadata import AssetMetadata  # noqa: PLC0415
        from ..models.asset_search import AssetSearch  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_clip_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        clip_url = _parse_clip_url(d.pop("clip_url", UNSET))

        def _parse_end_time_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        end_time_seconds = _parse_end_time_seconds(d.pop("end_time_seconds", UNSET))

        def _parse_media_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        media_url = _parse_media_url(d.pop("media_url", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: AssetMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = AssetMetadata.from_dict(_metadata)

        object_ = d.pop("object", UNSET)

        def _parse_search(data: object) -> AssetSearch | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                search_type_0 = AssetSearch.from_dict(data)

                return search_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AssetSearch | None | Unset, data)

        search = _parse_search(d.pop("search", UNSET))

        def _parse_source_media_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source_media_url = _parse_source_media_url(d.pop("source_media_url", UNSET))

        def _parse_start_time_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        start_time_seconds = _parse_start_time_seconds(d.pop("start_time_seconds", UNSET))

        def _parse_thumbnail_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        thumbnail_url = _parse_thumbnail_url(d.pop("thumbnail_url", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        asset = cls(
            id=id,
            clip_url=clip_url,
            end_time_seconds=end_time_seconds,
            media_url=media_url,
            metadata=metadata,
            object_=object_,
            search=search,
            source_media_url=source_media_url,
            start_time_seconds=start_time_seconds,
            thumbnail_url=thumbnail_url,
            title=title,
        )

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
