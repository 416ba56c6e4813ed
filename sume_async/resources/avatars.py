"""Avatars: ``GET /avatars`` and ``GET /avatars/{avatarId}``."""

from __future__ import annotations

from typing import Unpack

from .. import _validation as validation
from .._endpoint_caller import EndpointCaller
from .._generated.api.avatars import get_avatar, list_avatars
from .._generated.models import Avatar, AvatarList
from .._options import RequestOptions
from .._pagination import AsyncPager
from ._common import pager


class Avatars:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    def list(
        self, *, limit: int | None = None, cursor: str | None = None, **options: Unpack[RequestOptions]
    ) -> AsyncPager[Avatar]:
        """Public and workspace avatars, for ads and Face Swap."""
        return pager(
            self._caller, list_avatars.asyncio_detailed, AvatarList, limit=limit, cursor=cursor, options=options
        )

    async def get(self, avatar_id: str, **options: Unpack[RequestOptions]) -> Avatar:
        avatar_id = validation.resource_id("avatar_id", avatar_id)
        return await self._caller.call(get_avatar.asyncio_detailed, Avatar, avatar_id=avatar_id, options=options)
