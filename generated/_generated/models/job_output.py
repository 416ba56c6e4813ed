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

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook (FastAPI, ``TypeAdapter``); pydantic is imported only when it asks."""
        return pydantic_core_schema(
            cls,
            handler,
            {
                "url": "url",
                "content_type": "content_type",
                "duration_seconds": "duration_seconds",
                "height": "height",
                "width": "width",
            },
            frozenset(
                {
                    "url",
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
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 1  # keys of this model present in src
        job_output = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["url"]
        if type(value) is not str:
            raise unexpected_type("url", value)
        job_output.url = value
        value = get("content_type", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("content_type",)
            elif type(value) is not str:
                raise unexpected_type("content_type", value)
        job_output.content_type = value
        value = get("duration_seconds", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("duration_seconds",)
            elif type(value) is not float and type(value) is not int:
                raise unexpected_type("duration_seconds", value)
        job_output.duration_seconds = value
        value = get("height", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("height",)
            elif type(value) is not int:
                raise unexpected_type("height", value)
        job_output.height = value
        value = get("width", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("width",)
            elif type(value) is not int:
                raise unexpected_type("width", value)
        job_output.width = value
        job_output._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _JobOutput_keys}

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


#: The keys this model reads; the others go to ``additional_properties``.
_JobOutput_keys = frozenset(
    {
        "url",
        "content_type",
        "duration_seconds",
        "height",
        "width",
    }
)
