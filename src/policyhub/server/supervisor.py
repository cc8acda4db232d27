"""Serving: one gRPC server per worker process, several workers on one port, a supervisor.

The engine holds the GIL for the whole of an evaluation, so cores are used by processes, not
threads: every worker binds the same port with SO_REUSEPORT and the kernel spreads connections
across them. A supervisor holds the port (so nothing else takes it), starts the workers,
restarts one that dies (a crash in the C engine kills only its process), and on SIGTERM or
SIGINT lets each worker drain its in-flight calls within the grace period.

The supervisor also owns what concerns all workers at once: reloads (SIGHUP or the Admin
service on its admin address), told to each worker over a pipe, and the /metrics endpoint
that adds up every worker's samples.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
import time
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import grpc
import structlog

from ..telemetry import logs, metrics
from .frozen import FrozenPacks
from ..store.config import StoreConfig
from ..v1 import admin_pb2, admin_pb2_grpc, policyhub_pb2

if TYPE_CHECKING:
    from .reload import PackSource

log = structlog.get_logger("policyhub.server")

SERVICE_NAME = policyhub_pb2.DESCRIPTOR.services_by_name["PolicyHub"].full_name
ADMIN_SERVICE_NAME = admin_pb2.DESCRIPTOR.services_by_name["Admin"].full_name
# How long the supervisor waits for a worker to load and check a new pack set.
RELOAD_TIMEOUT_S = 120.0
# A worker's (and then the server's) exit code when its pack set fails the lock file: never
# restarted, since it would fail the same way; the server stops instead of serving without it.
EXIT_PACKS_REFUSED = 3


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 50051
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    threads: int = 8
    # A worker's gRPC server: "aio" (grpc.aio, calls on an event loop) or "threads" (a thread pool).
    grpc_server: str = "threads"
    pack_paths: Sequence[str] = ()
    # (copy, original) for each frozen pack directory (frozen.py): findings name the original.
    pack_origins: Sequence[tuple[str, str]] = ()
    installed_packs: bool = True
    lock_file: str | None = None
    reflection: bool = True
    grace: float = 10.0
    drain_delay: float = 0.0  # NOT_SERVING but still serving, so load balancers move away first
    log_level: str = "info"
    max_message_bytes: int = 16 * 1024 * 1024
    # Close a client connection after this many seconds (0: never), so that round-robin clients
    # re-resolve and spread onto replicas added since they connected. Calls get `grace` to finish.
    max_connection_age: float = 0.0
    metrics_host: str | None = None  # default: the --host
    metrics_port: int | None = None  # None: no /metrics; 0: a free port (logged)
    admin_host: str = "127.0.0.1"
    admin_port: int | None = None  # None: no Admin service; 0: a free port (logged)
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None  # given: clients must present a certificate it signed
    # The decision record (store/): `policyhub serve` keeps it in SQLite by default; off here.
    decision_store: StoreConfig = field(default_factory=lambda: StoreConfig(store="none"))
    # Who builds and commits a worker's held records (batches, stream groups, aio calls): "process"
    # (a record writer process beside each worker, store/writer.py) or "inline" (the worker itself).
    decision_writer: str = "process"

    def source(self) -> PackSource:
        from .reload import PackSource

        return PackSource(tuple(self.pack_paths), self.installed_packs, self.lock_file, tuple(self.pack_origins))

    def credentials(self) -> grpc.ServerCredentials | None:
        """TLS credentials when a certificate is configured; mTLS with a client CA."""
        if not (self.tls_cert or self.tls_key or self.tls_client_ca):
            return None
        if not (self.tls_cert and self.tls_key):
            raise ValueError("TLS needs both --tls-cert and --tls-key")
        pair = (Path(self.tls_key).read_bytes(), Path(self.tls_cert).read_bytes())
        client_ca = Path(self.tls_client_ca).read_bytes() if self.tls_client_ca else None
        return grpc.ssl_server_credentials([pair], root_certificates=client_ca,
                                           require_client_auth=client_ca is not None)


def bind(server: grpc.Server, address: str, config: ServerConfig) -> int:
    credentials = config.credentials()
    port = server.add_secure_port(address, credentials) if credentials else server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"could not bind {address}")
    return port


def _reserve_port(host: str, port: int) -> socket.socket:
    """Bind (without listening) so the port is ours; workers bind it too through SO_REUSEPORT."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    return sock


def _run_worker(config: ServerConfig, index: int, control, metrics_pipe=None) -> None:
    """The spawned process's entry point; the worker module (engine, packs) is imported only there."""
    from .worker import run_worker

    run_worker(config, index, control, metrics_pipe)


