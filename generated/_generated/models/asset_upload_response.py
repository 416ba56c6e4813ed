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

T = TypeVar("T", bound="AssetUploadResponse")


@_attrs_define(repr=False)
class AssetUploadResponse:
    """The ``AssetUploadResponse`` object, as the API returns it."""

    asset_id: str | None = None
    job: Job | None = None
    """ An asynchronous job. """
    job_id: str | None = None
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
                "asset_id": "asset_id",
                "job": "job",
                "job_id": "job_id",
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
        if self.asset_id is not None:
            field_dict["asset_id"] = self.asset_id
        elif "asset_id" in self._null_keys:
            field_dict["asset_id"] = None
        if self.job is not None:
            field_dict["job"] = self.job.to_dict()
        elif "job" in self._null_keys:
            field_dict["job"] = None
        if self.job_id is not None:
            field_dict["job_id"] = self.job_id
        elif "job_id" in self._null_keys:
            field_dict["job_id"] = None
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
        asset_upload_response = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = get("asset_id", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("asset_id",)
            elif type(value) is not str:
                raise unexpected_type("asset_id", value)
        asset_upload_response.asset_id = value
        value = get("job", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("job",)
            else:
                value = Job.from_dict(value)
        asset_upload_response.job = value
        value = get("job_id", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("job_id",)
            elif type(value) is not str:
                raise unexpected_type("job_id", value)
        asset_upload_response.job_id = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        asset_upload_response.object_ = value
        asset_upload_response._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _AssetUploadResponse_keys}

        asset_upload_response.additional_properties = d
        return asset_upload_response

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
_AssetUploadResponse_keys = frozenset(
    {
        "asset_id",
        "job",
        "job_id",
        "object",
    }
)
