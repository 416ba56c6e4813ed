from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.video_resolution import VideoResolution
from ..types import UNSET, Unset, json_object, safe_repr

T = TypeVar("T", bound="VideoGenerationRequest")


@_attrs_define(repr=False)
class VideoGenerationRequest:
    """The JSON body of a request (``VideoGenerationRequest``)."""

    prompt: str
    """ What to generate. """
    aspect_ratio: str | Unset = UNSET
    """ Width:height, e.g. 9:16. """
    duration: int | Unset = UNSET
    """ Seconds. """
    generate_audio: bool | Unset = UNSET
    """ Generate an audio track. """
    resolution: VideoResolution | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        aspect_ratio = self.aspect_ratio

        duration = self.duration

        generate_audio = self.generate_audio

        resolution: str | Unset = UNSET
        if not isinstance(self.resolution, Unset):
            resolution = self.resolution.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if duration is not UNSET:
            field_dict["duration"] = duration
        if generate_audio is not UNSET:
            field_dict["generate_audio"] = generate_audio
        if resolution is not UNSET:
            field_dict["resolution"] = resolution

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict) if type(src_dict) is dict else json_object(src_dict)
        prompt = d.pop("prompt")

        aspect_ratio = d.pop("aspect_ratio", UNSET)

        duration = d.pop("duration", UNSET)

        generate_audio = d.pop("generate_audio", UNSET)

        _resolution = d.pop("resolution", UNSET)
        resolution: VideoResolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = VideoResolution(_resolution)

        video_generation_request = cls(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            duration=duration,
            generate_audio=generate_audio,
            resolution=resolution,
        )

        video_generation_request.additional_properties = d
        return video_generation_request

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
