"""The generation create endpoints: images, videos, ads videos, face swaps, reference analysis.

Each validates its body, checks the feature and the credits, then creates queued jobs whose
eventual result (deterministic media URLs and sizes) is fixed at creation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .._catalog import avatar_by_id
from .._context import Call, Reply
from .._errors import ApiError
from .._lifecycle import MEDIA_BASE
from .._validation import BodyReader

__all__ = [
    "create_ads_video",
    "create_face_swap",
    "create_image_generation",
    "create_reference_analysis",
    "create_video_generation",
]

FACE_SWAP_OUTPUT_SECONDS = 12.0


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _frame(aspect_ratio: str, short_side: int) -> tuple[int, int]:
    """Pixel size for an aspect ratio whose shorter side is ``short_side``."""
    w, h = (int(part) for part in aspect_ratio.split(":"))
    if w <= h:
        return short_side, _even(short_side * h / w)
    return _even(short_side * w / h), short_side


def _video_output(job_id: str, name: str, size: tuple[int, int], seconds: float) -> dict[str, Any]:
    return {
        "url": f"{MEDIA_BASE}/jobs/{job_id}/{name}.mp4",
        "content_type": "video/mp4",
        "width": size[0],
        "height": size[1],
        "duration_seconds": seconds,
    }


def create_image_generation(call: Call) -> Reply:
    call.require_access("image_generation")
    body = BodyReader.by_schema("createImageGeneration", call.body)
    aspect = body.value("aspect_ratio", "1:1")
    count = int(body.value("image_count", 1))
    body.done()
    call.charge(call.cost("image_generation"))
    width, height = _frame(aspect, 1024)

    def build(job_id: str) -> tuple[dict[str, Any], str | None]:
        outputs: list[dict[str, Any]] = [
            {
                "url": f"{MEDIA_BASE}/jobs/{job_id}/image_{i}.png",
                "content_type": "image/png",
                "width": width,
                "height": height,
            }
            for i in range(count)
        ]
        return {"outputs": outputs}, outputs[0]["url"]

    job = call.new_job("image_generation", build, cost=call.cost("image_generation"))
    # The documented response carries ``job`` only (no ``job_id``): clients must cope.
    return Reply(202, {"object": "image_generation", "job": call.render_job(job)})


def create_video_generation(call: Call) -> Reply:
    call.require_access("video_generation")
    body = BodyReader.by_schema("createVideoGeneration", call.body)
    aspect = body.value("aspect_ratio", "9:16")
    seconds = int(body.value("duration", 5))
    resolution = body.value("resolution", "720p")
    body.done()
    call.charge(call.cost("video_generation"))
    size = _frame(aspect, 480 if resolution == "480p" else 720)

    def build(job_id: str) -> tuple[dict[str, Any], str | None]:
        output = _video_output(job_id, "video", size, float(seconds))
        return {"outputs": [output]}, output["url"]

    job = call.new_job("video_generation", build, cost=call.cost("video_generation"))
    return Reply(202, {"object": "video_generation", "job": call.render_job(job), "job_id": job.id})


def create_ads_video(call: Call) -> Reply:
    call.require_access("ads_video")
    body = BodyReader.by_schema("createAdsVideo", call.body)
    avatar_id = body.value("avatar_id")
    script = body.value("script")
    style = body.value("style", "talking_head")
    aspect = body.value("aspect_ratio", "9:16")
    if avatar_id is not None:
        avatar = avatar_by_id(avatar_id)
        capability = "talking_head" if style == "talking_head" else "ugc_ad"
        if avatar is None:
            body.fail("avatar_id", "unknown avatar")
        elif not avatar["capabilities"][capability]:
            body.fail("avatar_id", f"avatar does not support {style} ads")
    body.done()
    call.charge(call.cost("ads_video"))
    seconds = round(min(60.0, max(5.0, len((script or "").split()) / 2.5)), 1)
    size = _frame(aspect, 1080)

    def build(job_id: str) -> tuple[dict[str, Any], str | None]:
        output = _video_output(job_id, "ad", size, seconds)
        return {"outputs": [output], "style": style, "avatar_id": avatar_id}, output["url"]

    job = call.new_job("ads_video", build, cost=call.cost("ads_video"))
    return Reply(202, {"object": "ads_video", "job": call.render_job(job), "job_id": job.id})


def create_face_swap(call: Call) -> Reply:
    """One job per avatar; the first is the primary ``job_id``. Charged per avatar, all or nothing."""
    call.require_access("face_swap")
    body = BodyReader.by_schema("createFaceSwap", call.body)
    media_url = body.value("media_url")
    avatar_ids: list[str] = body.value("avatar_ids", [])
    for avatar_id in avatar_ids:
        avatar = avatar_by_id(avatar_id)
        if avatar is None or not avatar["capabilities"]["face_swap"]:
            body.fail("avatar_ids", f"unknown or non-face-swap avatar: {avatar_id[:40]}")
    incomplete = False
    if media_url is not None:
        upload = next((u for u in call.runtime.store.uploads.values() if u.media_url == media_url), None)
        if upload is None or upload.workspace_id != call.workspace.id:
            body.fail("media_url", "must be the media_url of an upload in this workspace")
        elif upload.purpose != "face_swap_source_video":
            body.fail("media_url", "upload purpose must be face_swap_source_video")
        else:
            incomplete = not upload.complete
    body.done()
    if incomplete:
        raise ApiError(409, "upload_incomplete", "The source video has not been fully uploaded.")
    each = call.cost("face_swap")
    call.charge(each * len(avatar_ids))
    jobs = []
    for avatar_id in avatar_ids:

        def build(job_id: str, avatar_id: str = avatar_id) -> tuple[dict[str, Any], str | None]:
            output = _video_output(job_id, "face_swap", (720, 1280), FACE_SWAP_OUTPUT_SECONDS)
            return {"outputs": [output], "avatar_id": avatar_id}, output["url"]

        request = {**call.body, "avatar_ids": [avatar_id]}
        jobs.append(call.new_job("face_swap", build, cost=each, request=request))
    return Reply(
        202,
        {
            "object": "face_swap",
            "jobs": [call.render_job(job) for job in jobs],
            "job_ids": [job.id for job in jobs],
            "job_id": jobs[0].id,
        },
    )


def _platform(url: str) -> str | None:
    """``tiktok`` or ``instagram`` for a public TikTok video or Instagram Reel URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "tiktok.com" or host.endswith(".tiktok.com"):
        return "tiktok"
    if (host == "instagram.com" or host.endswith(".instagram.com")) and "/reel" in parts.path:
        return "instagram"
    return None


