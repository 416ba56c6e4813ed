from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.avatar_visibility import AvatarVisibility
from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.avatar_capabilities import AvatarCapabilities


T = TypeVar("T", bound="Avatar")


@_attrs_define(repr=False)
class Avatar:
    """A public or workspace avatar."""

    id: str
    capabilities: AvatarCapabilities | Unset = UNSET
    name: None | str | Unset = UNSET
    object_: str | Unset = UNSET
    preview_url: None | str | Unset = UNSET
    visibility: AvatarVisibility | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        capabilities: dict[str, Any] | Unset = UNSET
        if not isinstance(self.capabilities, Unset):
            capabilities = self.capabilities.to_dict()

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        object_ = self.object_

        preview_url: None | str | Unset
        if isinstance(self.preview_url, Unset):
            preview_url = UNSET
        else:
            preview_url = self.preview_url

        visibility: str | Unset = UNSET
        if not isinstance(self.visibility, Unset):
            visibility = self.visibility.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if capabilities is not UNSET:
            field_dict["capabilities"] = capabilities
        if name is not UNSET:
            field_dict["name"] = name
        if object_ is not UNSET:
            field_dict["object"] = object_
        if preview_url is not UNSET:
            field_dict["preview_url"] = preview_url
        if visibility is not UNSET:
            field_dict["visibility"] = visibility

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.avatar_capabilities import AvatarCapabilities  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        _capabilities = d.pop("capabilities", UNSET)
        capabilities: AvatarCapabilities | Unset
        if isinstance(_capabilities, Unset):
            capabilities = UNSET
        else:
            capabilities = AvatarCapabilities.from_dict(_capabilities)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        object_ = d.pop("object", UNSET)

        def _parse_preview_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preview_url = _parse_preview_url(d.pop("preview_url", UNSET))

        _visibility = d.pop("visibility", UNSET)
        visibility: AvatarVisibility | Unset
        if isinstance(_visibility, Unset):
            visibility = UNSET
        else:
            visibility = AvatarVisibility(_visibility)

        avatar = cls(
            id=id,
            capabilities=capabilities,
            name=name,
            object_=object_,
            preview_url=preview_url,
            visibility=visibility,
        )

        avatar.additional_properties = d
        return avatar

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
