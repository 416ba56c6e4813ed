"""An embedded, stateful mock of the Sume Public API for tests, demos and benchmarks.

Needs the ``testing`` extra (``pip install 'sume-async[testing]'``: starlette and uvicorn), so
the SDK itself never imports this package::

    from sume_async.testing import MockSume, ManualClock, serve

    mock = MockSume(clock=ManualClock())
    transport = httpx.ASGITransport(app=mock.app)          # in-process
    async with serve(mock) as base_url:                      # or a real loopback socket
        ...
    async with client_for(MockSume(speed=100)) as sume:      # an AsyncSume matched to a mock
        ...

See ``MockSume`` for configuration and the inspection API, ``Faults`` for fault injection.
"""

from __future__ import annotations

from .._extras import needs_extra

with needs_extra("testing", "sume_async.testing"):
    from ._client import client_for, speed_of
    from ._clock import Clock, ManualClock, ScaledClock
    from ._errors import ConnectionDropped
    from ._faults import Faults
    from ._mock import DEFAULT_API_KEY, FEATURES, MockSume
    from ._server import LoopbackServer, serve
    from ._views import JobView, MediaView, UploadView

__all__ = [
    "DEFAULT_API_KEY",
    "FEATURES",
    "Clock",
    "ConnectionDropped",
    "Faults",
    "JobView",
    "LoopbackServer",
    "ManualClock",
    "MediaView",
    "MockSume",
    "ScaledClock",
    "UploadView",
    "client_for",
    "serve",
    "speed_of",
]