def create_reference_analysis(call: Call) -> Reply:
    call.require_access("reference_analysis")
    body = BodyReader.by_schema("createReferenceAnalysis", call.body)
    url = body.value("url")
    if url is not None and _platform(url) is None:
        body.fail("url", "must be a public TikTok video or Instagram Reel URL")
    body.done()
    assert url is not None  # done() raised otherwise
    cost = call.cost("reference_analysis")
    call.charge(cost)
    platform = _platform(url)

    def build(job_id: str) -> tuple[dict[str, Any], str | None]:
        analysis = {
            "platform": platform,
            "source_url": url,
            "duration_seconds": 21.5,
            "format": "ugc_talking_head",
            "hook": "Creator asks a question straight to camera in the first two seconds.",
            "scenes": [
                {"start_seconds": 0.0, "end_seconds": 2.0, "description": "Direct-to-camera hook question."},
                {"start_seconds": 2.0, "end_seconds": 14.0, "description": "Product demo with close-ups."},
                {"start_seconds": 14.0, "end_seconds": 21.5, "description": "Result shot and call to action."},
            ],
            "cta": "Link in bio",
            "suggested_script": "Ever wondered why ...? Here's what changed for me ...",
        }
        return {"analysis": analysis}, None

    job = call.new_job("reference_analysis", build, cost=cost)
    return Reply(
        202,
        {"object": "reference_analysis", "job": call.render_job(job), "job_id": job.id, "required_credits": cost},
    )
