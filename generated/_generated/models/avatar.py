from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.avatar_visibility import AvatarVisibility
from ..types import (
    UNSET,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="Avatar")


@_attrs_define(repr=False)
class Avatar:
    """A public or workspace avatar."""

    id: str
    capabilities: AvatarCapabilities | None = None
    name: str | None = None
    object_: str | None = None
    preview_url: str | None = None
    visibility: AvatarVisibility | None = None
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
                "capabilities": "capabilities",
                "name": "name",
                "object_": "object",
                "preview_url": "preview_url",
                "visibility": "visibility",
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
        if self.capabilities is not None:
            field_dict["capabilities"] = self.capabilities.to_dict()
        elif "capabilities" in self._null_keys:
            field_dict["capabilities"] = None
        if self.name is not None:
            field_dict["name"] = self.name
        elif "name" in self._null_keys:
            field_dict["name"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.preview_url is not None:
            field_dict["preview_url"] = self.preview_url
        elif "preview_url" in self._null_keys:
            field_dict["preview_url"] = None
        if self.visibility is not None:
            field_dict["visibility"] = self.visibility.value
        elif "visibility" in self._null_keys:
            field_dict["visibility"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 1  # keys of this model present in src
        avatar = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["id"]
        if type(value) is not str:
            raise unexpected_type("id", value)
        avatar.id = value
        value = get("capabilities", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("capabilities",)
            else:
                value = AvatarCapabilities.from_dict(value)
        avatar.capabilities = value
        value = get("name", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("name",)
            elif type(value) is not str:
                raise unexpected_type("name", value)
        avatar.name = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        avatar.object_ = value
        value = get("preview_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("preview_url",)
            elif type(value) is not str:
                raise unexpected_type("preview_url", value)
        avatar.preview_url = value
        value = get("visibility", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("visibility",)
            else:
                value = _AvatarVisibility_by_value.get(value) or AvatarVisibility(value)
        avatar.visibility = value
        avatar._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Avatar_keys}

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


from ..models.avatar_capabilities import AvatarCapabilities  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Avatar_keys = frozenset(
    {
        "id",
        "capabilities",
        "name",
        "object",
        "preview_url",
        "visibility",
    }
)

_AvatarVisibility_by_value: dict[object, AvatarVisibility] = {member.value: member for member in AvatarVisibility}
