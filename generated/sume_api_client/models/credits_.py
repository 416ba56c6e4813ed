from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

T = TypeVar("T", bound="Credits")


@_attrs_define(repr=False)
class Credits:
    """Plan, credits and active generation capacity, when available."""

    active_generations: float | None | Unset = UNSET
    bonus_credits: float | None | Unset = UNSET
    max_concurrent_generations: float | None | Unset = UNSET
    monthly_credits: float | None | Unset = UNSET
    object_: str | Unset = UNSET
    plan: None | str | Unset = UNSET
    remaining_credits: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        active_generations: float | None | Unset
        if isinstance(self.active_generations, Unset):
            active_generations = UNSET
        else:
            active_generations = self.active_generations

        bonus_credits: float | None | Unset
        if isinstance(self.bonus_credits, Unset):
            bonus_credits = UNSET
        else:
            bonus_credits = self.bonus_credits

        max_concurrent_generations: float | None | Unset
        if isinstance(self.max_concurrent_generations, Unset):
            max_concurrent_generations = UNSET
        else:
            max_concurrent_generations = self.max_concurrent_generations

        monthly_credits: float | None | Unset
        if isinstance(self.monthly_credits, Unset):
            monthly_credits = UNSET
        else:
            monthly_credits = self.monthly_credits

        object_ = self.object_

        plan: None | str | Unset
        if isinstance(self.plan, Unset):
            plan = UNSET
        else:
            plan = self.plan

        remaining_credits: float | None | Unset
        if isinstance(self.remaining_credits, Unset):
            remaining_credits = UNSET
        else:
            remaining_credits = self.remaining_credits

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if active_generations is not UNSET:
            field_dict["active_generations"] = active_generations
        if bonus_credits is not UNSET:
            field_dict["bonus_credits"] = bonus_credits
        if max_concurrent_generations is not UNSET:
            field_dict["max_concurrent_generations"] = max_concurrent_generations
        if monthly_credits is not UNSET:
            field_dict["monthly_credits"] = monthly_credits
        if object_ is not UNSET:
            field_dict["object"] = object_
        if plan is not UNSET:
            field_dict["plan"] = plan
        if remaining_credits is not UNSET:
            field_dict["remaining_credits"] = remaining_credits

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_active_generations(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        active_generations = _parse_active_generations(d.pop("active_generations", UNSET))

        def _parse_bonus_credits(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        bonus_credits = _parse_bonus_credits(d.pop("bonus_credits", UNSET))

        def _parse_max_concurrent_generations(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_concurrent_generations = _parse_max_concurrent_generations(d.pop("max_concurrent_generations", UNSET))

        def _parse_monthly_credits(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        monthly_credits = _parse_monthly_credits(d.pop("monthly_credits", UNSET))

        object_ = d.pop("object", UNSET)

        def _parse_plan(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        plan = _parse_plan(d.pop("plan", UNSET))

        def _parse_remaining_credits(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        remaining_credits = _parse_remaining_credits(d.pop("remaining_credits", UNSET))

        credits_ = cls(
            active_generations=active_generations,
            bonus_credits=bonus_credits,
            max_concurrent_generations=max_concurrent_generations,
            monthly_credits=monthly_credits,
            object_=object_,
            plan=plan,
            remaining_credits=remaining_credits,
        )

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
