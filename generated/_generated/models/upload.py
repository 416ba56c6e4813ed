from __future__ import annotations

import datetime
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

T = TypeVar("T", bound="Upload")


@_attrs_define(repr=False)
class Upload:
    """A temporary upload target. Every field is a secret."""

    object_key: str
    required_headers: UploadRequiredHeaders
    upload_url: str
    expires_at: datetime.datetime | None = None
    media_url: str | None = None
    method: str | None = None
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
                "object_key": "object_key",
                "required_headers": "required_headers",
                "upload_url": "upload_url",
                "expires_at": "expires_at",
                "media_url": "media_url",
                "method": "method",
                "object_": "object",
            },
            frozenset(
                {
                    "object_key",
                    "required_headers",
                    "upload_url",
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
        field_dict["object_key"] = self.object_key
        field_dict["required_headers"] = self.required_headers.to_dict()
        field_dict["upload_url"] = self.upload_url
        if self.expires_at is not None:
            field_dict["expires_at"] = self.expires_at.isoformat()
        elif "expires_at" in self._null_keys:
            field_dict["expires_at"] = None
        if self.media_url is not None:
            field_dict["media_url"] = self.media_url
        elif "media_url" in self._null_keys:
            field_dict["media_url"] = None
        if self.method is not None:
            field_dict["method"] = self.method
        elif "method" in self._null_keys:
            field_dict["method"] = None
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
        found = 3  # keys of this model present in src
        upload = object.__new__(cls)  # every field is set below: no __init__ and its defaults
        value = src["object_key"]
        if type(value) is not str:
            raise unexpected_type("object_key", value)
        upload.object_key = value
        value = src["required_headers"]
        upload.required_headers = UploadRequiredHeaders.from_dict(value)
        value = src["upload_url"]
        if type(value) is not str:
            raise unexpected_type("upload_url", value)
        upload.upload_url = value
        value = get("expires_at", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("expires_at",)
            else:
                value = datetime.datetime.fromisoformat(value)
        upload.expires_at = value
        value = get("media_url", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("media_url",)
            elif type(value) is not str:
                raise unexpected_type("media_url", value)
        upload.media_url = value
        value = get("method", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("method",)
            elif type(value) is not str:
                raise unexpected_type("method", value)
        upload.method = value
        value = get("object", UNSET)
        if value is UNSET:
            value = None
        else:
            found += 1
            if value is None:
                null_keys += ("object",)
            elif type(value) is not str:
                raise unexpected_type("object", value)
        upload.object_ = value
        upload._null_keys = null_keys
        d = {} if len(src) == found else {k: v for k, v in src.items() if k not in _Upload_keys}

        upload.additional_properties = d
        return upload

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


from ..models.upload_required_headers import UploadRequiredHeaders  # noqa: E402

#: The keys this model reads; the others go to ``additional_properties``.
_Upload_keys = frozenset(
    {
        "object_key",
        "required_headers",
        "upload_url",
        "expires_at",
        "media_url",
        "method",
        "object",
    }
)
