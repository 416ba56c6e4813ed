"""The create endpoints: images, videos, ad videos, Face Swap, Reference Analysis.

Each create sends an ``Idempotency-Key`` — the caller's, or a fresh UUID — that stays
the same across the call's retries, so a retried request never pays for a second job.
Whatever shape the server answers with (``job``, ``job_id`` or both; for Face Swap
``jobs`` and/or ``job_ids``), the caller gets :class:`Job` objects back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from .. import _rules as rules
from .._endpoint_caller import EndpointCaller
from .._errors import APIResponseValidationError
from .._generated.api.generation import (
    create_ads_video,
    create_face_swap,
    create_image_generation,
    create_reference_analysis,
    create_video_generation,
)
from .._generated.literals import AdsVideoStyleValue, VideoResolutionValue
from .._generated.models import (
    AdsVideoRequest,
    AdsVideoResponse,
    AdsVideoStyle,
    FaceSwapRequest,
    FaceSwapResponse,
    ImageGenerationRequest,
    ImageGenerationResponse,
    Job,
    JobStatus,
    JobType,
    ReferenceAnalysisRequest,
    ReferenceAnalysisResponse,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoResolution,
)
from .._options import RequestOptions
from ._common import create, create_job, server_id, server_ids


class Images:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def generate(
        self,
        *,
        prompt: str,
        aspect_ratio: str | None = None,
        image_count: int | None = None,
        reference_image_urls: Sequence[str] | None = None,
        resolution: str | None = None,
        quality: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Job:
        """Start an image generation job (spends credits). Await it with ``jobs.wait``."""
        body = ImageGenerationRequest.from_dict(
            rules.check_body(
                "createImageGeneration",
                {
                    "prompt": prompt,
                    "aspect_ratio": aspect_ratio,
                    "image_count": image_count,
                    "reference_image_urls": reference_image_urls,
                    "resolution": resolution,
                    "quality": quality,
                },
            )
        )
        return await create_job(
            self._caller,
            create_image_generation.asyncio_detailed,
            ImageGenerationResponse,
            body,
            idempotency_key,
            JobType.IMAGE_GENERATION,
            options,
        )


class Videos:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def generate(
        self,
        *,
        prompt: str,
        aspect_ratio: str | None = None,
        duration: int | None = None,
        resolution: VideoResolution | VideoResolutionValue | None = None,
        generate_audio: bool | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Job:
        """Start a video generation job (spends credits): ``duration`` 4–15 s, ``480p``/``720p``."""
        body = VideoGenerationRequest.from_dict(
            rules.check_body(
                "createVideoGeneration",
                {
                    "prompt": prompt,
                    "aspect_ratio": aspect_ratio,
                    "duration": duration,
                    "resolution": resolution,
                    "generate_audio": generate_audio,
                },
            )
        )
        return await create_job(
            self._caller,
            create_video_generation.asyncio_detailed,
            VideoGenerationResponse,
            body,
            idempotency_key,
            JobType.VIDEO_GENERATION,
            options,
        )


class AdsVideos:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def create(
        self,
        *,
        avatar_id: str,
        script: str,
        style: AdsVideoStyle | AdsVideoStyleValue | None = None,
        aspect_ratio: str | None = None,
        reference_image_urls: Sequence[str] | None = None,
        product_image_url: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Job:
        """Start a talking-head (default) or UGC (``style="ugc"``) ad video job."""
        body = AdsVideoRequest.from_dict(
            rules.check_body(
                "createAdsVideo",
                {
                    "avatar_id": avatar_id,
                    "script": script,
                    "style": style,
                    "aspect_ratio": aspect_ratio,
                    "reference_image_urls": reference_image_urls,
                    "product_image_url": product_image_url,
                },
            )
        )
        return await create_job(
            self._caller,
            create_ads_video.asyncio_detailed,
            AdsVideoResponse,
            body,
            idempotency_key,
            JobType.ADS_VIDEO,
            options,
        )


class Ads:
    """``sume.ads.videos.create(...)``."""

    def __init__(self, caller: EndpointCaller) -> None:
        self.videos = AdsVideos(caller)


class FaceSwap:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def create(
        self,
        *,
        media_url: str,
        avatar_ids: Sequence[str],
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> list[Job]:
        """Start one Face Swap job per avatar on a video uploaded with purpose ``face_swap_source_video``.

        The first job is the primary one.
        """
        body = FaceSwapRequest.from_dict(
            rules.check_body("createFaceSwap", {"media_url": media_url, "avatar_ids": _listed(avatar_ids)})
        )
        response = await create(
            self._caller, create_face_swap.asyncio_detailed, FaceSwapResponse, body, idempotency_key, options
        )
        return _face_swap_jobs(response)


def _listed(values: Sequence[str] | None) -> list[str] | Sequence[str] | None:
    """A sequence other than a string as a list (a string is not a list of its characters)."""
    return list(values) if isinstance(values, Sequence) and not isinstance(values, str | bytes) else values


def _face_swap_jobs(response: FaceSwapResponse) -> list[Job]:
    if response.jobs is not None and not isinstance(response.jobs, list):
        raise APIResponseValidationError("Sume returned `jobs` that is not a list")
    jobs = list(response.jobs or ())
    known = {server_id(f"jobs[{i}].id", job.id) for i, job in enumerate(jobs)}
    ids = server_ids("job_ids", response.job_ids)
    primary = None if response.job_id is None else server_id("job_id", response.job_id)
    if primary is not None and primary not in ids:
        ids.insert(0, primary)
    for job_id in ids:
        if job_id not in known:
            jobs.append(Job(id=job_id, status=JobStatus.QUEUED, type_=JobType.FACE_SWAP))
            known.add(job_id)
    if not jobs:
        raise APIResponseValidationError("The Face Swap response carries no jobs")
    if primary is not None:  # the primary job first
        jobs.sort(key=lambda job: job.id != primary)
    return jobs


class ReferenceAnalysis:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def create(self, *, url: str, idempotency_key: str | None = None, **options: Unpack[RequestOptions]) -> Job:
        """Analyze a public TikTok or Instagram Reel (an https URL)."""
        body = ReferenceAnalysisRequest.from_dict(rules.check_body("createReferenceAnalysis", {"url": url}))
        return await create_job(
            self._caller,
            create_reference_analysis.asyncio_detailed,
            ReferenceAnalysisResponse,
            body,
            idempotency_key,
            JobType.REFERENCE_ANALYSIS,
            options,
        )