class _Worker:
    def __init__(self, context, config: ServerConfig, index: int) -> None:
        self.control, worker_end = context.Pipe()
        self.metrics, metrics_end = context.Pipe()  # "flush your counts" before each scrape
        self.process = context.Process(
            target=_run_worker, args=(config, index, worker_end, metrics_end), name=f"policyhub-worker-{index}"
        )
        self.process.start()
        worker_end.close()
        metrics_end.close()

    def close(self) -> None:
        self.control.close()
        self.metrics.close()


class Supervisor:
    """Starts, watches, reloads and stops the worker processes."""

    def __init__(self, config: ServerConfig, stats: metrics.SupervisorMetrics) -> None:
        self.config = config
        self.stats = stats
        self._context = multiprocessing.get_context("spawn")  # gRPC must not be forked after it starts
        self._lock = threading.Lock()  # one reload or restart at a time
        self.workers: list[_Worker] = []
        # What the workers load: a frozen copy of the accepted pack set (frozen.py), so that a
        # worker restarted after a crash serves what its siblings serve, whatever is on disk now.
        self.frozen = FrozenPacks()
        self.serving = config

    def start(self) -> None:
        self.serving = self.frozen.freeze(self.config)
        self.workers = [_Worker(self._context, self.serving, i) for i in range(self.config.workers)]

    def metrics_pipes(self) -> list:
        """The live workers' flush pipes (metrics.FlushBeforeScrape)."""
        return [w.metrics for w in list(self.workers) if w.process.is_alive()]

    def restart_dead(self) -> bool:
        """Restart every dead worker; False (and none restarted) if one refused its pack set."""
        with self._lock:
            for index, worker in enumerate(self.workers):
                if worker.process.exitcode == EXIT_PACKS_REFUSED:
                    log.error("server_refused_packs", worker=index, exit_code=EXIT_PACKS_REFUSED,
                              reason="the pack set does not match the lock file (see packs_refused)")
                    return False
            for index, worker in enumerate(self.workers):
                if worker.process.is_alive():
                    continue
                self.stats.worker_restarts += 1
                log.error("worker_died", worker=index, exitcode=worker.process.exitcode,
                          restarts=self.stats.worker_restarts)
                metrics.worker_exited(worker.process.pid)
                worker.close()
                self.workers[index] = _Worker(self._context, self.serving, index)  # the accepted set, not disk
            self.stats.workers_alive = sum(w.process.is_alive() for w in self.workers)
        return True

    def reload(self) -> admin_pb2.ReloadResponse:
        """Tell every worker to reload; accepted only if every worker swapped the new set in."""
        response = admin_pb2.ReloadResponse()
        with self._lock:
            try:
                candidate = self.frozen.freeze(self.config)  # the packs on disk now: what is checked is what is served
            except OSError as exc:
                response.workers.extend(admin_pb2.WorkerReload(worker=i, findings=[f"cannot copy the packs: {exc}"])
                                        for i in range(len(self.workers)))
                return self._answered(response)
            for index, worker in enumerate(self.workers):
                try:
                    worker.control.send(("reload", tuple(candidate.pack_paths), tuple(candidate.pack_origins)))
                except OSError:
                    response.workers.add(worker=index, findings=["worker is not running"])
                    continue
            for index, worker in enumerate(self.workers):
                if any(w.worker == index for w in response.workers):
                    continue
                try:
                    answer = worker.control.recv() if worker.control.poll(RELOAD_TIMEOUT_S) else None
                except (EOFError, OSError):
                    answer = None
                if answer is None:
                    response.workers.add(worker=index, findings=["worker did not answer the reload"])
                else:
                    response.workers.add(**answer)
            response.workers.sort(key=lambda w: w.worker)
            response.accepted = bool(response.workers) and all(w.accepted for w in response.workers)
            if response.accepted:
                self.frozen.discard(self.serving)
                self.serving = candidate
            elif not any(w.accepted for w in response.workers):
                self.frozen.discard(candidate)
            # (accepted by some workers only, e.g. one did not answer: both copies are kept, and a
            # restarted worker gets the set accepted before)
        return self._answered(response)

    def _answered(self, response: admin_pb2.ReloadResponse) -> admin_pb2.ReloadResponse:
        response.workers.sort(key=lambda w: w.worker)
        response.accepted = bool(response.workers) and all(w.accepted for w in response.workers)
        self.stats.reloads["accepted" if response.accepted else "refused"] += 1
        log.info("reload", accepted=response.accepted,
                 generations=[w.generation for w in response.workers],
                 findings=sorted({f for w in response.workers for f in w.findings}))
        return response

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()  # SIGTERM: the worker drains
        deadline = time.monotonic() + self.config.drain_delay + self.config.grace + 5
        for worker in self.workers:
            worker.process.join(max(deadline - time.monotonic(), 0.1))
            if worker.process.is_alive():
                worker.process.kill()
            worker.close()
        self.frozen.close()


