"""Async-first Python SDK for the Sume Public API.

from sume_async import AsyncSume

async with AsyncSume() as sume:          # key from SUME_API_KEY
    job = await sume.images.generate(prompt="A red bicycle at dawn")
    done = await sume.jobs.wait(job)
    result = await sume.jobs.result(done)
"""

from typing import TYPE_CHECKING

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
    ConfigurationError,
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
    PaginationLoopError,
    PermissionDeniedError,
    RateLimitError,
    ResponseMismatchError,
    SumeError,
    UnprocessableEntityError,
    UploadError,
)
from ._options import NOT_GIVEN, NotGiven, RequestOptions
from ._pagination import AsyncPager, Page
from ._response import RawResponse
from ._retries import RetryPolicy
from ._version import __version__
from ._waiting import JobStream, PollPolicy, Timeout

if TYPE_CHECKING:
    from ._doctor import DoctorReport as DoctorReport
    from ._doctor import doctor as doctor
    from ._generated.literals import AdsVideoStyleValue as AdsVideoStyleValue
    from ._generated.literals import JobStatusValue as JobStatusValue
    from ._generated.literals import JobTypeValue as JobTypeValue
    from ._generated.literals import UploadPurposeValue as UploadPurposeValue
    from ._generated.literals import VideoResolutionValue as VideoResolutionValue
    from ._generated.models import Account as Account
    from ._generated.models import AccountUser as AccountUser
    from ._generated.models import AdsVideoStyle as AdsVideoStyle
    from ._generated.models import ApiKeyInfo as ApiKeyInfo
    from ._generated.models import Asset as Asset
    from ._generated.models import AssetMetadata as AssetMetadata
    from ._generated.models import AssetSearch as AssetSearch
    from ._generated.models import Avatar as Avatar
    from ._generated.models import AvatarCapabilities as AvatarCapabilities
    from ._generated.models import AvatarVisibility as AvatarVisibility
    from ._generated.models import Brand as Brand
    from ._generated.models import BrandImage as BrandImage
    from ._generated.models import Credits as Credits
    from ._generated.models import GetAssetSearchMode as GetAssetSearchMode
    from ._generated.models import Job as Job
    from ._generated.models import JobErrorInfo as JobErrorInfo
    from ._generated.models import JobOutput as JobOutput
    from ._generated.models import JobResult as JobResult
    from ._generated.models import JobStatus as JobStatus
    from ._generated.models import JobType as JobType
    from ._generated.models import JobWithResult as JobWithResult
    from ._generated.models import Upload as Upload
    from ._generated.models import UploadPurpose as UploadPurpose
    from ._generated.models import VideoResolution as VideoResolution
    from ._generated.models import Workspace as Workspace
    from ._raw_views import AsyncSumeWithRawResponse as AsyncSumeWithRawResponse
    from ._upload_source import AsyncReadable as AsyncReadable
    from .resources.assets import AssetFilters as AssetFilters
    from .resources.uploads import UploadedFile as UploadedFile

#: Exported names loaded on first use (PEP 562): the models, and what pulls in the resources.
_LAZY = {
    "Account": "sume_async._generated.models",
    "AccountUser": "sume_async._generated.models",
    "AdsVideoStyle": "sume_async._generated.models",
    "ApiKeyInfo": "sume_async._generated.models",
    "Asset": "sume_async._generated.models",
    "AssetMetadata": "sume_async._generated.models",
    "AssetSearch": "sume_async._generated.models",
    "Avatar": "sume_async._generated.models",
    "AvatarCapabilities": "sume_async._generated.models",
    "AvatarVisibility": "sume_async._generated.models",
    "Brand": "sume_async._generated.models",
    "BrandImage": "sume_async._generated.models",
    "Credits": "sume_async._generated.models",
    "GetAssetSearchMode": "sume_async._generated.models",
    "Job": "sume_async._generated.models",
    "JobErrorInfo": "sume_async._generated.models",
    "JobOutput": "sume_async._generated.models",
    "JobResult": "sume_async._generated.models",
    "JobStatus": "sume_async._generated.models",
    "JobType": "sume_async._generated.models",
    "JobWithResult": "sume_async._generated.models",
    "Upload": "sume_async._generated.models",
    "UploadPurpose": "sume_async._generated.models",
    "VideoResolution": "sume_async._generated.models",
    "Workspace": "sume_async._generated.models",
    "UploadedFile": "sume_async.resources.uploads",
    "AssetFilters": "sume_async.resources.assets",
    "AsyncReadable": "sume_async._upload_source",
    "DoctorReport": "sume_async._doctor",
    "doctor": "sume_async._doctor",
    "AsyncSumeWithRawResponse": "sume_async._raw_views",
    "AdsVideoStyleValue": "sume_async._generated.literals",
    "JobStatusValue": "sume_async._generated.literals",
    "JobTypeValue": "sume_async._generated.literals",
    "UploadPurposeValue": "sume_async._generated.literals",
    "VideoResolutionValue": "sume_async._generated.literals",
}


if not TYPE_CHECKING:  # type checkers see the imports above; a misspelt name stays an error for them

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AccountUser",
    "AdsVideoStyle",
    "AdsVideoStyleValue",
    "ApiKeyInfo",
    "Asset",
    "AssetFilters",
    "AssetMetadata",
    "AssetSearch",
    "AsyncPager",
    "AsyncReadable",
    "AsyncSume",
    "AsyncSumeWithRawResponse",
    "AuthenticationError",
    "Avatar",
    "AvatarCapabilities",
    "AvatarVisibility",
    "BadRequestError",
    "Brand",
    "BrandImage",
    "ClientClosedError",
    "ClusterError",
    "ConfigurationError",
    "ConflictError",
    "Credits",
    "DoctorReport",
    "DownloadError",
    "EventLoopError",
    "GetAssetSearchMode",
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
    "JobStatusValue",
    "JobStream",
    "JobTimeoutError",
    "JobType",
    "JobTypeValue",
    "JobWithResult",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PaginationLoopError",
    "PermissionDeniedError",
    "PollPolicy",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
    "ResponseMismatchError",
    "RetryPolicy",
    "SumeError",
    "Timeout",
    "UnprocessableEntityError",
    "Upload",
    "UploadError",
    "UploadPurpose",
    "UploadPurposeValue",
    "UploadedFile",
    "VideoResolution",
    "VideoResolutionValue",
    "Workspace",
    "__version__",
    "doctor",
]
