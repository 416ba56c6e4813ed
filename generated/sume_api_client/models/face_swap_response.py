from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, safe_repr

if TYPE_CHECKING:
    from ..models.job import Job


T = TypeVar("T", bound="FaceSwapResponse")


@_attrs_define(repr=False)
class FaceSwapResponse:
    """One job per avatar; `job_id` is the primary job. Carries `jobs`, `job_ids`, or both."""

    job_id: str | Unset = UNSET
    job_ids: list[str] | Unset = UNSET
    jobs: list[Job] | Unset = UNSET
    object_: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return safe_repr(self)

    def to_dict(self) -> dict[str, Any]:
        job_id = self.job_id

        job_ids: list[str] | Unset = UNSET
        if not isinstance(self.job_ids, Unset):
            job_ids = self.job_ids

        jobs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.jobs, Unset):
            jobs = []
            for jobs_item_data in self.jobs:
                jobs_item = jobs_item_data.to_dict()
                jobs.append(jobs_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if job_ids is not UNSET:
            field_dict["job_ids"] = job_ids
        if jobs is not UNSET:
            field_dict["jobs"] = jobs
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job import Job  # noqa: PLC0415

        d = dict(src_dict)
        job_id = d.pop("job_id", UNSET)

        job_ids = cast(list[str], d.pop("job_ids", UNSET))

        _jobs = d.pop("jobs", UNSET)
        jobs: list[Job] | Unset = UNSET
        if _jobs is not UNSET:
            jobs = []
            for jobs_item_data in _jobs:
                jobs_item = Job.from_dict(jobs_item_data)

                jobs.append(jobs_item)

        object_ = d.pop("object", UNSET)

        face_swap_response = cls(
            job_id=job_id,
            job_ids=job_ids,
            jobs=jobs,
            object_=object_,
        )

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
