"""The allowed values of each string enum of the schema, as ``Literal`` types (generated)."""

from typing import Literal

AdsVideoStyleValue = Literal["talking_head", "ugc"]

AvatarVisibilityValue = Literal["public", "workspace"]

JobStatusValue = Literal["queued", "running", "processing", "completed", "failed", "canceled", "expired"]

JobTypeValue = Literal[
    "image_generation", "video_generation", "ads_video", "face_swap", "reference_analysis", "asset_ingest"
]

UploadPurposeValue = Literal["asset_library_video", "face_swap_source_video"]

VideoResolutionValue = Literal["480p", "720p"]

__all__ = [
    "AdsVideoStyleValue",
    "AvatarVisibilityValue",
    "JobStatusValue",
    "JobTypeValue",
    "UploadPurposeValue",
    "VideoResolutionValue",
]
