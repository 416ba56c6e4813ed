"""What the app and its handlers work with: one mock's settings, store, clock, signer, faults, connections.

``MockSume`` builds a :class:`Runtime` and keeps its public inspection API on top of it; the
ASGI app, the storage route and every handler (through ``Call``) receive the runtime, never
the ``MockSume``. So the package reads in layers, each importing only those below it::

    server -> mock -> app (+ storage route) -> handlers -> runtime -> state (store, clock, faults, ...)
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._clock import Clock, wall_time
from ._connections import ConnectionTracker
from ._faults import Faults
from ._signer import UploadSigner
from ._state import Store

__all__ = ["Runtime", "Settings"]


@dataclass(frozen=True)
class Settings:
    """A mock's configuration, validated by ``MockSume`` (see its docstring for each field)."""

    base_path: str
    forbidden_features: frozenset[str]
    job_costs: dict[str, int]
    durations: dict[str, float]
    failure_rate: float
    upload_url_ttl: float
    max_concurrent_generations: int


class Runtime:
    """The live parts of one mock server.

    ``faults`` may be replaced at any time (``MockSume.faults`` sets it here); everything
    else is fixed at construction. ``store.lock`` guards the store and the fault draws.
    """

    def __init__(self, settings: Settings, *, clock: Clock, faults: Faults | None, seed: int) -> None:
        self.settings = settings
        self.clock = clock
        self.faults = faults
        self.store: Store = Store(seed=seed)
        self.signer: UploadSigner = UploadSigner()
        self.connections: ConnectionTracker = ConnectionTracker()
        self._upload_dir: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def wall_seconds(self) -> float:
        """Simulated now as POSIX seconds (what signed upload URLs expire against)."""
        return wall_time(self.clock, self.clock.now()).timestamp()

    def upload_dir(self) -> Path:
        """Folder for received upload bytes, created on first use and removed by :meth:`close`."""
        with self.store.lock:
            if self._upload_dir is None:
                self._upload_dir = Path(tempfile.mkdtemp(prefix="sume-mock-uploads-"))
                self._finalizer = weakref.finalize(self, shutil.rmtree, self._upload_dir, True)
            return self._upload_dir

    def close(self) -> None:
        """Delete received upload files; a later upload recreates the folder."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self._upload_dir = None
