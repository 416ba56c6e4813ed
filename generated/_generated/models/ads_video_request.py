from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ads_video_style import AdsVideoStyle
from ..types import UNSET, Unset, json_object, safe_repr

T = TypeVar("T", bound="AdsVideoRequest")


@_attrs_define(repr=False)
class AdsVideoRequest:
    """The JSON body of a request (``AdsVideoRequest``)."""

    avatar_id: str
    """ An avatar id (see `listAvatars`). """
    script: str
    """ What the avatar says. """
    aspect_ratio: str | Unset = UNSET
    """ Width:height, e.g. 9:16. """
    product_image_url: str | Unset = UNSET
    """ An HTTPS URL of the product image. """
    reference_image_urls: list[str] | Unset = UNSET
    """ HTTPS URLs. """
    style: AdsVideoStyle | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        avatar_id = self.avatar_id

        script = self.script

        aspect_ratio = self.aspect_ratio

        product_image_url = self.product_image_url

        reference_image_urls: list[str] | Unset = UNSET
        if not isinstance(self.reference_image_urls, Unset):
            reference_image_urls = self.reference_image_urls

        style: str | Unset = UNSET
        if not isinstance(self.style, Unset):
            style = self.style.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "avatar_id": avatar_id,
                "script": script,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if product_image_url is not UNSET:
            field_dict["product_image_url"] = product_image_url
        if reference_image_urls is not UNSET:
            field_dict["reference_image_urls"] = reference_image_urls
        if style is not UNSET:
            field_dict["style"] = style

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        avatar_id = d.pop("avatar_id")

        script = d.pop("script")

        aspect_ratio = d.pop("aspect_ratio", UNSET)

        product_image_url = d.pop("product_image_url", UNSET)

        reference_image_urls = cast(list[str], d.pop("reference_image_urls", UNSET))

        _style = d.pop("style", UNSET)
        style: AdsVideoStyle | Unset
        if isinstance(_style, Unset):
            style = UNSET
        else:
            style = AdsVideoStyle(_style)

        ads_video_request = cls(
            avatar_id=avatar_id,
            script=script,
            aspect_ratio=aspect_ratio,
            product_image_url=product_image_url,
            reference_image_urls=reference_image_urls,
            style=style,
        )

        ads_video_request.additional_properties = d
        return ads_video_request

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
