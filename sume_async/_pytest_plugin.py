"""The pytest plugin: a fresh mock and a client matched to it, per test (the ``testing`` extra).

Registered as a ``pytest11`` entry point, so installing ``sume-async[testing]`` is all it takes::

    import pytest
    from sume_async import AsyncSume
    from sume_async.testing import MockSume

    @pytest.mark.anyio
    async def test_image(sume_client: AsyncSume, sume_mock: MockSume) -> None:
        job = await sume_client.images.generate(prompt="A red bicycle at dawn")
        assert (await sume_client.jobs.wait(job)).status == "completed"
        assert sume_mock.jobs[job.id].status == "completed"

``sume_mock`` is a new :class:`~sume_async.testing.MockSume` for each test, at ``speed=100`` unless
the test's ``@pytest.mark.sume_mock(...)`` marker says otherwise (its keywords go to ``MockSume``).
``sume_client`` is :func:`~sume_async.testing.client_for` that mock, in-process (no socket), opened
for the test and closed after it; it runs on the backend anyio's ``anyio_backend`` fixture names
(asyncio by default; parametrize it for trio too).

The entry point is registered however the package was installed, so this module imports the
mock (and its ``testing`` extra) only when a test asks for a fixture: pytest starts the same
without the extra.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._client import AsyncSume
    from .testing import MockSume

__all__ = ["DEFAULT_SPEED", "MARKER", "sume_client", "sume_mock"]

#: The mock's speed unless a test's marker names one (or a clock): a 6 s image job takes about 60 ms.
DEFAULT_SPEED = 100.0
#: The marker whose keyword arguments configure the ``sume_mock`` fixture's ``MockSume``.
MARKER = "sume_mock"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**options): keyword arguments for the sume_mock fixture's MockSume (sume-async)"
    )


def _testing() -> Any:
    try:
        from . import testing
    except ImportError as exc:
        raise pytest.UsageError(
            f"the sume_mock and sume_client fixtures need the testing extra: pip install 'sume-async[testing]' ({exc})"
        ) from None
    return testing


@pytest.fixture
def sume_mock(request: pytest.FixtureRequest) -> MockSume:
    """A fresh :class:`~sume_async.testing.MockSume` (``@pytest.mark.sume_mock(...)`` configures it)."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # the closest marker wins
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only (MockSume's)")
        options.update(marker.kwargs)
    if "clock" not in options:
        options.setdefault("speed", DEFAULT_SPEED)
    mock: MockSume = _testing().MockSume(**options)
    return mock


@pytest.fixture
async def sume_client(sume_mock: MockSume, anyio_backend: object) -> AsyncIterator[AsyncSume]:
    """An :class:`~sume_async.AsyncSume` matched to ``sume_mock`` (``client_for``), closed after the test."""
    sume: AsyncSume = _testing().client_for(sume_mock)
    async with sume:
        yield sume
