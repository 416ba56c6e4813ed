from __future__ import annotations

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

T = TypeVar("T", bound="AvatarCapabilities")


@_attrs_define(repr=False)
class AvatarCapabilities:
    """The ``AvatarCapabilities`` object, as the API returns it."""

    face_swap: bool | None = None
    talking_head: bool | None = None
    ugc_ad: bool | None = None
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
                "face_swap": "face_swap",
                "talking_head": "talking_head",
                "ugc_ad": "ugc_ad",
            },
            frozenset({}),
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
        if self.face_swap is not None:
            field_dict["face_swap"] = self.face_swap
        elif "face_swap" in self._null_keys:
            field_dict["face_swap"] = None
        if self.talking_head is not None:
            field_dict["talking_head"] = self.talking_head
        elif "talking_head" in self._null_keys:
            field_dict["talking_head"] = None
        if self.ugc_ad is not None:
            field_dict["ugc_ad"] = self.ugc_ad
        elif "ugc_ad" in self._null_keys:
            field_dict["ugc_ad"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 0  # keys of this model present in src
        avatar_capabilities = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("face_swap", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("face_swap",)
            elif type(value) is not bool:
                raise unexpected_type("face_swap", value)
        avatar_capabilities.face_swap = value
        value = get("talking_head", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("talking_head",)
            elif type(value) is not bool:
                raise unexpected_type("talking_head", value)
        avatar_capabilities.talking_head = value
        value = get("ugc_ad", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("ugc_ad",)
            elif type(value) is not bool:
                raise unexpected_type("ugc_ad", value)
        avatar_capabilities.ugc_ad = value
        avatar_capabilities._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _AvatarCapabilities_keys}

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


#: The keys this model reads; the others go to ``additional_properties``.
_AvatarCapabilities_keys = frozenset(
    {
        "face_swap",
        "talking_head",
        "ugc_ad",
    }
)
