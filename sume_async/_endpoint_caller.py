"""Calling a generated endpoint and getting back a model or a :class:`SumeError`.

Every resource method goes through :meth:`EndpointCaller.call`. It is the one place that turns
whatever the generated parser raises on a malformed 2xx body (``KeyError``, ``TypeError``,
``RecursionError``, ...) into :class:`APIResponseValidationError`, and only that: the
request itself raises ``SumeError`` subclasses alone, and an error before the response
arrived is a bug in the SDK, left to show as what it is.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

from ._errors import APIResponseValidationError, SumeError
from ._generated.client import Client
from ._generated.types import Response
from ._options import RequestOptions, context_for, current_call
from ._transport import Requester, response_received


class _Model(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Any) -> Any: ...


M = TypeVar("M")


class EndpointCaller:
    """Calls generated endpoints through the requester; what every resource shares."""

    def __init__(self, requester: Requester) -> None:
        self.requester = requester
        self.generated: Client = Client(base_url=requester.base_url)
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
        received = response_received.set(False)
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
        except Exception as exc:
            if not response_received.get():
                raise  # not the parse step: a bug in the SDK, not the server's doing
            # The cause is dropped on purpose: its text may quote values from the body.
            raise APIResponseValidationError(
                f"Sume returned a body that does not match {expected.__name__} ({type(exc).__name__})"
            ) from None
        finally:
            response_received.reset(received)
