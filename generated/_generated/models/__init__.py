"""Contains all the data models used in inputs/outputs

Models load lazily (PEP 562): ``from sume_async._generated.models import Job`` imports only
``models/job.py`` and what it needs, not every model of the API. Type checkers see the
eager imports under ``TYPE_CHECKING``.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .account import Account
    from .account_user import AccountUser
    from .ads_video_request import AdsVideoRequest
    from .ads_video_response import AdsVideoResponse
    from .ads_video_style import AdsVideoStyle
    from .api_key_info import ApiKeyInfo
    from .asset import Asset
    from .asset_list import AssetList
    from .asset_metadata import AssetMetadata
    from .asset_search import AssetSearch
    from .asset_upload_response import AssetUploadResponse
    from .avatar import Avatar
    from .avatar_capabilities import AvatarCapabilities
    from .avatar_list import AvatarList
    from .avatar_visibility import AvatarVisibility
    from .brand import Brand
    from .brand_image import BrandImage
    from .brand_list import BrandList
    from .create_asset_request import CreateAssetRequest
    from .credits_ import Credits
    from .error_body import ErrorBody
    from .error_body_details import ErrorBodyDetails
    from .error_envelope import ErrorEnvelope
    from .face_swap_request import FaceSwapRequest
    from .face_swap_response import FaceSwapResponse
    from .get_asset_search_mode import GetAssetSearchMode
    from .image_generation_request import ImageGenerationRequest
    from .image_generation_response import ImageGenerationResponse
    from .job import Job
    from .job_error_info import JobErrorInfo
    from .job_list import JobList
    from .job_output import JobOutput
    from .job_result import JobResult
    from .job_status import JobStatus
    from .job_type import JobType
    from .job_with_result import JobWithResult
    from .list_assets_search_mode import ListAssetsSearchMode
    from .list_assets_sort import ListAssetsSort
    from .reference_analysis_request import ReferenceAnalysisRequest
    from .reference_analysis_response import ReferenceAnalysisResponse
    from .upload import Upload
    from .upload_presign_request import UploadPresignRequest
    from .upload_purpose import UploadPurpose
    from .upload_required_headers import UploadRequiredHeaders
    from .video_generation_request import VideoGenerationRequest
    from .video_generation_response import VideoGenerationResponse
    from .video_resolution import VideoResolution
    from .workspace import Workspace

__all__ = (
    "Account",
    "AccountUser",
    "AdsVideoRequest",
    "AdsVideoResponse",
    "AdsVideoStyle",
    "ApiKeyInfo",
    "Asset",
    "AssetList",
    "AssetMetadata",
    "AssetSearch",
    "AssetUploadResponse",
    "Avatar",
    "AvatarCapabilities",
    "AvatarList",
    "AvatarVisibility",
    "Brand",
    "BrandImage",
    "BrandList",
    "CreateAssetRequest",
    "Credits",
    "ErrorBody",
    "ErrorBodyDetails",
    "ErrorEnvelope",
    "FaceSwapRequest",
    "FaceSwapResponse",
    "GetAssetSearchMode",
    "ImageGenerationRequest",
    "ImageGenerationResponse",
    "Job",
    "JobErrorInfo",
    "JobList",
    "JobOutput",
    "JobResult",
    "JobStatus",
    "JobType",
    "JobWithResult",
    "ListAssetsSearchMode",
    "ListAssetsSort",
    "ReferenceAnalysisRequest",
    "ReferenceAnalysisResponse",
    "Upload",
    "UploadPresignRequest",
    "UploadPurpose",
    "UploadRequiredHeaders",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "VideoResolution",
    "Workspace",
)

# Class name -> module in this package that defines it.
_MODULES = {
    "Account": ".account",
    "AccountUser": ".account_user",
    "AdsVideoRequest": ".ads_video_request",
    "AdsVideoResponse": ".ads_video_response",
    "AdsVideoStyle": ".ads_video_style",
    "ApiKeyInfo": ".api_key_info",
    "Asset": ".asset",
    "AssetList": ".asset_list",
    "AssetMetadata": ".asset_metadata",
    "AssetSearch": ".asset_search",
    "AssetUploadResponse": ".asset_upload_response",
    "Avatar": ".avatar",
    "AvatarCapabilities": ".avatar_capabilities",
    "AvatarList": ".avatar_list",
    "AvatarVisibility": ".avatar_visibility",
    "Brand": ".brand",
    "BrandImage": ".brand_image",
    "BrandList": ".brand_list",
    "CreateAssetRequest": ".create_asset_request",
    "Credits": ".credits_",
    "ErrorBody": ".error_body",
    "ErrorBodyDetails": ".error_body_details",
    "ErrorEnvelope": ".error_envelope",
    "FaceSwapRequest": ".face_swap_request",
    "FaceSwapResponse": ".face_swap_response",
    "GetAssetSearchMode": ".get_asset_search_mode",
    "ImageGenerationRequest": ".image_generation_request",
    "ImageGenerationResponse": ".image_generation_response",
    "Job": ".job",
    "JobErrorInfo": ".job_error_info",
    "JobList": ".job_list",
    "JobOutput": ".job_output",
    "JobResult": ".job_result",
    "JobStatus": ".job_status",
    "JobType": ".job_type",
    "JobWithResult": ".job_with_result",
    "ListAssetsSearchMode": ".list_assets_search_mode",
    "ListAssetsSort": ".list_assets_sort",
    "ReferenceAnalysisRequest": ".reference_analysis_request",
    "ReferenceAnalysisResponse": ".reference_analysis_response",
    "Upload": ".upload",
    "UploadPresignRequest": ".upload_presign_request",
    "UploadPurpose": ".upload_purpose",
    "UploadRequiredHeaders": ".upload_required_headers",
    "VideoGenerationRequest": ".video_generation_request",
    "VideoGenerationResponse": ".video_generation_response",
    "VideoResolution": ".video_resolution",
    "Workspace": ".workspace",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
