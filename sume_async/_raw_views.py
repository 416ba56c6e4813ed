"""``sume.with_raw_response``: every single-request call, returning a :class:`RawResponse`.

The views mirror the client's resources (``sume.with_raw_response.jobs.get`` takes what
``sume.jobs.get`` takes). Calls that send several requests (uploads, waits, pagers) are
not here: they have no one response to return.
"""

from __future__ import annotations

from typing import Protocol

from ._response import to_raw_response
from .resources.account import Account, Credits
from .resources.assets import Assets
from .resources.avatars import Avatars
from .resources.brand import Brand
from .resources.generation import Ads, AdsVideos, FaceSwap, Images, ReferenceAnalysis, Videos
from .resources.jobs import Jobs
from .resources.uploads import Uploads


class _Resources(Protocol):
    """What the views wrap: the resources of an ``AsyncSume`` (read-only: built on first use)."""

    @property
    def account(self) -> Account: ...
    @property
    def credits(self) -> Credits: ...
    @property
    def brand(self) -> Brand: ...
    @property
    def avatars(self) -> Avatars: ...
    @property
    def jobs(self) -> Jobs: ...
    @property
    def images(self) -> Images: ...
    @property
    def videos(self) -> Videos: ...
    @property
    def ads(self) -> Ads: ...
    @property
    def face_swap(self) -> FaceSwap: ...
    @property
    def reference_analysis(self) -> ReferenceAnalysis: ...
    @property
    def uploads(self) -> Uploads: ...
    @property
    def assets(self) -> Assets: ...


class AccountWithRawResponse:
    def __init__(self, account: Account) -> None:
        self.me = to_raw_response(account.me)


class CreditsWithRawResponse:
    def __init__(self, credits: Credits) -> None:
        self.get = to_raw_response(credits.get)


class BrandWithRawResponse:
    def __init__(self, brand: Brand) -> None:
        self.current = to_raw_response(brand.current)


class AvatarsWithRawResponse:
    def __init__(self, avatars: Avatars) -> None:
        self.get = to_raw_response(avatars.get)


class JobsWithRawResponse:
    def __init__(self, jobs: Jobs) -> None:
        self.get = to_raw_response(jobs.get)
        self.result = to_raw_response(jobs.result)


class ImagesWithRawResponse:
    def __init__(self, images: Images) -> None:
        self.generate = to_raw_response(images.generate)


class VideosWithRawResponse:
    def __init__(self, videos: Videos) -> None:
        self.generate = to_raw_response(videos.generate)


class AdsVideosWithRawResponse:
    def __init__(self, videos: AdsVideos) -> None:
        self.create = to_raw_response(videos.create)


class AdsWithRawResponse:
    def __init__(self, videos: AdsVideos) -> None:
        self.videos = AdsVideosWithRawResponse(videos)


class FaceSwapWithRawResponse:
    def __init__(self, face_swap: FaceSwap) -> None:
        self.create = to_raw_response(face_swap.create)


class ReferenceAnalysisWithRawResponse:
    def __init__(self, reference_analysis: ReferenceAnalysis) -> None:
        self.create = to_raw_response(reference_analysis.create)


class UploadsWithRawResponse:
    def __init__(self, uploads: Uploads) -> None:
        self.presign = to_raw_response(uploads.presign)


class AssetsWithRawResponse:
    def __init__(self, assets: Assets) -> None:
        self.get = to_raw_response(assets.get)
        self.finalize = to_raw_response(assets.finalize)


class AsyncSumeWithRawResponse:
    """``sume.with_raw_response``: the client's single-request methods, each returning a
    :class:`~sume_async.RawResponse` (status, headers, ``request_id``, retries) around what the
    plain method returns. Built by the client; errors raise as from the plain call."""

    def __init__(self, client: _Resources) -> None:
        self.account: AccountWithRawResponse = AccountWithRawResponse(client.account)
        self.credits: CreditsWithRawResponse = CreditsWithRawResponse(client.credits)
        self.brand: BrandWithRawResponse = BrandWithRawResponse(client.brand)
        self.avatars: AvatarsWithRawResponse = AvatarsWithRawResponse(client.avatars)
        self.jobs: JobsWithRawResponse = JobsWithRawResponse(client.jobs)
        self.images: ImagesWithRawResponse = ImagesWithRawResponse(client.images)
        self.videos: VideosWithRawResponse = VideosWithRawResponse(client.videos)
        self.ads: AdsWithRawResponse = AdsWithRawResponse(client.ads.videos)
        self.face_swap: FaceSwapWithRawResponse = FaceSwapWithRawResponse(client.face_swap)
        self.reference_analysis: ReferenceAnalysisWithRawResponse = ReferenceAnalysisWithRawResponse(
            client.reference_analysis
        )
        self.uploads: UploadsWithRawResponse = UploadsWithRawResponse(client.uploads)
        self.assets: AssetsWithRawResponse = AssetsWithRawResponse(client.assets)
