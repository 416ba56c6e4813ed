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

T = TypeVar("T", bound="AssetSearch")


@_attrs_define(repr=False)
class AssetSearch:
    """Search context of an asset found by a query."""

    mode: str | None = None
    query: str | None = None
    score: float | None = None
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
                "mode": "mode",
                "query": "query",
                "score": "score",
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
        if self.mode is not None:
            field_dict["mode"] = self.mode
        elif "mode" in self._null_keys:
            field_dict["mode"] = None
        if self.query is not None:
            field_dict["query"] = self.query
        elif "query" in self._null_keys:
            field_dict["query"] = None
        if self.score is not None:
            field_dict["score"] = self.score
        elif "score" in self._null_keys:
            field_dict["score"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 0  # keys of this model present in src
        asset_search = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("mode", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("mode",)
            elif type(value) is not str:
                raise unexpected_type("mode", value)
        asset_search.mode = value
        value = get("query", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("query",)
            elif type(value) is not str:
                raise unexpected_type("query", value)
        asset_search.query = value
        value = get("score", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("score",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("score", value)
        asset_search.score = value
        asset_search._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _AssetSearch_keys}

        asset_search.additional_properties = d
        return asset_search

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
_AssetSearch_keys = frozenset(
    {
        "mode",
        "query",
        "score",
    }
)
