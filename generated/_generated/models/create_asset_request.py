from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, json_object, safe_repr

T = TypeVar("T", bound="CreateAssetRequest")


@_attrs_define(repr=False)
class CreateAssetRequest:
    """The JSON body of a request (``CreateAssetRequest``)."""

    object_key: str
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        object_key = self.object_key

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object_key": object_key,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        object_key = d.pop("object_key")

        title = d.pop("title", UNSET)

        create_asset_request = cls(
            object_key=object_key,
            title=title,
        )

        create_asset_request.additional_properties = d
        return create_asset_request

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
