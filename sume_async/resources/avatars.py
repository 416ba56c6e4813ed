"""Avatars: ``GET /avatars`` and ``GET /avatars/{avatarId}``."""

from __future__ import annotations

from typing import Unpack

from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._generated.api.avatars import get_avatar, list_avatars
from .._generated.models import Avatar, AvatarList
from .._options import RequestOptions
from .._pagination import AsyncPager
from ._common import answer_about, pager


class Avatars:
    """Avatars for ads and Face Swap: ``sume.avatars``."""

    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    def list(
        self, *, limit: int | None = None, cursor: str | None = None, **options: Unpack[RequestOptions]
    ) -> AsyncPager[Avatar]:
        """Public and workspace avatars, for ads and Face Swap.

        Spends no credits.

        Args:
            limit: Items per page, 1 to 100 (default: the server's).
            cursor: Start after this cursor (a page's ``next_cursor``, or ``pager.cursor``).
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            A lazy :class:`~sume_async.AsyncPager` of avatars.

        Raises:
            InvalidInputError: ``limit`` or ``cursor`` is not allowed (raised at once).
            SumeError: While iterating: as for any request.
        """
        return pager(
            self._caller, list_avatars.asyncio_detailed, AvatarList, limit=limit, cursor=cursor, options=options
        )

    async def get(self, avatar_id: str, **options: Unpack[RequestOptions]) -> Avatar:
        """One avatar.

        Spends no credits.

        Args:
            avatar_id: The avatar's id.
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The avatar.

        Raises:
            InvalidInputError: A parameter is outside its allowed values (checked before any request).
            NotFoundError: No such avatar (404).
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        avatar_id = validation.resource_id("avatar_id", avatar_id)
        answer = await self._caller.call(get_avatar.asyncio_detailed, Avatar, avatar_id=avatar_id, options=options)
        return answer_about("avatar", avatar_id, answer)
