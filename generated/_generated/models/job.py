from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus
from ..models.job_type import JobType
from ..types import (
    UNSET,
    json_object,
    pydantic_core_schema,
    pydantic_json_schema,
    safe_repr,
    unexpected_type,
)

T = TypeVar("T", bound="Job")


@_attrs_define(repr=False)
class Job:
    """An asynchronous job."""

    id: str
    """ Job id (`job_...`). """
    status: JobStatus
    """ Common job states. `queued`, `running`, `processing` are non-terminal; `completed`, `failed`, `canceled`,
    `expired` are terminal. More may appear. """
    created_at: datetime.datetime | None = None
    error: JobErrorInfo | None = None
    object_: str | None = None
    """ Always `job`. """
    request_id: str | None = None
    result_url: str | None = None
    type_: JobType | None = None
    """ Kind of work a job does. More may appear. """
    updated_at: datetime.datetime | None = None
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
                "status": "status",
                "created_at": "created_at",
                "error": "error",
                "object_": "object",
                "request_id": "request_id",
                "result_url": "result_url",
                "type_": "type",
                "updated_at": "updated_at",
            },
            frozenset(
                {
                    "id",
                    "status",
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
        field_dict["status"] = self.status.value
        if self.created_at is not None:
            field_dict["created_at"] = self.created_at.isoformat()
        elif "created_at" in self._null_keys:
            field_dict["created_at"] = None
        if self.error is not None:
            field_dict["error"] = self.error.to_dict()
        elif "error" in self._null_keys:
            field_dict["error"] = None
        if self.object_ is not None:
            field_dict["object"] = self.object_
        elif "object" in self._null_keys:
            field_dict["object"] = None
        if self.request_id is not None:
            field_dict["request_id"] = self.request_id
        elif "request_id" in self._null_keys:
            field_dict["request_id"] = None
        if self.result_url is not None:
            field_dict["result_url"] = self.result_url
        elif "result_url" in self._null_keys:
            field_dict["result_url"] = None
        if self.type_ is not None:
            field_dict["type"] = self.type_.value
        elif "type" in self._null_keys:
            field_dict["type"] = None
        if self.updated_at is not None:
            field_dict["updated_at"] = self.updated_at.isoformat()
        elif "updated_at" in self._null_keys:
            field_dict["updated_at"] = None
        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        """Parse a JSON object as sent by the API (``__init__`` is not called)."""
        src = src_dict if type(src_dict) is dict else json_object(src_dict)  # read, never changed
        get = src.get
        value: Any
        null_keys: tuple[str, ...] = ()
        found = 2  # keys of this model present in src
        job = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["id"]
        if type(value) is not str:
            raise unexpected_type("id", value)
        job.id = value
        value = src["status"]
        job.status = _JobStatus_by_value.get(value) or JobStatus(value)
        value = get("created_at", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("created_at",)
            else:
                value = datetime.datetime.fromisoformat(value)
        job.created_at = value
        value = get("error", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("error",)
            else:
                value = JobErrorInfo.from_dict(value)
        job.error = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        job.object_ = value
        value = get("request_id", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("request_id",)
            elif type(value) is not str:
                raise unexpected_type("request_id", value)
        job.request_id = value
        value = get("result_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("result_url",)
            elif type(value) is not str:
                raise unexpected_type("result_url", value)
        job.result_url = value
        value = get("type", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("type",)
            else:
                value = _JobType_by_value.get(value) or JobType(value)
        job.type_ = value
        value = get("updated_at", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("updated_at",)
            else:
                value = datetime.datetime.fromisoformat(value)
        job.updated_at = value
        job._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Job_keys}

        job.additional_properties = d
        return job

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


from ..models.job_error_info import JobErrorInfo  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Job_keys = frozenset(
    {
        "id",
        "status",
        "created_at",
        "error",
        "object",
        "request_id",
        "result_url",
        "type",
        "updated_at",
    }
)

_JobStatus_by_value: dict[object, JobStatus] = {member.value: member for member in JobStatus}

_JobType_by_value: dict[object, JobType] = {member.value: member for member in JobType}
