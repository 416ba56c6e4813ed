from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import (
    UNSET,
    is_list_of,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="FaceSwapResponse")


@_attrs_define(repr=False)
class FaceSwapResponse:
    """One job per avatar; `job_id` is the primary job. Carries `jobs`, `job_ids`, or both."""

    job_id: str | None = None
    job_ids: list[str] | None = None
    jobs: list[Job] | None = None
    object_: str | None = None
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
                "job_id": "job_id",
                "job_ids": "job_ids",
                "jobs": "jobs",
                "object_": "object",
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
        if self.job_id is not None:
            field_dict["job_id"] = self.job_id
        elif "job_id" in self._null_keys:
            field_dict["job_id"] = None
        if self.job_ids is not None:
            field_dict["job_ids"] = self.job_ids
        elif "job_ids" in self._null_keys:
            field_dict["job_ids"] = None
        if self.jobs is not None:
            field_dict["jobs"] = [item.to_dict() for item in self.jobs]
        elif "jobs" in self._null_keys:
            field_dict["jobs"] = None
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
        found = 0  # keys of this model present in src
        face_swap_response = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("job_id", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("job_id",)
            elif type(value) is not str:
                raise unexpected_type("job_id", value)
        face_swap_response.job_id = value
        value = get("job_ids", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("job_ids",)
            elif not is_list_of(value, str):
                raise unexpected_type("job_ids", value)
        face_swap_response.job_ids = value
        value = get("jobs", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("jobs",)
            elif type(value) is not list:
                raise unexpected_type("jobs", value)
            else:
                value = [Job.from_dict(item) for item in value]
        face_swap_response.jobs = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        face_swap_response.object_ = value
        face_swap_response._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _FaceSwapResponse_keys}

        face_swap_response.additional_properties = d
        return face_swap_response

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


from ..models.job import Job  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_FaceSwapResponse_keys = frozenset(
    {
        "job_id",
        "job_ids",
        "jobs",
        "object",
    }
)
