"""The allowed values of each string enum of the schema, as ``Literal`` types (generated)."""

from typing import Literal

AdsVideoStyleValue = Literal["talking_head", "ugc"]

AvatarVisibilityValue = Literal["public", "workspace"]

GetAssetSearchModeValue = Literal["auto", "text"]

JobStatusValue = Literal["queued", "running", "processing", "completed", "failed", "canceled", "expired"]

JobTypeValue = Literal[
    "image_generation", "video_generation", "ads_video", "face_swap", "reference_analysis", "asset_ingest"
]

ListAssetsSearchModeValue = Literal["auto", "text"]

ListAssetsSortValue = Literal["relevance", "created_at_desc", "created_at_asc", "duration_desc"]

UploadPurposeValue = Literal["asset_library_video", "face_swap_source_video"]

VideoResolutionValue = Literal["480p", "720p"]

__all__ = [
    "AdsVideoStyleValue",
    "AvatarVisibilityValue",
    "GetAssetSearchModeValue",
    "JobStatusValue",
    "JobTypeValue",
    "ListAssetsSearchModeValue",
    "ListAssetsSortValue",
    "UploadPurposeValue",
    "VideoResolutionValue",
]
