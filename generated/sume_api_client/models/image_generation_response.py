from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.job import Job


T = TypeVar("T", bound="ImageGenerationResponse")


@_attrs_define(repr=False)
class ImageGenerationResponse:
    """Accepted image generation. Carries `job`, `job_id`, or both."""

    job: Job | Unset = UNSET
    """ An asynchronous job. """
    job_id: str | Unset = UNSET
    object_: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        job: dict[str, Any] | Unset = UNSET
        if not isinstance(self.job, Unset):
            job = self.job.to_dict()

        job_id = self.job_id

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if job is not UNSET:
            field_dict["job"] = job
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job import Job  # noqa: PLC0415

        d = dict(src_dict)
        _job = d.pop("job", UNSET)
        job: Job | Unset
        if isinstance(_job, Unset):
            job = UNSET
        else:
            job = Job.from_dict(_job)

        job_id = d.pop("job_id", UNSET)

        object_ = d.pop("object", UNSET)

        image_generation_response = cls(
            job=job,
            job_id=job_id,
            object_=object_,
        )

        image_generation_response.additional_properties = d
        return image_generation_response

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
