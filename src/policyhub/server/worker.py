"""A worker process: the packs, one gRPC server with PolicyHub, health and reflection, reloads.

The server is gRPC's thread-pool server (`--grpc-server threads`, the default: faster for unary
calls, batches and streams on the machine measured, since gRPC's C core does a call's I/O on its
own threads while a pool thread evaluates) or its asyncio server (`aio`: calls and a stream's
messages handled on one event loop with no thread hand-off per message, the decision record
committed by a writer thread). bench/README.md measures both side by side.

The supervisor (supervisor.py) spawns it and never imports this module itself: the engine and the
packs' machinery are the workers' alone, and the supervisor starts them sooner without them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from concurrent import futures
from dataclasses import asdict

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ..api import decoding
from ..telemetry import logs, metrics
from ..domain.errors import PackLoadError
from ..evaluation.evaluator import Evaluator
from .reload import PackSource, ReloadResult, reload_packs
from .supervisor import EXIT_PACKS_REFUSED, SERVICE_NAME, ServerConfig, bind
from ..api.service import AioPolicyHubServicer, PolicyHubServicer
from ..v1 import policyhub_pb2

log = structlog.get_logger("policyhub.server")


def server_options(config: ServerConfig, reuse_port: bool) -> list[tuple[str, int]]:
    """The channel options both server kinds take: port sharing, message limits, connection age."""
    limit = config.max_message_bytes
    options = [
        ("grpc.so_reuseport", 1 if reuse_port else 0),
        ("grpc.max_receive_message_length", limit),
        ("grpc.max_send_message_length", limit),
    ]
    if config.max_connection_age > 0:
        options += [("grpc.max_connection_age_ms", int(config.max_connection_age * 1000)),
                    ("grpc.max_connection_age_grace_ms", int(config.grace * 1000))]
    return options


def build_server(evaluator: Evaluator, address: str, config: ServerConfig, reuse_port: bool):
    """A ready (not yet started) grpc.Server with PolicyHub, health and reflection.

    Returns (server, bound port, health servicer); health says NOT_SERVING until `mark_serving`.
    """
    options = server_options(config, reuse_port)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="policyhub"),
        interceptors=[metrics.MetricsInterceptor()],
        options=options,
    )
    # Not the generated add_PolicyHubServicer_to_server: bytes that do not parse are INVALID_ARGUMENT.
    decoding.add_servicer(PolicyHubServicer(evaluator), server, policyhub_pb2.DESCRIPTOR.services_by_name["PolicyHub"])
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if config.reflection:
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
    port = bind(server, address, config)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    return server, port, health_servicer


def build_aio_server(evaluator: Evaluator, address: str, config: ServerConfig, reuse_port: bool):
    """build_server's grpc.aio.Server (call inside the running loop); health is the asyncio one."""
    options = server_options(config, reuse_port)
    server = grpc.aio.server(
        # a method left a plain function (none of PolicyHub's now) runs in this pool
        migration_thread_pool=futures.ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="policyhub"),
        interceptors=[metrics.AioMetricsInterceptor()],
        options=options,
    )
    decoding.add_servicer(AioPolicyHubServicer(evaluator), server, policyhub_pb2.DESCRIPTOR.services_by_name["PolicyHub"])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if config.reflection:
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
    port = bind(server, address, config)
    return server, port, _LoopHealth(health_servicer, asyncio.get_running_loop())


class _LoopHealth:
    """The asyncio health servicer's `set`, callable from any thread (the store's watcher, the
    writer thread whose commit failed) and from the loop: each change is run on the loop, in order."""

    def __init__(self, servicer, loop: asyncio.AbstractEventLoop) -> None:
        self.servicer, self.loop = servicer, loop
        for name in ("", SERVICE_NAME):
            self.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)  # until mark_serving

    def set(self, name: str, status) -> None:
        asyncio.run_coroutine_threadsafe(self.servicer.set(name, status), self.loop)


def mark_serving(health_servicer, serving: bool, names=("", SERVICE_NAME)) -> None:
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in names:
        health_servicer.set(name, status)


def _recorder(config: ServerConfig):
    """The decision record's hook for this worker's evaluator, or None when the record is off."""
    if not config.decision_store.enabled:
        return None
    from ..store.config import open_store
    from ..store.recorder import Recorder

    store, pseudonymise = open_store(config.decision_store)  # the supervisor migrated it
    writer = None
    if config.decision_writer == "process":
        from ..store.writer import WriterClient

        writer = WriterClient(config.decision_store)  # started once the worker serves (_serving)
    return Recorder(store, pseudonymise, writer)


def _watch_store(recorder, health_servicer, stopped: threading.Event, draining: threading.Event) -> None:
    """The store's state on health: a failed write turns policyhub.v1.PolicyHub NOT_SERVING (a
    readiness probe takes the replica out; liveness, on "", leaves it running); this probe turns it
    back once the store answers again. The whole server ("") stays SERVING: restarting would not help."""
    def changed(healthy: bool) -> None:
        if not draining.is_set():
            mark_serving(health_servicer, healthy, names=(SERVICE_NAME,))

    recorder.on_health = changed
    recorder.probe()
    while not stopped.wait(1.0):
        if not recorder.healthy:
            recorder.probe()


def _publish_packs(evaluator: Evaluator, before: list[tuple[str, str]]) -> list[tuple[str, str]]:
    served = [(p.id, p.version) for p in evaluator.registry.packs()]
    metrics.record_packs(served, [ref for ref in before if ref not in served], evaluator.live.generation)
    return served


