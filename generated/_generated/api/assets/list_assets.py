import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.asset_list import AssetList
from ...models.error_envelope import ErrorEnvelope
from ...models.list_assets_search_mode import ListAssetsSearchMode
from ...models.list_assets_sort import ListAssetsSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    q: str | Unset = UNSET,
    search_mode: ListAssetsSearchMode | Unset = UNSET,
    source_type: str | Unset = UNSET,
    segment_type: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    product: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    keyword: str | Unset = UNSET,
    cta_present: bool | Unset = UNSET,
    min_duration_seconds: float | Unset = UNSET,
    max_duration_seconds: float | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    sort: ListAssetsSort | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["q"] = q

    json_search_mode: str | Unset = UNSET
    if not isinstance(search_mode, Unset):
        json_search_mode = search_mode.value

    params["search_mode"] = json_search_mode

    params["source_type"] = source_type

    params["segment_type"] = segment_type

    params["brand"] = brand

    params["product"] = product

    params["tag"] = tag

    params["keyword"] = keyword

    params["cta_present"] = cta_present

    params["min_duration_seconds"] = min_duration_seconds

    params["max_duration_seconds"] = max_duration_seconds

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/assets",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssetList | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = AssetList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ErrorEnvelope.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = ErrorEnvelope.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AssetList | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: ListAssetsSearchMode | Unset = UNSET,
    source_type: str | Unset = UNSET,
    segment_type: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    product: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    keyword: str | Unset = UNSET,
    cta_present: bool | Unset = UNSET,
    min_duration_seconds: float | Unset = UNSET,
    max_duration_seconds: float | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    sort: ListAssetsSort | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
) -> Response[AssetList | ErrorEnvelope]:
    """Search and list Asset Library scenes.

    Args:
        q (str | Unset):
        search_mode (ListAssetsSearchMode | Unset):
        source_type (str | Unset):
        segment_type (str | Unset):
        brand (str | Unset):
        product (str | Unset):
        tag (str | Unset):
        keyword (str | Unset):
        cta_present (bool | Unset):
        min_duration_seconds (float | Unset):
        max_duration_seconds (float | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        sort (ListAssetsSort | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetList | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
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
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: ListAssetsSearchMode | Unset = UNSET,
    source_type: str | Unset = UNSET,
    segment_type: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    product: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    keyword: str | Unset = UNSET,
    cta_present: bool | Unset = UNSET,
    min_duration_seconds: float | Unset = UNSET,
    max_duration_seconds: float | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    sort: ListAssetsSort | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
) -> AssetList | ErrorEnvelope | None:
    """Search and list Asset Library scenes.

    Args:
        q (str | Unset):
        search_mode (ListAssetsSearchMode | Unset):
        source_type (str | Unset):
        segment_type (str | Unset):
        brand (str | Unset):
        product (str | Unset):
        tag (str | Unset):
        keyword (str | Unset):
        cta_present (bool | Unset):
        min_duration_seconds (float | Unset):
        max_duration_seconds (float | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        sort (ListAssetsSort | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetList | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
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
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: ListAssetsSearchMode | Unset = UNSET,
    source_type: str | Unset = UNSET,
    segment_type: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    product: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    keyword: str | Unset = UNSET,
    cta_present: bool | Unset = UNSET,
    min_duration_seconds: float | Unset = UNSET,
    max_duration_seconds: float | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    sort: ListAssetsSort | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
) -> Response[AssetList | ErrorEnvelope]:
    """Search and list Asset Library scenes.

    Args:
        q (str | Unset):
        search_mode (ListAssetsSearchMode | Unset):
        source_type (str | Unset):
        segment_type (str | Unset):
        brand (str | Unset):
        product (str | Unset):
        tag (str | Unset):
        keyword (str | Unset):
        cta_present (bool | Unset):
        min_duration_seconds (float | Unset):
        max_duration_seconds (float | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        sort (ListAssetsSort | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetList | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
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
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: ListAssetsSearchMode | Unset = UNSET,
    source_type: str | Unset = UNSET,
    segment_type: str | Unset = UNSET,
    brand: str | Unset = UNSET,
    product: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    keyword: str | Unset = UNSET,
    cta_present: bool | Unset = UNSET,
    min_duration_seconds: float | Unset = UNSET,
    max_duration_seconds: float | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    sort: ListAssetsSort | Unset = UNSET,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
) -> AssetList | ErrorEnvelope | None:
    """Search and list Asset Library scenes.

    Args:
        q (str | Unset):
        search_mode (ListAssetsSearchMode | Unset):
        source_type (str | Unset):
        segment_type (str | Unset):
        brand (str | Unset):
        product (str | Unset):
        tag (str | Unset):
        keyword (str | Unset):
        cta_present (bool | Unset):
        min_duration_seconds (float | Unset):
        max_duration_seconds (float | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        sort (ListAssetsSort | Unset):
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetList | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
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
        )
    ).parsed
