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

T = TypeVar("T", bound="JobResult")


@_attrs_define(repr=False)
class JobResult:
    """Free-form result; its content varies by job type."""

    outputs: list[JobOutput] | None = None
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
                "outputs": "outputs",
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
        if self.outputs is not None:
            field_dict["outputs"] = [item.to_dict() for item in self.outputs]
        elif "outputs" in self._null_keys:
            field_dict["outputs"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 0  # keys of this model present in src
        job_result = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("outputs", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("outputs",)
            elif type(value) is not list:
                raise unexpected_type("outputs", value)
            else:
                value = [JobOutput.from_dict(item) for item in value]
        job_result.outputs = value
        job_result._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _JobResult_keys}

        job_result.additional_properties = d
        return job_result

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


from ..models.job_output import JobOutput  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_JobResult_keys = frozenset(
    {
        "outputs",
    }
)
