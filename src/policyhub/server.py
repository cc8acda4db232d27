"""Serving: one gRPC server per worker process, several workers on one port, a supervisor.

The engine holds the GIL for the whole of an evaluation, so cores are used by processes, not
threads: every worker binds the same port with SO_REUSEPORT and the kernel spreads connections
across them. A supervisor holds the port (so nothing else takes it), starts the workers,
restarts one that dies (a crash in the C engine kills only its process), and on SIGTERM or
SIGINT lets each worker drain its in-flight calls within the grace period.
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
from typing import Sequence

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from . import logs
from .evaluator import Evaluator
from .registry import PackRegistry
from .service import PolicyHubServicer
from .v1 import policyhub_pb2, policyhub_pb2_grpc

log = structlog.get_logger("policyhub.server")

SERVICE_NAME = policyhub_pb2.DESCRIPTOR.services_by_name["PolicyHub"].full_name


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 50051
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    threads: int = 8
    pack_paths: Sequence[str] = ()
    installed_packs: bool = True
    reflection: bool = True
    grace: float = 10.0
    log_level: str = "info"


def build_server(registry: PackRegistry, address: str, config: ServerConfig, reuse_port: bool):
    """A started-ready (not yet started) grpc.Server with PolicyHub, health and reflection.

    Returns (server, bound port, health servicer).
    """
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="policyhub"),
        options=[("grpc.so_reuseport", 1 if reuse_port else 0)],
    )
    policyhub_pb2_grpc.add_PolicyHubServicer_to_server(PolicyHubServicer(Evaluator(registry)), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if config.reflection:
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
    port = server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"could not bind {address}")
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    return server, port, health_servicer


def mark_serving(health_servicer, serving: bool) -> None:
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, status)


def run_worker(config: ServerConfig, index: int) -> None:
    """One worker process: load the packs, serve until SIGTERM, then drain."""
    logs.configure(config.log_level)
    registry = PackRegistry.discover(config.pack_paths, installed=config.installed_packs)
    server, port, health_servicer = build_server(registry, f"{config.host}:{config.port}", config, reuse_port=True)
    stopped = threading.Event()

    def drain(signum, frame):
        mark_serving(health_servicer, False)
        log.info("worker_draining", worker=index, grace_s=config.grace)
        threading.Thread(target=lambda: (server.stop(config.grace).wait(), stopped.set()), daemon=True).start()

    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides; Ctrl-C reaches it too
    server.start()
    mark_serving(health_servicer, True)
    log.info("worker_serving", worker=index, pid=os.getpid(), port=port, packs=[p.ref for p in registry.packs()])
    stopped.wait()
    log.info("worker_stopped", worker=index)


def _reserve_port(host: str, port: int) -> socket.socket:
    """Bind (without listening) so the port is ours; workers bind it too through SO_REUSEPORT."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    return sock


def supervise(config: ServerConfig) -> int:
    """Run `config.workers` worker processes until SIGTERM/SIGINT; restart any that dies."""
    logs.configure(config.log_level)
    reserved = _reserve_port(config.host, config.port)
    config.port = reserved.getsockname()[1]
    context = multiprocessing.get_context("spawn")  # gRPC must not be forked after it starts
    stopping = threading.Event()

    def start(index: int):
        process = context.Process(target=run_worker, args=(config, index), name=f"policyhub-worker-{index}")
        process.start()
        return process

    def stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers = [start(i) for i in range(config.workers)]
    log.info("serving", host=config.host, port=config.port, workers=config.workers)
    restarts = 0
    while not stopping.wait(0.2):
        for i, process in enumerate(workers):
            if not process.is_alive():
                restarts += 1
                log.error("worker_died", worker=i, exitcode=process.exitcode, restarts=restarts)
                workers[i] = start(i)
    for process in workers:
        if process.is_alive():
            process.terminate()  # SIGTERM: the worker drains
    deadline = time.monotonic() + config.grace + 5
    for process in workers:
        process.join(max(deadline - time.monotonic(), 0.1))
        if process.is_alive():
            process.kill()
    reserved.close()
    log.info("stopped", restarts=restarts)
    return 0
