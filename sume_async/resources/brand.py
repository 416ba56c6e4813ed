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
    """Brand DNA: ``sume.brand``."""

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
        """Sanitized Brand DNA profiles, optionally for one ``domain``.

        Spends no credits.

        Args:
            domain: Only the profile of this brand domain (at most 1,000 characters).
            limit: Items per page, 1 to 100 (default: the server's).
            cursor: Start after this cursor (a page's ``next_cursor``, or ``pager.cursor``).
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            A lazy :class:`~sume_async.AsyncPager` of brands.

        Raises:
            InvalidInputError: A parameter is not allowed (raised at once).
            SumeError: While iterating: as for any request.
        """
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
        """The current brand context; its ``images[].reference_url`` work as ``reference_image_urls``.

        Spends no credits.

        Args:
            **options: Per-call ``extra_headers``, ``extra_query`` and ``timeout`` (see
                :class:`~sume_async.RequestOptions`).

        Returns:
            The brand.

        Raises:
            AuthenticationError: The API key is missing, wrong or revoked (401).
            APIStatusError: Any other error answer (its subclasses name the status: ``NotFoundError``,
                ``RateLimitError``, ...).
            APIConnectionError: No answer after the retries (``APITimeoutError`` when it timed out).
        """
        return await self._caller.call(get_current_brand.asyncio_detailed, BrandModel, options=options)
