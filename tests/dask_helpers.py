"""Dask clusters for the engine's tests, bounded start-up, everything on loopback.

``dask_cluster``: a ``LocalCluster`` of 2 worker processes. ``real_cluster``: ``dask scheduler``
and ``dask worker`` processes started as the README's recipe says, with TLS certificates from
``make_certificates`` when asked.

The cluster runs in its own loop thread (Dask's synchronous API), so trio and asyncio tests
use it alike; the engine under test connects to it by address, as it would to a real cluster.
Lease timeouts are short so that a killed worker's semaphore leases come back within seconds.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import ipaddress
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import dask
from distributed import Client, LocalCluster
from distributed.security import Security

#: Seconds allowed for the cluster to start (two interpreters importing distributed on 2 busy cores).
STARTUP_TIMEOUT = 60.0

#: Dask settings for the tests: dead workers' leases return fast, and nothing listens beyond loopback.
#: (The engine's runs use their own ``lease_timeout`` on both sides, whatever this says.)
FAST_LEASES = {
    "distributed.scheduler.locks.lease-timeout": "3s",
    "distributed.scheduler.locks.lease-validation-interval": "500ms",
    "distributed.scheduler.worker-ttl": "30s",
    "distributed.comm.timeouts.connect": "20s",
}


def leftovers(client: Client) -> list[str]:
    """Event topics and semaphores batches left on ``client``'s scheduler."""

    def names(dask_scheduler: Any) -> list[str]:  # nested: sent by value (a scheduler process has no tests/)
        topics = list(dask_scheduler._broker._topics)
        semaphores = list(dask_scheduler.extensions["semaphores"].max_leases)
        return sorted(n for n in topics + semaphores if n.startswith("sume-batch"))

    return list(client.run_on_scheduler(names))


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

    def leftovers(self) -> list[str]:
        return leftovers(self.client)


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


# -- a real cluster: `dask scheduler` and `dask worker` processes on loopback -------------------------


@attrs.frozen
class TlsFiles:
    """Throwaway PEM files: a CA, and one certificate (with its key) it signed for 127.0.0.1."""

    ca: Path
    cert: Path
    key: Path

    def security(self) -> Security:
        """What a driver holding the certificate passes as ``DaskEngine(security=...)``."""
        return Security(
            tls_ca_file=str(self.ca),
            tls_client_cert=str(self.cert),
            tls_client_key=str(self.key),
            require_encryption=True,
        )

    def cli_args(self) -> list[str]:
        """The same, as ``dask scheduler`` / ``dask worker`` / ``sume-async batch run`` options."""
        return ["--tls-ca-file", str(self.ca), "--tls-cert", str(self.cert), "--tls-key", str(self.key)]


def make_certificates(directory: Path) -> TlsFiles:
    """A CA and a certificate for 127.0.0.1 / localhost, valid for a day (the tests' own PKI)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("sume-async test CA"))
        .issuer_name(name("sume-async test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(directory / "ca.pem", directory / "node.pem", directory / "node.key")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


#: Settings every process of a real test cluster gets (scheduler and workers read their own).
REAL_CLUSTER_ENV = {
    "DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL": "100ms",
    "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "10s",
    "DASK_LOGGING__DISTRIBUTED": "warning",
}


class RealCluster:
    """A ``dask scheduler`` process and ``dask worker`` processes, all bound to 127.0.0.1.

    Started exactly as the README's recipe says (dashboards on loopback), with TLS when given
    certificates. ``client`` is a synchronous Dask client for inspecting the scheduler.
    """

    def __init__(self, directory: Path, tls: TlsFiles | None) -> None:
        self.directory = directory
        self.tls = tls
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.address = ""
        self._client: Client | None = None

    def _env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SUME_", "DASK_"))}
        env.update(REAL_CLUSTER_ENV)
        env.update(extra or {})
        return env

    def _tls_args(self) -> list[str]:
        return [] if self.tls is None else self.tls.cli_args()

    def start_scheduler(self) -> None:
        info = self.directory / "scheduler.json"
        info.unlink(missing_ok=True)
        command = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
        command += ["--scheduler-file", str(info), "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
        if self.tls is not None:
            command += ["--protocol", "tls", *self._tls_args()]
        log = (self.directory / "scheduler.log").open("ab")
        self.scheduler = subprocess.Popen(command, env=self._env(), stdout=log, stderr=log)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and self.scheduler.poll() is None:
            with contextlib.suppress(OSError, ValueError, KeyError):
                self.address = str(json.loads(info.read_text())["address"])
                break
            time.sleep(0.05)
        assert self.address, (self.directory / "scheduler.log").read_text()[-2000:]

    def add_worker(
        self, name: str, env: dict[str, str] | None = None, *, preload: Path | None = None, wait: bool = True
    ) -> None:
        """Start ``dask worker`` named ``name`` (no nanny: a killed worker stays dead)."""
        command = [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--name", name]
        command += ["--host", "127.0.0.1", "--nthreads", "2", "--no-nanny", "--death-timeout", "30"]
        command += ["--no-dashboard", "--dashboard-address", "127.0.0.1:0", *self._tls_args()]
        if preload is not None:
            command += ["--preload", str(preload)]
        log = (self.directory / f"worker-{name}.log").open("ab")
        self.workers[name] = subprocess.Popen(command, env=self._env(env), stdout=log, stderr=log)
        if wait:
            self.wait_for(lambda names: name in names)

    def worker_names(self) -> dict[str, str]:
        """``name -> address`` of the workers the scheduler knows."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return {str(w["name"]): address for address, w in info.items()}

    def wait_for(self, ready: Any) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not ready(self.worker_names()):
            assert time.monotonic() < deadline, f"workers never became {ready}: {self.worker_names()}"
            time.sleep(0.05)

    @property
    def client(self) -> Client:
        if self._client is None:
            security = None if self.tls is None else self.tls.security()
            self._client = Client(self.address, timeout=STARTUP_TIMEOUT, security=security)
        return self._client

    def leftovers(self) -> list[str]:
        """Event topics and semaphores batches left on the scheduler."""
        return leftovers(self.client)

    def kill_worker(self, name: str) -> None:
        process = self.workers.pop(name)
        process.kill()
        process.wait(30)

    def kill_scheduler(self) -> None:
        assert self.scheduler is not None
        if self._client is not None:
            self._client.close(timeout=5)
            self._client = None
        self.scheduler.kill()
        self.scheduler.wait(30)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close(timeout=5)
        for process in [*self.workers.values(), *([self.scheduler] if self.scheduler else [])]:
            if process.poll() is None:
                process.kill()
            process.wait(30)


@contextlib.contextmanager
def real_cluster(directory: Path, *, tls: TlsFiles | None = None) -> Iterator[RealCluster]:
    """A scheduler process on 127.0.0.1 (add workers with ``add_worker``); every process is killed at the end."""
    directory.mkdir(parents=True, exist_ok=True)
    cluster = RealCluster(directory, tls)
    try:
        cluster.start_scheduler()
        yield cluster
    finally:
        cluster.close()
