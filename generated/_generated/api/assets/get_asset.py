from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.asset import Asset
from ...models.error_envelope import ErrorEnvelope
from ...models.get_asset_search_mode import GetAssetSearchMode
from ...types import UNSET, Response, Unset


def _get_kwargs(
    asset_id: str,
    *,
    q: str | Unset = UNSET,
    search_mode: GetAssetSearchMode | Unset = UNSET,
    search_score: float | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["q"] = q

    json_search_mode: str | Unset = UNSET
    if not isinstance(search_mode, Unset):
        json_search_mode = search_mode.value

    params["search_mode"] = json_search_mode

    params["search_score"] = search_score

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/assets/{asset_id}".format(
            asset_id=quote(str(asset_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Asset | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = Asset.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

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
) -> Response[Asset | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    asset_id: str,
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: GetAssetSearchMode | Unset = UNSET,
    search_score: float | Unset = UNSET,
) -> Response[Asset | ErrorEnvelope]:
    """Get one asset.

    Args:
        asset_id (str):
        q (str | Unset):
        search_mode (GetAssetSearchMode | Unset):
        search_score (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Asset | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        asset_id=asset_id,
        q=q,
        search_mode=search_mode,
        search_score=search_score,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    asset_id: str,
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: GetAssetSearchMode | Unset = UNSET,
    search_score: float | Unset = UNSET,
) -> Asset | ErrorEnvelope | None:
    """Get one asset.

    Args:
        asset_id (str):
        q (str | Unset):
        search_mode (GetAssetSearchMode | Unset):
        search_score (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Asset | ErrorEnvelope
    """

    return sync_detailed(
        asset_id=asset_id,
        client=client,
        q=q,
        search_mode=search_mode,
        search_score=search_score,
    ).parsed


async def asyncio_detailed(
    asset_id: str,
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: GetAssetSearchMode | Unset = UNSET,
    search_score: float | Unset = UNSET,
) -> Response[Asset | ErrorEnvelope]:
    """Get one asset.

    Args:
        asset_id (str):
        q (str | Unset):
        search_mode (GetAssetSearchMode | Unset):
        search_score (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Asset | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        asset_id=asset_id,
        q=q,
        search_mode=search_mode,
        search_score=search_score,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    asset_id: str,
    *,
    client: AuthenticatedClient | Client,
    q: str | Unset = UNSET,
    search_mode: GetAssetSearchMode | Unset = UNSET,
    search_score: float | Unset = UNSET,
) -> Asset | ErrorEnvelope | None:
    """Get one asset.

    Args:
        asset_id (str):
        q (str | Unset):
        search_mode (GetAssetSearchMode | Unset):
        search_score (float | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Asset | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            asset_id=asset_id,
            client=client,
            q=q,
            search_mode=search_mode,
            search_score=search_score,
        )
    ).parsed