def _serve_reloads(control, evaluator: Evaluator, source: PackSource, index: int) -> None:
    """Worker side of the reload pipe: one reload per message, the result sent back."""
    served = _publish_packs(evaluator, [])
    while True:
        try:
            message = control.recv()
        except (EOFError, OSError):  # the supervisor is gone
            return
        if isinstance(message, tuple) and message[0] == "reload":  # the supervisor's frozen copy of the packs
            candidate = PackSource(tuple(message[1]), installed=False, lock_file=source.lock_file, origins=message[2])
        else:
            candidate = source
        try:
            result = reload_packs(evaluator, candidate)
        except Exception as exc:  # never leave the supervisor waiting
            log.exception("reload_failed", worker=index)
            result = ReloadResult(False, evaluator.live.generation, findings=[f"{type(exc).__name__}: {exc}"])
        served = _publish_packs(evaluator, served)
        control.send({"worker": index, **asdict(result)})


def run_worker(config: ServerConfig, index: int, control=None, metrics_pipe=None) -> None:
    """One worker process: load the packs, serve until SIGTERM, then drain."""
    logs.configure(config.log_level, buffered=True)
    if os.environ.get(metrics.MULTIPROC_ENV):  # counts held in the process, written at each scrape (metrics.py)
        metrics.hold()
        if metrics_pipe is not None:
            threading.Thread(target=metrics.serve_flushes, args=(metrics_pipe,), name="metrics-flushes", daemon=True).start()
    source = config.source()
    try:
        # With a lock file the set is served whole or not at all, as a reload requires: a pack
        # that fails its lock (or does not load) keeps this worker from ever listening.
        registry = source.load(strict=source.lock_file is not None)
    except PackLoadError as exc:
        log.error("packs_refused", worker=index, lock_file=source.lock_file, findings=exc.findings)
        sys.exit(EXIT_PACKS_REFUSED)
    recorder = _recorder(config)
    evaluator = Evaluator(registry, hook=recorder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides; Ctrl-C reaches it too
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # reloads come from the supervisor, to all workers
    if config.grpc_server == "aio":
        asyncio.run(_serve_aio(config, index, control, evaluator, recorder, source))
    else:
        _serve_threads(config, index, control, evaluator, recorder, source)
    logs.flush()  # the calls' decision lines before the worker says it stopped
    metrics.flush()
    log.info("worker_stopped", worker=index)


def wait_handling_signals(event: threading.Event, poll: float = 0.2) -> None:
    """Block the main thread until `event` is set, running signal handlers meanwhile.

    Not a bare `event.wait()`: when SIGTERM lands on one of the busy evaluating threads (the kernel
    may pick any thread that does not block it), CPython only flags it for the main thread, and a
    main thread asleep in an untimed lock wait never looks — the worker kept serving (health
    SERVING) through a drain it had been told to start. Waking every `poll` seconds runs the
    pending handler within that time.
    """
    while not event.wait(poll):
        pass


def _serving(config: ServerConfig, index: int, control, evaluator: Evaluator, recorder, source: PackSource,
             health_servicer, port: int, stopped: threading.Event, draining: threading.Event) -> None:
    """Once the server has started: reloads, SERVING, the store's watcher, the `worker_serving` line."""
    if control is not None:
        threading.Thread(target=_serve_reloads, args=(control, evaluator, source, index), daemon=True).start()
    mark_serving(health_servicer, True)
    if recorder is not None and recorder.writer is not None:
        recorder.writer.start()  # in the background: records are committed here until it is ready
    if recorder is not None:
        threading.Thread(target=_watch_store, args=(recorder, health_servicer, stopped, draining), daemon=True).start()
    log.info("worker_serving", worker=index, pid=os.getpid(), port=port, packs=[p.ref for p in evaluator.registry.packs()],
             grpc_server=config.grpc_server)


def _serve_threads(config: ServerConfig, index: int, control, evaluator: Evaluator, recorder, source: PackSource) -> None:
    server, port, health_servicer = build_server(evaluator, f"{config.host}:{config.port}", config, reuse_port=True)
    stopped, draining = threading.Event(), threading.Event()

    def drain(signum, frame):
        draining.set()
        mark_serving(health_servicer, False)
        log.info("worker_draining", worker=index, grace_s=config.grace, delay_s=config.drain_delay)

        def stop():
            time.sleep(config.drain_delay)
            server.stop(config.grace).wait()
            stopped.set()

        threading.Thread(target=stop, daemon=True).start()

    signal.signal(signal.SIGTERM, drain)
    server.start()
    _serving(config, index, control, evaluator, recorder, source, health_servicer, port, stopped, draining)
    wait_handling_signals(stopped)
    if recorder is not None:
        recorder.close()  # the writer process answers what it holds and exits


async def _serve_aio(config: ServerConfig, index: int, control, evaluator: Evaluator, recorder,
                     source: PackSource) -> None:
    server, port, health_servicer = build_aio_server(evaluator, f"{config.host}:{config.port}", config, reuse_port=True)
    stopped, draining = threading.Event(), threading.Event()
    done = asyncio.Event()

    async def stop():
        await asyncio.sleep(config.drain_delay)
        await server.stop(config.grace)  # in-flight calls finish (their records committed) within the grace
        if recorder is not None:
            await asyncio.get_running_loop().run_in_executor(None, recorder.close)
        stopped.set()
        done.set()

    def drain():
        if draining.is_set():
            return
        draining.set()
        mark_serving(health_servicer, False)
        log.info("worker_draining", worker=index, grace_s=config.grace, delay_s=config.drain_delay)
        tasks.add(asyncio.ensure_future(stop()))

    tasks: set[asyncio.Future] = set()  # held, so the stopping task is not collected midway
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, drain)
    await server.start()
    _serving(config, index, control, evaluator, recorder, source, health_servicer, port, stopped, draining)
    await done.wait()
