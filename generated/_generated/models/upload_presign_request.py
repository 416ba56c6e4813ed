from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.upload_purpose import UploadPurpose
from ..types import json_object, safe_repr

T = TypeVar("T", bound="UploadPresignRequest")


@_attrs_define(repr=False)
class UploadPresignRequest:
    """The JSON body of a request (``UploadPresignRequest``)."""

    content_type: str
    filename: str
    purpose: UploadPurpose
    size_bytes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        content_type = self.content_type

        filename = self.filename

        purpose = self.purpose.value

        size_bytes = self.size_bytes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "content_type": content_type,
                "filename": filename,
                "purpose": purpose,
                "size_bytes": size_bytes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        content_type = d.pop("content_type")

        filename = d.pop("filename")

        purpose = UploadPurpose(d.pop("purpose"))

        size_bytes = d.pop("size_bytes")

        upload_presign_request = cls(
            content_type=content_type,
            filename=filename,
            purpose=purpose,
            size_bytes=size_bytes,
        )

        upload_presign_request.additional_properties = d
        return upload_presign_request

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
