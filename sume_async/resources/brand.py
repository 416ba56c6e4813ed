"""Brand DNA: ``GET /brand`` and ``GET /brand/current``."""

from __future__ import annotations

from sume_api_client.api.brand import get_current_brand, list_brands
from sume_api_client.models import Brand as BrandModel
from sume_api_client.models import BrandList

from .. import _validation as validation
from .._core import Core
from .._pagination import AsyncPager
from ._common import pager


class Brand:
    def __init__(self, core: Core) -> None:
        self._core = core

    def list(self, *, domain: str | None = None, limit: int | None = None) -> AsyncPager[BrandModel]:
        """Sanitized Brand DNA profiles, optionally for one ``domain``."""
        domain = validation.optional_text("domain", domain, max_length=1_000)
        return pager(self._core, list_brands.asyncio_detailed, BrandList, limit=limit, domain=domain)

    async def current(self) -> BrandModel:
        """The current brand context; its ``images[].reference_url`` work as ``reference_image_urls``."""
        return await self._core.call(get_current_brand.asyncio_detailed, BrandModel)
