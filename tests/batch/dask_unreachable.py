"""A ``dask worker --preload`` for the tests: this worker cannot reach the Sume API (its client
goes to a closed loopback port, as a worker behind a broken proxy or firewall would)."""

import attrs

from sume_async import AsyncSume
from sume_async.batch._dask_worker import ClientSettings

_build = getattr(ClientSettings, "_original_build", ClientSettings.build)  # Dask may load a preload twice


def _unreachable(self: ClientSettings) -> AsyncSume:
    return _build(attrs.evolve(self, base_url="http://127.0.0.1:9/api/v1", max_retries=0))


setattr(ClientSettings, "_original_build", _build)  # noqa: B010
setattr(ClientSettings, "build", _unreachable)  # noqa: B010
