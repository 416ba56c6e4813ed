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

T = TypeVar("T", bound="BrandList")


@_attrs_define(repr=False)
class BrandList:
    """A page of Brand objects."""

    data: list[Brand]
    has_more: bool
    next_cursor: str | None = None
    object_: str | None = None
    """ Always `list`. """
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
                "data": "data",
                "has_more": "has_more",
                "next_cursor": "next_cursor",
                "object_": "object",
            },
            frozenset(
                {
                    "data",
                    "has_more",
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
        field_dict["data"] = [item.to_dict() for item in self.data]
        field_dict["has_more"] = self.has_more
        if self.next_cursor is not None:
            field_dict["next_cursor"] = self.next_cursor
        elif "next_cursor" in self._null_keys:
            field_dict["next_cursor"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 2  # keys of this model present in src
        brand_list = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["data"]
        if type(value) is not list:
            raise unexpected_type("data", value)
        brand_list.data = [Brand.from_dict(item) for item in value]
        value = src["has_more"]
        if type(value) is not bool:
            raise unexpected_type("has_more", value)
        brand_list.has_more = value
        value = get("next_cursor", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("next_cursor",)
            elif type(value) is not str:
                raise unexpected_type("next_cursor", value)
        brand_list.next_cursor = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        brand_list.object_ = value
        brand_list._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _BrandList_keys}

        brand_list.additional_properties = d
        return brand_list

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


from ..models.brand import Brand  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_BrandList_keys = frozenset(
    {
        "data",
        "has_more",
        "next_cursor",
        "object",
    }
)
