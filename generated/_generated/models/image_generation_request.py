from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, json_object, safe_repr

T = TypeVar("T", bound="ImageGenerationRequest")


@_attrs_define(repr=False)
class ImageGenerationRequest:
    """The JSON body of a request (``ImageGenerationRequest``)."""

    prompt: str
    """ What to generate. """
    aspect_ratio: str | Unset = UNSET
    """ Width:height, e.g. 9:16. """
    image_count: int | Unset = UNSET
    """ Images to make. """
    quality: str | Unset = UNSET
    """ Output quality. """
    reference_image_urls: list[str] | Unset = UNSET
    """ HTTPS URLs. """
    resolution: str | Unset = UNSET
    """ Output resolution. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        aspect_ratio = self.aspect_ratio

        image_count = self.image_count

        quality = self.quality

        reference_image_urls: list[str] | Unset = UNSET
        if not isinstance(self.reference_image_urls, Unset):
            reference_image_urls = self.reference_image_urls

        resolution = self.resolution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if image_count is not UNSET:
            field_dict["image_count"] = image_count
        if quality is not UNSET:
            field_dict["quality"] = quality
        if reference_image_urls is not UNSET:
            field_dict["reference_image_urls"] = reference_image_urls
        if resolution is not UNSET:
            field_dict["resolution"] = resolution

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        prompt = d.pop("prompt")

        aspect_ratio = d.pop("aspect_ratio", UNSET)

        image_count = d.pop("image_count", UNSET)

        quality = d.pop("quality", UNSET)

        reference_image_urls = cast(list[str], d.pop("reference_image_urls", UNSET))

        resolution = d.pop("resolution", UNSET)

        image_generation_request = cls(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            image_count=image_count,
            quality=quality,
            reference_image_urls=reference_image_urls,
            resolution=resolution,
        )

        image_generation_request.additional_properties = d
        return image_generation_request

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