def _open_record(store_config: StoreConfig):
    """(store, pseudonymiser) with the schema migrated, or None when the record is off."""
    if not store_config.enabled:
        return None
    from ..store.config import open_store

    return open_store(store_config, migrate=True)


def _describe(store_config: StoreConfig, record) -> str:
    """The store for the `serving` line, without a password that a PostgreSQL URL may hold."""
    if record is None:
        return "none"
    if store_config.is_postgresql:
        from urllib.parse import urlsplit

        url = urlsplit(store_config.store)
        return f"postgresql://{url.hostname or ''}{f':{url.port}' if url.port else ''}{url.path}"
    return f"sqlite:///{record[0].path}"


class _Retention:
    """Removes records past --retention-days at start and then hourly, and checkpoints an SQLite
    store's WAL about once a second (the supervisor's loop)."""

    EVERY_S = 3600.0

    def __init__(self, store_config: StoreConfig, store) -> None:
        self.days, self.store, self.next, self.next_checkpoint = store_config.retention_days, store, 0.0, 0.0

    def tick(self) -> None:
        if self.store is None:
            return
        checkpoint = getattr(self.store, "checkpoint", None)  # SQLite: the WAL copied back, off the workers' path
        if checkpoint is not None and time.monotonic() >= self.next_checkpoint:
            self.next_checkpoint = time.monotonic() + 1.0
            try:
                checkpoint()
            except Exception as exc:
                log.error("checkpoint_failed", error=f"{type(exc).__name__}")
        if not self.days or time.monotonic() < self.next:
            return
        self.next = time.monotonic() + self.EVERY_S
        import datetime as dt

        cutoff = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=self.days)).isoformat(timespec="microseconds")
        try:
            removed = self.store.purge_before(cutoff.replace("+00:00", "Z"))
        except Exception as exc:  # the store may be down: try again next hour
            log.error("retention_failed", error=f"{type(exc).__name__}")
            return
        if removed:
            log.info("retention", removed=removed, days=self.days)


class AdminServicer(admin_pb2_grpc.AdminServicer):
    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor

    def Reload(self, request, context):
        return self.supervisor.reload()


def _admin_server(supervisor: Supervisor, config: ServerConfig, record=None):
    from ..api import decoding

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="policyhub-admin"))
    # Not the generated add_AdminServicer_to_server: bytes that do not parse are INVALID_ARGUMENT, not INTERNAL.
    decoding.add_servicer(AdminServicer(supervisor), server, admin_pb2.DESCRIPTOR.services_by_name["Admin"])
    if record is not None:  # policyhub.v1.Decisions: the record is looked up here, never on the public port
        from ..store.service import add_decisions_service

        store, pseudonymise = record  # (store, pseudonymiser) from _open_record
        add_decisions_service(server, store, pseudonymise, config.source())
    port = bind(server, f"{config.admin_host}:{config.admin_port}", config)
    server.start()
    return server, port


def supervise(config: ServerConfig) -> int:
    """Run `config.workers` worker processes until SIGTERM/SIGINT; restart any that dies."""
    logs.configure(config.log_level)
    config.credentials()  # a bad TLS setting fails here, before any worker starts
    record = _open_record(config.decision_store)  # migrated (and its key made) before any worker writes
    reserved = _reserve_port(config.host, config.port)
    config.port = reserved.getsockname()[1]
    metrics_dir, created = metrics.prepare_multiprocess_dir()  # before any worker starts
    stats = metrics.SupervisorMetrics()
    supervisor = Supervisor(config, stats)
    stopping, reload_requested = threading.Event(), threading.Event()

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, lambda signum, frame: reload_requested.set())
    supervisor.start()
    serving = {"host": config.host, "port": config.port, "workers": config.workers, "tls": config.tls_cert is not None}
    metrics_server = admin_server = None
    if config.metrics_port is not None:
        metrics_server, serving["metrics_port"] = metrics.serve_metrics(
            config.metrics_host or config.host, config.metrics_port, stats, supervisor.metrics_pipes
        )
    if config.admin_port is not None:
        admin_server, serving["admin_port"] = _admin_server(supervisor, config, record)
    serving["decision_store"] = _describe(config.decision_store, record)
    log.info("serving", **serving)
    exit_code = 0
    retention = _Retention(config.decision_store, record[0] if record else None)
    while not stopping.wait(0.2):
        retention.tick()
        if not supervisor.restart_dead():
            exit_code = EXIT_PACKS_REFUSED
            break
        if reload_requested.is_set():
            reload_requested.clear()
            supervisor.reload()
    if admin_server is not None:
        admin_server.stop(0)
    supervisor.stop()
    if metrics_server is not None:
        metrics_server.shutdown()
    reserved.close()
    metrics.remove_multiprocess_dir(metrics_dir, created)
    log.info("stopped", restarts=stats.worker_restarts, exit_code=exit_code)
    return exit_code
