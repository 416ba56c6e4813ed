from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, json_object, safe_repr

T = TypeVar("T", bound="JobOutput")


@_attrs_define(repr=False)
class JobOutput:
    """One generated media file."""

    url: str
    content_type: str | None = None
    duration_seconds: float | None = None
    height: int | None = None
    width: int | None = None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)
    _null_keys: tuple[str, ...] = _attrs_field(init=False, default=(), eq=False)
    """ Optional keys the server sent as `null` (rather than leaving them out), for `to_dict()`. """

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict["url"] = self.url
        if self.content_type is not None:
            field_dict["content_type"] = self.content_type
        elif "content_type" in self._null_keys:
            field_dict["content_type"] = None
        if self.duration_seconds is not None:
            field_dict["duration_seconds"] = self.duration_seconds
        elif "duration_seconds" in self._null_keys:
            field_dict["duration_seconds"] = None
        if self.height is not None:
            field_dict["height"] = self.height
        elif "height" in self._null_keys:
            field_dict["height"] = None
        if self.width is not None:
            field_dict["width"] = self.width
        elif "width" in self._null_keys:
            field_dict["width"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        pop = d.pop
        null_keys: list[str] = []
        url = pop("url")
        content_type = pop("content_type", UNSET)
        if content_type is UNSET:
            content_type = None
        elif content_type is None:
            null_keys.append("content_type")
        duration_seconds = pop("duration_seconds", UNSET)
        if duration_seconds is UNSET:
            duration_seconds = None
        elif duration_seconds is None:
            null_keys.append("duration_seconds")
        height = pop("height", UNSET)
        if height is UNSET:
            height = None
        elif height is None:
            null_keys.append("height")
        width = pop("width", UNSET)
        if width is UNSET:
            width = None
        elif width is None:
            null_keys.append("width")
        job_output = cls(
            url,
            content_type,
            duration_seconds,
            height,
            width,
        )
        if null_keys:
            job_output._null_keys = tuple(null_keys)

        job_output.additional_properties = d
        return job_output

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
