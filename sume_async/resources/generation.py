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
    """Image generation: ``sume.images``."""

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
        """Start an image generation job; await it with :meth:`Jobs.wait`.

        Spends credits (the job's cost, charged by the API once per idempotency key).

        Args:
            prompt: What to draw: non-empty text.
            aspect_ratio: ``width:height`` in whole numbers, such as ``1:1``, ``4:5`` or ``9:16`` (default: the
                server's).
            image_count: Images to make, 1 to 10 (default: the server's, 1).
            reference_image_urls: Up to 100 https URLs of images to follow (a brand's ``images[].reference_url``
                work).
            resolution: Output resolution, as the API names it (at most 20 characters; default: the server's).
            quality: Output quality, as the API names it (at most 20 characters; default: the server's).
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The new job, ``queued`` (or further along): pass it to :meth:`Jobs.wait`.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            InsufficientCreditsError: Not enough credits for the job (402).
            PermissionDeniedError: The plan does not include this feature (403).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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
    """Video generation: ``sume.videos``."""

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
        """Start a video generation job; await it with :meth:`Jobs.wait`.

        Spends credits (the job's cost, charged by the API once per idempotency key).

        Args:
            prompt: What to film: non-empty text.
            aspect_ratio: ``width:height`` in whole numbers, such as ``9:16`` (default: the server's).
            duration: Length in seconds, 4 to 15 (default: the server's).
            resolution: ``"480p"`` or ``"720p"`` (:class:`~sume_async.VideoResolution`; default: the server's).
            generate_audio: Whether the video gets a soundtrack (default: the server's).
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The new job, ``queued`` (or further along): pass it to :meth:`Jobs.wait`.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            InsufficientCreditsError: Not enough credits for the job (402).
            PermissionDeniedError: The plan does not include this feature (403).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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
    """AI ad videos: ``sume.ads.videos``."""

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
        """Start a talking-head (default) or UGC ad video job; await it with :meth:`Jobs.wait`.

        Spends credits (the job's cost, charged by the API once per idempotency key).

        Args:
            avatar_id: The presenter: an avatar's id (``sume.avatars.list()``).
            script: What the avatar says: non-empty text.
            style: ``"talking_head"`` or ``"ugc"`` (:class:`~sume_async.AdsVideoStyle`; default: ``talking_head``).
            aspect_ratio: ``width:height`` in whole numbers, such as ``9:16`` (default: the server's).
            reference_image_urls: Up to 100 https URLs of images to follow (a brand's ``images[].reference_url``
                work).
            product_image_url: An https URL of the product to show.
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The new job, ``queued`` (or further along): pass it to :meth:`Jobs.wait`.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            InsufficientCreditsError: Not enough credits for the job (402).
            PermissionDeniedError: The plan does not include this feature (403).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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
    """AI ads: ``sume.ads``; its ``videos`` are :class:`AdsVideos`."""

    def __init__(self, caller: EndpointCaller) -> None:
        self.videos: AdsVideos = AdsVideos(caller)


class FaceSwap:
    """Face Swap: ``sume.face_swap``."""

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

        Spends credits (each job's cost, charged by the API once per idempotency key).

        Args:
            media_url: The ``media_url`` of that upload (:meth:`Uploads.upload`); a secret, never logged.
            avatar_ids: The faces to swap in: 1 to 10 avatar ids, one job each.
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The jobs, one per avatar; the first is the primary one.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            InsufficientCreditsError: Not enough credits for the job (402).
            PermissionDeniedError: The plan does not include this feature (403).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
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
    """Reference analysis of a public short video: ``sume.reference_analysis``."""

    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def create(self, *, url: str, idempotency_key: str | None = None, **options: Unpack[RequestOptions]) -> Job:
        """Analyze a public TikTok or Instagram Reel; await the job with :meth:`Jobs.wait`.

        Spends credits (the job's cost, charged by the API once per idempotency key).

        Args:
            url: The Reel's public https URL.
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The new job, ``queued`` (or further along): pass it to :meth:`Jobs.wait`.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            InsufficientCreditsError: Not enough credits for the job (402).
            PermissionDeniedError: The plan does not include this feature (403).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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
