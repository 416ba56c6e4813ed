"""Calling a generated endpoint and getting back a model or a :class:`SumeError`.

Every resource method goes through :meth:`EndpointCaller.call`. It is the one place that turns
whatever the generated parser might raise on a malformed 2xx body (``KeyError``,
``TypeError``, ``ValueError``, ...) into :class:`APIResponseValidationError`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

from sume_api_client.client import Client
from sume_api_client.types import Response

from ._errors import APIResponseValidationError, SumeError
from ._options import RequestOptions, context_for, current_call
from ._transport import Requester


class _Model(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Any) -> Any: ...


M = TypeVar("M")


class EndpointCaller:
    """Calls generated endpoints through the requester; what every resource shares."""

    def __init__(self, requester: Requester) -> None:
        self.requester = requester
        self.generated = Client(base_url=requester.base_url)
        # The generated endpoints only call ``.request(**kwargs)``: the seam is the generated
        # ``AsyncRequester`` protocol, which ``Requester`` satisfies (mypy checks it here).
        self.generated.set_async_httpx_client(requester)

    async def call(
        self,
        endpoint: Callable[..., Awaitable[Response[Any]]],
        expected: type[M],
        /,
        *,
        options: RequestOptions | None = None,
        **kwargs: Any,
    ) -> M:
        """Run a generated ``asyncio_detailed`` function and return its ``expected`` model.

        ``options`` (extra headers, extra query, timeout) apply to this call's requests.
        """
        if not options:
            return await self._call(endpoint, expected, kwargs)
        token = current_call.set(context_for(options))
        try:
            return await self._call(endpoint, expected, kwargs)
        finally:
            current_call.reset(token)

    async def _call(
        self, endpoint: Callable[..., Awaitable[Response[Any]]], expected: type[M], kwargs: dict[str, Any]
    ) -> M:
        try:
            response = await endpoint(client=self.generated, **kwargs)
            if isinstance(response.parsed, expected):
                return response.parsed
            # A 2xx status the snapshot does not list (200 for 202, say): parse the body ourselves.
            body = json.loads(response.content)
            if not isinstance(body, dict):
                raise TypeError("body is not a JSON object")
            return cast(M, cast(_Model, expected).from_dict(body))
        except SumeError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            # The cause is dropped on purpose: its text may quote values from the body.
            raise APIResponseValidationError(
                f"Sume returned a body that does not match {expected.__name__} ({type(exc).__name__})"
            ) from None
