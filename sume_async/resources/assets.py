"""The Asset Library: upload a video for ingest, then search and read its scenes."""

from __future__ import annotations

import datetime
from typing import Any, Unpack

from sume_api_client.api.assets import get_asset, list_assets
from sume_api_client.api.uploads import create_asset
from sume_api_client.literals import GetAssetSearchModeValue, ListAssetsSearchModeValue, ListAssetsSortValue
from sume_api_client.models import (
    Asset,
    AssetList,
    AssetUploadResponse,
    CreateAssetRequest,
    GetAssetSearchMode,
    Job,
    JobType,
    ListAssetsSearchMode,
    ListAssetsSort,
)

from .. import _rules as rules
from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._errors import InvalidInputError
from .._options import RequestOptions
from .._pagination import AsyncPager
from .._storage import ProgressCallback
from .._upload_source import Source
from ._common import create_job, derived_key, pager, unset
from .uploads import Uploads


def _mode(value: str | None) -> GetAssetSearchMode | None:
    return None if value is None else GetAssetSearchMode(value)


class Assets:
    def __init__(self, caller: EndpointCaller, uploads: Uploads) -> None:
        self._caller = caller
        self._uploads = uploads

    async def upload(
        self,
        source: Source,
        *,
        title: str | None = None,
        filename: str | None = None,
        content_type: str | None = None,
        size_bytes: int | None = None,
        on_progress: ProgressCallback | None = None,
        idempotency_key: str | None = None,
    ) -> Job:
        """Upload a video and finalize it for ingest; returns the ``asset_ingest`` job.

        The upload is finalized only after every byte was accepted by storage: a failed
        or cancelled upload is never finalized. Await the job, then search finds the scenes.
        """
        title = rules.check_field("createAsset", "title", title)
        uploaded = await self._uploads.upload(
            source,
            purpose="asset_library_video",
            filename=filename,
            content_type=content_type,
            size_bytes=size_bytes,
            on_progress=on_progress,
            idempotency_key=None if idempotency_key is None else derived_key(idempotency_key, "upload"),
        )
        return await self.finalize(uploaded.object_key, title=title, idempotency_key=idempotency_key)

    async def finalize(
        self,
        object_key: str,
        *,
        title: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Job:
        """``POST /assets`` for an object uploaded with purpose ``asset_library_video``."""
        body = CreateAssetRequest.from_dict(rules.check_body("createAsset", {"object_key": object_key, "title": title}))
        return await create_job(
            self._caller,
            create_asset.asyncio_detailed,
            AssetUploadResponse,
            body,
            idempotency_key,
            JobType.ASSET_INGEST,
            options,
        )

    def search(
        self,
        q: str,
        *,
        search_mode: ListAssetsSearchMode | ListAssetsSearchModeValue | None = None,
        source_type: str | None = None,
        segment_type: str | None = None,
        brand: str | None = None,
        product: str | None = None,
        tag: str | None = None,
        keyword: str | None = None,
        cta_present: bool | None = None,
        min_duration_seconds: float | None = None,
        max_duration_seconds: float | None = None,
        created_after: datetime.datetime | None = None,
        created_before: datetime.datetime | None = None,
        sort: ListAssetsSort | ListAssetsSortValue | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Asset]:
        """Scenes matching ``q``, best first; the filters are those of :meth:`list`."""
        if q is None:
            raise InvalidInputError("q", "is required")
        return self.list(
            q=q,
            search_mode=search_mode,
            source_type=source_type,
            segment_type=segment_type,
            brand=brand,
            product=product,
            tag=tag,
            keyword=keyword,
            cta_present=cta_present,
            min_duration_seconds=min_duration_seconds,
            max_duration_seconds=max_duration_seconds,
            created_after=created_after,
            created_before=created_before,
            sort=sort,
            limit=limit,
            cursor=cursor,
            **options,
        )

    def list(
        self,
        *,
        q: str | None = None,
        search_mode: ListAssetsSearchMode | ListAssetsSearchModeValue | None = None,
        source_type: str | None = None,
        segment_type: str | None = None,
        brand: str | None = None,
        product: str | None = None,
        tag: str | None = None,
        keyword: str | None = None,
        cta_present: bool | None = None,
        min_duration_seconds: float | None = None,
        max_duration_seconds: float | None = None,
        created_after: datetime.datetime | None = None,
        created_before: datetime.datetime | None = None,
        sort: ListAssetsSort | ListAssetsSortValue | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[Asset]:
        """Asset Library scenes, filtered and sorted as the API allows (every rule from the schema)."""
        for name, value in (("created_after", created_after), ("created_before", created_before)):
            if value is not None and not isinstance(value, datetime.datetime):
                raise InvalidInputError(name, "must be a datetime")
        checked = {
            name: rules.check_parameter("listAssets", name, value)
            for name, value in (
                ("q", q),
                ("source_type", source_type),
                ("segment_type", segment_type),
                ("brand", brand),
                ("product", product),
                ("tag", tag),
                ("keyword", keyword),
                ("cta_present", cta_present),
                ("min_duration_seconds", min_duration_seconds),
                ("max_duration_seconds", max_duration_seconds),
            )
        }
        mode = rules.check_parameter("listAssets", "search_mode", search_mode)
        order = rules.check_parameter("listAssets", "sort", sort)
        filters: dict[str, Any] = {
            **checked,
            "search_mode": None if mode is None else ListAssetsSearchMode(mode),
            "created_after": created_after,
            "created_before": created_before,
            "sort": None if order is None else ListAssetsSort(order),
        }
        return pager(
            self._caller,
            list_assets.asyncio_detailed,
            AssetList,
            limit=limit,
            cursor=cursor,
            options=options,
            **filters,
        )

    async def get(
        self,
        asset_id: str,
        *,
        q: str | None = None,
        search_mode: GetAssetSearchMode | GetAssetSearchModeValue | None = None,
        search_score: float | None = None,
        **options: Unpack[RequestOptions],
    ) -> Asset:
        """One asset; ``q``/``search_mode``/``search_score`` keep the search context."""
        return await self._caller.call(
            get_asset.asyncio_detailed,
            Asset,
            asset_id=validation.resource_id("asset_id", asset_id),
            q=unset(rules.check_parameter("getAsset", "q", q)),
            search_mode=unset(_mode(rules.check_parameter("getAsset", "search_mode", search_mode))),
            search_score=unset(rules.check_parameter("getAsset", "search_score", search_score)),
            options=options,
        )
