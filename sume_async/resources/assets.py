"""The Asset Library: upload a video for ingest, then search and read its scenes."""

from __future__ import annotations

import datetime
from typing import Any, Unpack, cast

from .. import _rules as rules
from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._errors import InvalidInputError
from .._generated.api.assets import get_asset, list_assets
from .._generated.api.uploads import create_asset
from .._generated.literals import GetAssetSearchModeValue, ListAssetsSearchModeValue, ListAssetsSortValue
from .._generated.models import (
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
from .._options import RequestOptions
from .._pagination import AsyncPager
from .._storage import ProgressCallback
from .._upload_source import Source
from ._common import answer_about, create_job, derived_key, pager, unset
from .uploads import Uploads


def _mode(value: str | None) -> GetAssetSearchMode | None:
    return None if value is None else GetAssetSearchMode(value)


class AssetFilters(RequestOptions, total=False):
    """The Asset Library's filters (``assets.list``/``assets.search``), the page, and per-call options.

    Allowed values and ranges are the schema's (``listAssets``), checked before anything is sent.
    """

    search_mode: ListAssetsSearchMode | ListAssetsSearchModeValue | None
    source_type: str | None
    segment_type: str | None
    brand: str | None
    product: str | None
    tag: str | None
    keyword: str | None
    cta_present: bool | None
    min_duration_seconds: float | None
    max_duration_seconds: float | None
    created_after: datetime.datetime | None
    created_before: datetime.datetime | None
    sort: ListAssetsSort | ListAssetsSortValue | None
    limit: int | None
    cursor: str | None


_OPTION_NAMES = frozenset(RequestOptions.__annotations__)
_PAGE_AND_OPTIONS = _OPTION_NAMES | {"limit", "cursor"}
#: The filters' names (front ends that list them, such as the MCP tool, read them here).
FILTER_NAMES = frozenset(AssetFilters.__annotations__) - _PAGE_AND_OPTIONS
#: The filters checked by their rule (the dates are datetimes, checked above).
_CHECKED_FILTERS = tuple(sorted(FILTER_NAMES - {"created_after", "created_before"}))


class Assets:
    """The Asset Library: upload videos, search and list their scenes: ``sume.assets``."""

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
        """Upload a video and finalize it for ingest.

        The upload is finalized only after every byte was accepted by storage: a failed or
            cancelled upload is never finalized.

        Spends credits only as the API charges for ingest.

        Args:
            source: A path, bytes, a binary file object, or an async iterable of bytes; files stream from disk in
                chunks.
            title: The asset's title, at most 1,000 characters.
            filename: The file's name (default: taken from a path).
            content_type: Its MIME type, at most 255 characters (default: guessed from the file name).
            size_bytes: Its size, at least 1; needed only for sources that cannot tell it (async iterables,
                unseekable files).
            on_progress: ``on_progress(sent, total)`` as bytes go out (from 0 again on a retry).
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.

        Returns:
            The ``asset_ingest`` job: await it, then search finds the scenes.

        Raises:
            InvalidInputError: A parameter is not allowed, or the source cannot be read.
            UploadError: Storage refused the bytes or the upload failed past its retries.
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
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
        """``POST /assets`` for an object uploaded with purpose ``asset_library_video``.

        Spends credits only as the API charges for ingest.

        Args:
            object_key: The upload's ``object_key`` (a secret, never logged), at most 4,096 characters.
            title: The asset's title, at most 1,000 characters.
            idempotency_key: At most 255 visible ASCII characters. The same key never starts paid work twice; by
                default each call gets a new key, kept across its retries.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The ``asset_ingest`` job.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
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

    def search(self, q: str, **filters: Unpack[AssetFilters]) -> AsyncPager[Asset]:
        """Scenes matching ``q``, best first; the filters are those of :meth:`list`.

        Spends no credits.

        Args:
            q: The search text, 1 to 2,000 characters.
            **filters: Keyword filters, typed by :class:`~sume_async.AssetFilters` (a misspelt one is refused):
                ``search_mode`` (``"auto"`` or ``"text"``), ``source_type`` (such as ``generated`` or ``upload``),
                ``segment_type``, ``brand``, ``product``, ``tag``, ``keyword``, ``cta_present`` (with or without a
                call to action), ``min_duration_seconds`` / ``max_duration_seconds`` (at least 0), ``created_after``
                / ``created_before`` (``datetime``), ``sort`` (``"relevance"``, ``"created_at_desc"``,
                ``"created_at_asc"`` or ``"duration_desc"``), ``limit`` (1 to 100 per page), ``cursor``, and the
                per-call ``extra_headers``, ``extra_query``, ``timeout``.

        Returns:
            A lazy :class:`~sume_async.AsyncPager` of matching assets.

        Raises:
            InvalidInputError: ``q`` or a filter is not allowed (raised at once).
            SumeError: While iterating, as for :meth:`list`.
        """
        if q is None:
            raise InvalidInputError("q", "is required")
        return self.list(q=q, **filters)

    def list(self, *, q: str | None = None, **filters: Unpack[AssetFilters]) -> AsyncPager[Asset]:
        """Asset Library scenes, filtered and sorted as the API allows (every rule from the schema).

        Spends no credits.

        Args:
            q: Search text, at most 2,000 characters.
            **filters: Keyword filters, typed by :class:`~sume_async.AssetFilters` (a misspelt one is refused):
                ``search_mode`` (``"auto"`` or ``"text"``), ``source_type`` (such as ``generated`` or ``upload``),
                ``segment_type``, ``brand``, ``product``, ``tag``, ``keyword``, ``cta_present`` (with or without a
                call to action), ``min_duration_seconds`` / ``max_duration_seconds`` (at least 0), ``created_after``
                / ``created_before`` (``datetime``), ``sort`` (``"relevance"``, ``"created_at_desc"``,
                ``"created_at_asc"`` or ``"duration_desc"``), ``limit`` (1 to 100 per page), ``cursor``, and the
                per-call ``extra_headers``, ``extra_query``, ``timeout``.

        Returns:
            A lazy :class:`~sume_async.AsyncPager` of assets.

        Raises:
            InvalidInputError: A filter is unknown or outside its allowed values (raised at once).
            SumeError: While iterating: as for any request.
        """
        given: dict[str, Any] = dict(filters)
        unknown = set(given) - FILTER_NAMES - _PAGE_AND_OPTIONS
        if unknown:
            raise InvalidInputError(sorted(unknown)[0], "is not a filter of the Asset Library")
        for name in ("created_after", "created_before"):
            value = given.get(name)
            if value is not None and not isinstance(value, datetime.datetime):
                raise InvalidInputError(name, "must be a datetime")
        query: dict[str, Any] = {"q": rules.check_parameter("listAssets", "q", q)}
        for name in _CHECKED_FILTERS:
            query[name] = rules.check_parameter("listAssets", name, given.get(name))
        if query["search_mode"] is not None:
            query["search_mode"] = ListAssetsSearchMode(query["search_mode"])
        if query["sort"] is not None:
            query["sort"] = ListAssetsSort(query["sort"])
        query["created_after"], query["created_before"] = given.get("created_after"), given.get("created_before")
        options = cast(RequestOptions, {key: given[key] for key in _OPTION_NAMES if key in given})
        return pager(
            self._caller,
            list_assets.asyncio_detailed,
            AssetList,
            limit=given.get("limit"),
            cursor=given.get("cursor"),
            options=options,
            **query,
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
        """One asset; ``q``/``search_mode``/``search_score`` keep the search context that found it.

        Spends no credits.

        Args:
            asset_id: The asset's id.
            q: The search text that found it.
            search_mode: ``"auto"`` or ``"text"``.
            search_score: The score it had in that search.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The asset.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            NotFoundError: No such asset (404).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        asset_id = validation.resource_id("asset_id", asset_id)
        answer = await self._caller.call(
            get_asset.asyncio_detailed,
            Asset,
            asset_id=asset_id,
            q=unset(rules.check_parameter("getAsset", "q", q)),
            search_mode=unset(_mode(rules.check_parameter("getAsset", "search_mode", search_mode))),
            search_score=unset(rules.check_parameter("getAsset", "search_score", search_score)),
            options=options,
        )
        return answer_about("asset", asset_id, answer)
