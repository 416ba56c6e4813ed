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
from ._options import NOT_GIVEN, NotGiven, RequestOptions
from ._pagination import AsyncPager, Page
from ._response import RawResponse
from ._retries import RetryPolicy
from ._version import __version__
from ._waiting import JobStream, PollPolicy, Timeout

if TYPE_CHECKING:
    from sume_api_client.literals import AdsVideoStyleValue as AdsVideoStyleValue
    from sume_api_client.literals import JobStatusValue as JobStatusValue
    from sume_api_client.literals import JobTypeValue as JobTypeValue
    from sume_api_client.literals import UploadPurposeValue as UploadPurposeValue
    from sume_api_client.literals import VideoResolutionValue as VideoResolutionValue
    from sume_api_client.models import Account as Account
    from sume_api_client.models import AccountUser as AccountUser
    from sume_api_client.models import AdsVideoStyle as AdsVideoStyle
    from sume_api_client.models import ApiKeyInfo as ApiKeyInfo
    from sume_api_client.models import Asset as Asset
    from sume_api_client.models import AssetMetadata as AssetMetadata
    from sume_api_client.models import AssetSearch as AssetSearch
    from sume_api_client.models import Avatar as Avatar
    from sume_api_client.models import AvatarCapabilities as AvatarCapabilities
    from sume_api_client.models import AvatarVisibility as AvatarVisibility
    from sume_api_client.models import Brand as Brand
    from sume_api_client.models import BrandImage as BrandImage
    from sume_api_client.models import Credits as Credits
    from sume_api_client.models import GetAssetSearchMode as GetAssetSearchMode
    from sume_api_client.models import Job as Job
    from sume_api_client.models import JobErrorInfo as JobErrorInfo
    from sume_api_client.models import JobOutput as JobOutput
    from sume_api_client.models import JobResult as JobResult
    from sume_api_client.models import JobStatus as JobStatus
    from sume_api_client.models import JobType as JobType
    from sume_api_client.models import JobWithResult as JobWithResult
    from sume_api_client.models import ListAssetsSearchMode as ListAssetsSearchMode
    from sume_api_client.models import ListAssetsSort as ListAssetsSort
    from sume_api_client.models import Upload as Upload
    from sume_api_client.models import UploadPurpose as UploadPurpose
    from sume_api_client.models import VideoResolution as VideoResolution
    from sume_api_client.models import Workspace as Workspace

    from ._raw_views import AsyncSumeWithRawResponse as AsyncSumeWithRawResponse
    from .resources.uploads import UploadedFile as UploadedFile

#: Exported names loaded on first use (PEP 562): the models, and what pulls in the resources.
_LAZY = {
    "Account": "sume_api_client.models",
    "AccountUser": "sume_api_client.models",
    "AdsVideoStyle": "sume_api_client.models",
    "ApiKeyInfo": "sume_api_client.models",
    "Asset": "sume_api_client.models",
    "AssetMetadata": "sume_api_client.models",
    "AssetSearch": "sume_api_client.models",
    "Avatar": "sume_api_client.models",
    "AvatarCapabilities": "sume_api_client.models",
    "AvatarVisibility": "sume_api_client.models",
    "Brand": "sume_api_client.models",
    "BrandImage": "sume_api_client.models",
    "Credits": "sume_api_client.models",
    "GetAssetSearchMode": "sume_api_client.models",
    "Job": "sume_api_client.models",
    "JobErrorInfo": "sume_api_client.models",
    "JobOutput": "sume_api_client.models",
    "JobResult": "sume_api_client.models",
    "JobStatus": "sume_api_client.models",
    "JobType": "sume_api_client.models",
    "JobWithResult": "sume_api_client.models",
    "ListAssetsSearchMode": "sume_api_client.models",
    "ListAssetsSort": "sume_api_client.models",
    "Upload": "sume_api_client.models",
    "UploadPurpose": "sume_api_client.models",
    "VideoResolution": "sume_api_client.models",
    "Workspace": "sume_api_client.models",
    "UploadedFile": "sume_async.resources.uploads",
    "AsyncSumeWithRawResponse": "sume_async._raw_views",
    "AdsVideoStyleValue": "sume_api_client.literals",
    "JobStatusValue": "sume_api_client.literals",
    "JobTypeValue": "sume_api_client.literals",
    "UploadPurposeValue": "sume_api_client.literals",
    "VideoResolutionValue": "sume_api_client.literals",
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
    "AssetMetadata",
    "AssetSearch",
    "AsyncPager",
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
    "ConflictError",
    "Credits",
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
    "ListAssetsSearchMode",
    "ListAssetsSort",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "PollPolicy",
    "RateLimitError",
    "RawResponse",
    "RequestOptions",
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
]
