"""Models the API returns are typed for reading; request models leave out what was not given."""

from __future__ import annotations

import datetime
import typing
from typing import Any

import attrs
import pytest

import sume_async
from sume_async._generated import models
from sume_async._generated.types import Unset

REQUEST_MODELS = {
    "AdsVideoRequest",
    "CreateAssetRequest",
    "FaceSwapRequest",
    "ImageGenerationRequest",
    "ReferenceAnalysisRequest",
    "UploadPresignRequest",
    "VideoGenerationRequest",
}


def attrs_models() -> list[type[Any]]:
    return [cls for name in models.__all__ if attrs.has(cls := getattr(models, name))]


def field_types(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def test_every_model_is_a_request_or_a_read_model() -> None:
    names = {cls.__name__ for cls in attrs_models()}
    assert names >= REQUEST_MODELS
    assert len(names - REQUEST_MODELS) >= 20


@pytest.mark.parametrize(
    "cls", [c for c in attrs_models() if c.__name__ not in REQUEST_MODELS], ids=lambda c: c.__name__
)
def test_read_models_never_mention_unset(cls: type[Any]) -> None:
    for name, hint in field_types(cls).items():
        assert Unset not in typing.get_args(hint) and hint is not Unset, (cls.__name__, name, hint)
    for field in attrs.fields(cls):
        if field.init and field.default is not attrs.NOTHING:
            assert field.default is None, (cls.__name__, field.name)


@pytest.mark.parametrize("name", sorted(REQUEST_MODELS))
def test_request_models_leave_out_what_was_not_given(name: str) -> None:
    cls = getattr(models, name)
    optional = [f for f in attrs.fields(cls) if f.init and f.default is not attrs.NOTHING]
    assert optional or name in {
        "CreateAssetRequest",
        "FaceSwapRequest",
        "ReferenceAnalysisRequest",
        "UploadPresignRequest",
    }
    for field in optional:
        assert isinstance(field.default, Unset), (name, field.name)


JOB = {
    "id": "job_1",
    "object": "job",
    "type": "video_generation",
    "status": "failed",
    "created_at": "2026-01-02T03:04:05+00:00",
    "error": {"code": "content_policy", "message": "Refused"},
    "request_id": None,
    "result": {"outputs": [{"url": "https://media.example/a.mp4", "width": 720, "height": None}], "seed": 7},
}


def test_absent_and_null_both_read_as_none_and_write_back_as_sent() -> None:
    job = models.JobWithResult.from_dict(JOB)
    assert job.request_id is None and job.result_url is None and job.updated_at is None
    assert job.created_at == datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert job.error is not None and job.error.code == "content_policy"
    assert job.result is not None and job.result.outputs is not None
    output = job.result.outputs[0]
    assert output.url.endswith("a.mp4") and output.width == 720 and output.height is None
    assert job.result["seed"] == 7  # extra properties are kept
    assert job.to_dict() == JOB  # null stays null, absent stays absent
    assert "result_url" not in job.to_dict() and job.to_dict()["request_id"] is None
    again = models.JobWithResult.from_dict(job.to_dict())
    assert again == job and again.to_dict() == JOB


def test_a_value_set_after_parsing_is_written() -> None:
    job = models.Job.from_dict({"id": "job_1", "status": "queued", "request_id": None})
    job.request_id = "req_1"
    assert job.to_dict()["request_id"] == "req_1"
    built = models.Job(id="job_2", status=models.JobStatus.QUEUED)
    assert built.to_dict() == {"id": "job_2", "status": "queued"}
    assert built == models.Job.from_dict({"id": "job_2", "status": "queued", "error": None})


def test_unknown_enum_values_are_kept() -> None:
    avatar = models.Avatar.from_dict({"id": "avatar_1", "visibility": "team_only"})
    assert avatar.visibility == "team_only" and isinstance(avatar.visibility, models.AvatarVisibility)
    assert avatar.to_dict() == {"id": "avatar_1", "visibility": "team_only"}


@pytest.mark.parametrize(
    "body",
    [
        {"id": "job_1"},  # a required key missing
        {"id": "job_1", "status": 3},  # an enum that is not a string
        {"id": "job_1", "status": ["queued"]},  # unhashable
        {"id": "job_1", "status": "queued", "created_at": "yesterday"},
        {"id": "job_1", "status": "queued", "created_at": 5},
        {"id": "job_1", "status": "queued", "error": "boom"},  # a nested object that is not one
        {"id": "job_1", "status": "queued", "error": [["code", "x"], ["message", "y"]]},  # pairs are not an object
        {"id": "job_1", "status": "queued", "error": {"code": "x"}},  # a nested required key missing
    ],
)
def test_malformed_bodies_raise_what_the_caller_turns_into_a_validation_error(body: dict[str, Any]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        models.Job.from_dict(body)


def test_a_top_level_non_object_is_refused() -> None:
    with pytest.raises(TypeError):
        models.Job.from_dict([("id", "job_1"), ("status", "queued")])  # type: ignore[arg-type]


def test_reprs_stay_redacted_and_hide_bookkeeping() -> None:
    upload = models.Upload.from_dict(
        {
            "upload_url": "https://storage.example/put?X-Signature=abc",
            "object_key": "uploads/secret-key",
            "required_headers": {"x-amz-meta-token": "t0ken"},
            "media_url": None,
        }
    )
    text = repr(upload)
    assert "abc" not in text and "secret-key" not in text and "t0ken" not in text
    assert "_null_keys" not in text and "upload_url=<redacted>" in text
    assert upload.to_dict()["media_url"] is None


def test_common_models_are_exported_from_sume_async() -> None:
    for name in ("Job", "JobStatus", "JobType", "JobWithResult", "JobResult", "JobOutput", "JobErrorInfo"):
        assert getattr(sume_async, name) is getattr(models, name)
    for name in ("Asset", "Avatar", "Brand", "Upload", "Account", "Workspace", "Credits", "AccountUser"):
        assert getattr(sume_async, name) is getattr(models, name)
    assert not hasattr(sume_async, "Unset") and not hasattr(sume_async, "UNSET")


def test_parsing_reads_the_body_without_changing_it() -> None:
    import copy

    body = {**JOB, "new_field": [1, 2], "result": {**JOB["result"], "seed": 7}}  # type: ignore[dict-item]
    before = copy.deepcopy(body)
    job = models.JobWithResult.from_dict(body)
    assert body == before
    assert job.additional_properties == {"new_field": [1, 2]} and job.result is not None
    assert job.result.additional_properties == {"seed": 7}
    job.additional_properties["mine"] = 1  # the model's own dict, not the body's
    assert "mine" not in body
    assert models.JobWithResult.from_dict(JOB).additional_properties == {}


@pytest.mark.parametrize(
    ("model", "body"),
    [
        ("Job", {"id": 5, "status": "queued"}),  # a str field given a number
        ("Job", {"id": "job_1", "status": "queued", "request_id": ["req"]}),
        ("JobOutput", {"url": "https://m.example/a.png", "width": "720"}),  # an int given a string
        ("JobOutput", {"url": "https://m.example/a.png", "width": True}),  # a bool is not an int
        ("JobOutput", {"url": "https://m.example/a.png", "duration_seconds": "5"}),
        ("JobList", {"data": {"id": "job_1"}, "has_more": False}),  # an array given an object
        ("JobList", {"data": [], "has_more": "no"}),
        ("FaceSwapResponse", {"job_ids": ["job_1", 2]}),  # an array of str with a number in it
        ("FaceSwapResponse", {"job_ids": "job_1"}),
    ],
)
def test_scalars_of_the_wrong_type_are_refused(model: str, body: dict[str, Any]) -> None:
    with pytest.raises(TypeError) as raised:
        getattr(models, model).from_dict(body)
    assert "job_1" not in str(raised.value) and "720" not in str(raised.value)  # values are not quoted


def test_numbers_accept_integers_and_floats() -> None:
    output = models.JobOutput.from_dict({"url": "https://m.example/a.mp4", "duration_seconds": 5, "width": 720})
    assert output.duration_seconds == 5 and output.width == 720
    assert models.JobOutput.from_dict({"url": "u", "duration_seconds": 5.5}).duration_seconds == 5.5
