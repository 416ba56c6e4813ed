"""Contains all the data models used in inputs/outputs"""

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
from .job_error import JobError
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
    "JobError",
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
