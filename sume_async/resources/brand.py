"""Brand DNA: ``GET /brand`` and ``GET /brand/current``."""

from __future__ import annotations

from typing import Unpack

from .. import _rules as rules
from .._endpoint_caller import EndpointCaller
from .._generated.api.brand import get_current_brand, list_brands
from .._generated.models import Brand as BrandModel
from .._generated.models import BrandList
from .._options import RequestOptions
from .._pagination import AsyncPager
from ._common import pager


class Brand:
    def __init__(self, caller: EndpointCaller) -> None:
        self._caller = caller

    def list(
        self,
        *,
        domain: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPager[BrandModel]:
        """Sanitized Brand DNA profiles, optionally for one ``domain``."""
        domain = rules.check_parameter("listBrands", "domain", domain)
        return pager(
            self._caller,
            list_brands.asyncio_detailed,
            BrandList,
            limit=limit,
            cursor=cursor,
            options=options,
            domain=domain,
        )

    async def current(self, **options: Unpack[RequestOptions]) -> BrandModel:
        """The current brand context; its ``images[].reference_url`` work as ``reference_image_urls``."""
        return await self._caller.call(get_current_brand.asyncio_detailed, BrandModel, options=options)
