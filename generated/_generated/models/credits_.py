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

T = TypeVar("T", bound="Credits")


@_attrs_define(repr=False)
class Credits:
    """Plan, credits and active generation capacity, when available."""

    active_generations: float | None = None
    bonus_credits: float | None = None
    max_concurrent_generations: float | None = None
    monthly_credits: float | None = None
    object_: str | None = None
    plan: str | None = None
    remaining_credits: float | None = None
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
                "active_generations": "active_generations",
                "bonus_credits": "bonus_credits",
                "max_concurrent_generations": "max_concurrent_generations",
                "monthly_credits": "monthly_credits",
                "object_": "object",
                "plan": "plan",
                "remaining_credits": "remaining_credits",
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
        if self.active_generations is not None:
            field_dict["active_generations"] = self.active_generations
        elif "active_generations" in self._null_keys:
            field_dict["active_generations"] = None
        if self.bonus_credits is not None:
            field_dict["bonus_credits"] = self.bonus_credits
        elif "bonus_credits" in self._null_keys:
            field_dict["bonus_credits"] = None
        if self.max_concurrent_generations is not None:
            field_dict["max_concurrent_generations"] = self.max_concurrent_generations
        elif "max_concurrent_generations" in self._null_keys:
            field_dict["max_concurrent_generations"] = None
        if self.monthly_credits is not None:
            field_dict["monthly_credits"] = self.monthly_credits
        elif "monthly_credits" in self._null_keys:
            field_dict["monthly_credits"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.plan is not None:
            field_dict["plan"] = self.plan
        elif "plan" in self._null_keys:
            field_dict["plan"] = None
        if self.remaining_credits is not None:
            field_dict["remaining_credits"] = self.remaining_credits
        elif "remaining_credits" in self._null_keys:
            field_dict["remaining_credits"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 0  # keys of this model present in src
        credits_ = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("active_generations", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("active_generations",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("active_generations", value)
        credits_.active_generations = value
        value = get("bonus_credits", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("bonus_credits",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("bonus_credits", value)
        credits_.bonus_credits = value
        value = get("max_concurrent_generations", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("max_concurrent_generations",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("max_concurrent_generations", value)
        credits_.max_concurrent_generations = value
        value = get("monthly_credits", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("monthly_credits",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("monthly_credits", value)
        credits_.monthly_credits = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        credits_.object_ = value
        value = get("plan", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("plan",)
            elif type(value) is not str:
                raise unexpected_type("plan", value)
        credits_.plan = value
        value = get("remaining_credits", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("remaining_credits",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("remaining_credits", value)
        credits_.remaining_credits = value
        credits_._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Credits_keys}

        credits_.additional_properties = d
        return credits_

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
_Credits_keys = frozenset(
    {
        "active_generations",
        "bonus_credits",
        "max_concurrent_generations",
        "monthly_credits",
        "object",
        "plan",
        "remaining_credits",
    }
)
