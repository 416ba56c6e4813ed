"""A small Dask cluster for the engine's tests: 2 worker processes on loopback, bounded start-up.

The cluster runs in its own loop thread (Dask's synchronous API), so trio and asyncio tests
use it alike; the engine under test connects to it by address, as it would to a real cluster.
Lease timeouts are short so that a killed worker's semaphore leases come back within seconds.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from typing import Any

import dask
from distributed import Client, LocalCluster

#: Seconds allowed for the cluster to start (two interpreters importing distributed on 2 busy cores).
STARTUP_TIMEOUT = 60.0

#: Dask settings for the tests: dead workers' leases return fast, and nothing listens beyond loopback.
FAST_LEASES = {
    "distributed.scheduler.locks.lease-timeout": "3s",
    "distributed.scheduler.locks.lease-validation-interval": "500ms",
    "distributed.scheduler.worker-ttl": "30s",
    "distributed.comm.timeouts.connect": "20s",
}


class RunningCluster:
    """A running ``LocalCluster`` and a synchronous client for inspecting and killing workers."""

    def __init__(self, cluster: LocalCluster, client: Client) -> None:
        self.cluster = cluster
        self.client = client

    @property
    def address(self) -> str:
        return str(self.cluster.scheduler_address)

    def worker_pids(self) -> dict[str, int]:
        """``worker address -> pid`` of the live worker processes."""
        return {address: int(pid) for address, pid in self.client.run(os.getpid).items()}

    def kill_worker(self, address: str | None = None) -> int:
        """SIGKILL one worker process (its nanny starts a new one); returns the killed pid."""
        pids = self.worker_pids()
        target = pids[address] if address is not None else sorted(pids.values())[0]
        os.kill(target, signal.SIGKILL)
        return target

    def wait_for_workers(self, n: int, timeout: float = STARTUP_TIMEOUT) -> None:
        self.client.wait_for_workers(n, timeout=timeout)

    def run_on_scheduler(self, fn: Any) -> Any:
        return self.client.run_on_scheduler(fn)


@contextlib.contextmanager
def dask_cluster(
    n_workers: int = 2, *, threads_per_worker: int = 2, env: dict[str, str] | None = None
) -> Iterator[RunningCluster]:
    """Start a cluster of ``n_workers`` processes (``env`` set in their environment), bounded in time."""
    with dask.config.set(FAST_LEASES):
        pool = concurrent.futures.ThreadPoolExecutor(1)

        def start() -> tuple[LocalCluster, Client]:
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=True,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.CRITICAL,
                env=env or {},
            )
            try:
                client = Client(cluster, timeout=STARTUP_TIMEOUT)
                client.wait_for_workers(n_workers, timeout=STARTUP_TIMEOUT)
            except BaseException:
                cluster.close()
                raise
            return cluster, client

        future = pool.submit(start)
        try:
            cluster, client = future.result(timeout=STARTUP_TIMEOUT)
        finally:
            pool.shutdown(wait=False)
        try:
            yield RunningCluster(cluster, client)
        finally:
            client.close()
            cluster.close(timeout=20)
