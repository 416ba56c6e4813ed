"""Async-first Python SDK for the Sume Public API.

from sume_async import AsyncSume

async with AsyncSume() as sume:          # key from SUME_API_KEY
    job = await sume.images.generate(prompt="A red bicycle at dawn")
    done = await sume.jobs.wait(job)
    result = await sume.jobs.result(done)
"""

from sume_api_client.models import (
    Account,
    AccountUser,
    AdsVideoStyle,
    ApiKeyInfo,
    Asset,
    AssetMetadata,
    AssetSearch,
    Avatar,
    AvatarCapabilities,
    AvatarVisibility,
    Brand,
    BrandImage,
    Credits,
    Job,
    JobErrorInfo,
    JobOutput,
    JobResult,
    JobStatus,
    JobType,
    JobWithResult,
    Upload,
    UploadPurpose,
    VideoResolution,
    Workspace,
)

from ._client import AsyncSume
from ._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClusterError,
    ConflictError,
    DownloadError,
    EventLoopError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidInputError,
    JobError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SumeError,
    UnprocessableEntityError,
    UploadError,
)
from ._options import RequestOptions
from ._pagination import AsyncPager, Page
from ._response import RawResponse
from ._retries import RetryPolicy
from ._version import __version__
from ._waiting import PollPolicy
from .resources.uploads import UploadedFile

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AccountUser",
    "AdsVideoStyle",
    "ApiKeyInfo",
    "Asset",
    "AssetMetadata",
    "AssetSearch",
    "AsyncPager",
    "AsyncSume",
    "AuthenticationError",
    "Avatar",
    "AvatarCapabilities",
    "AvatarVisibility",
    "BadRequestError",
    "Brand",
    "BrandImage",
    "ClientClosedError",
    "ClusterError",
    "ConflictError",
    "Credits",
    "DownloadError",
    "EventLoopError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidInputError",
    "Job",
    "JobError",
    "JobErrorInfo",
    "JobFailedError",
    "JobOutput",
    "JobResult",
    "JobStatus",
    "JobTimeoutError",
    "JobType",
    "JobWithResult",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "PollPolicy",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "RetryPolicy",
    "SumeError",
    "UnprocessableEntityError",
    "Upload",
    "UploadError",
    "UploadPurpose",
    "UploadedFile",
    "VideoResolution",
    "Workspace",
    "__version__",
]
