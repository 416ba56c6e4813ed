from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

T = TypeVar("T", bound="AvatarCapabilities")


@_attrs_define(repr=False)
class AvatarCapabilities:
    face_swap: bool | Unset = UNSET
    talking_head: bool | Unset = UNSET
    ugc_ad: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        face_swap = self.face_swap

        talking_head = self.talking_head

        ugc_ad = self.ugc_ad

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if face_swap is not UNSET:
            field_dict["face_swap"] = face_swap
        if talking_head is not UNSET:
            field_dict["talking_head"] = talking_head
        if ugc_ad is not UNSET:
            field_dict["ugc_ad"] = ugc_ad

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        face_swap = d.pop("face_swap", UNSET)

        talking_head = d.pop("talking_head", UNSET)

        ugc_ad = d.pop("ugc_ad", UNSET)

        avatar_capabilities = cls(
            face_swap=face_swap,
            talking_head=talking_head,
            ugc_ad=ugc_ad,
        )

        avatar_capabilities.additional_properties = d
        return avatar_capabilities

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
