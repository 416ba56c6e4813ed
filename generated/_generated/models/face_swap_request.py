from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import json_object, safe_repr

T = TypeVar("T", bound="FaceSwapRequest")


@_attrs_define(repr=False)
class FaceSwapRequest:
    """The JSON body of a request (``FaceSwapRequest``)."""

    avatar_ids: list[str]
    """ Avatar ids, one job each. """
    media_url: str
    """ The `media_url` of a `face_swap_source_video` upload. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        avatar_ids = self.avatar_ids

        media_url = self.media_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "avatar_ids": avatar_ids,
                "media_url": media_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        avatar_ids = cast(list[str], d.pop("avatar_ids"))

        media_url = d.pop("media_url")

        face_swap_request = cls(
            avatar_ids=avatar_ids,
            media_url=media_url,
        )

        face_swap_request.additional_properties = d
        return face_swap_request

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
