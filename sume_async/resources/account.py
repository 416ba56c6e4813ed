"""``GET /me`` and ``GET /credits``."""

from __future__ import annotations

from typing import Unpack

from .._endpoint_caller import EndpointCaller
from .._generated.api.account import get_credits, get_me
from .._generated.models import Account as AccountModel
from .._generated.models import Credits as CreditsModel
from .._options import RequestOptions


class Account:
    """The key's account: ``sume.account``."""

    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def me(self, **options: Unpack[RequestOptions]) -> AccountModel:
        """The user, workspace and (sanitized) key that the API key resolves to.

        Spends no credits.

        Args:
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The account.

        Raises:
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        return await self._caller.call(get_me.asyncio_detailed, AccountModel, options=options)


class Credits:
    """Credits and capacity: ``sume.credits``."""

    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    async def get(self, **options: Unpack[RequestOptions]) -> CreditsModel:
        """Plan, monthly and bonus credits, remaining credits and generation capacity.

        Spends no credits.

        Args:
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The credits.

        Raises:
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        return await self._caller.call(get_credits.asyncio_detailed, CreditsModel, options=options)
