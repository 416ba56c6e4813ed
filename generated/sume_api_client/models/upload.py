from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.upload_required_headers import UploadRequiredHeaders


T = TypeVar("T", bound="Upload")


@_attrs_define(repr=False)
class Upload:
    """A temporary upload target. Every field is a secret."""

    object_key: str
    required_headers: UploadRequiredHeaders
    upload_url: str
    expires_at: datetime.datetime | None | Unset = UNSET
    media_url: None | str | Unset = UNSET
    method: str | Unset = UNSET
    object_: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        object_key = self.object_key

        required_headers = self.required_headers.to_dict()

        upload_url = self.upload_url

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        media_url: None | str | Unset
        if isinstance(self.media_url, Unset):
            media_url = UNSET
        else:
            media_url = self.media_url

        method = self.method

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object_key": object_key,
                "required_headers": required_headers,
                "upload_url": upload_url,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if media_url is not UNSET:
            field_dict["media_url"] = media_url
        if method is not UNSET:
            field_dict["method"] = method
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_required_headers import UploadRequiredHeaders  # noqa: PLC0415

        d = dict(src_dict)
        object_key = d.pop("object_key")

        required_headers = UploadRequiredHeaders.from_dict(d.pop("required_headers"))

        upload_url = d.pop("upload_url")

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_media_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        media_url = _parse_media_url(d.pop("media_url", UNSET))

        method = d.pop("method", UNSET)

        object_ = d.pop("object", UNSET)

        upload = cls(
            object_key=object_key,
            required_headers=required_headers,
            upload_url=upload_url,
            expires_at=expires_at,
            media_url=media_url,
            method=method,
            object_=object_,
        )

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
