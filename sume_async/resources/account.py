"""``GET /me`` and ``GET /credits``."""

from __future__ import annotations

from typing import Unpack

from .._endpoint_caller import EndpointCaller
from .._generated.api.account import get_credits, get_me
from .._generated.models import Account as AccountModel
from .._generated.models import Credits as CreditsModel
from .._options import RequestOptions


class Account:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def me(self, **options: Unpack[RequestOptions]) -> AccountModel:
        """The user, workspace and (sanitized) key that the API key resolves to."""
        return await self._caller.call(get_me.asyncio_detailed, AccountModel, options=options)


class Credits:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def get(self, **options: Unpack[RequestOptions]) -> CreditsModel:
        """Plan, monthly and bonus credits, remaining credits and generation capacity."""
        return await self._caller.call(get_credits.asyncio_detailed, CreditsModel, options=options)
