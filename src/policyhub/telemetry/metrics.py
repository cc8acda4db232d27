"""Prometheus metrics.

Workers are separate processes, so prometheus_client runs in its multiprocess mode: the
supervisor sets PROMETHEUS_MULTIPROC_DIR before it spawns them, each worker writes its samples
to files there, and the supervisor's HTTP endpoint adds them up (`serve_metrics`). Without a
supervisor (tests, `policyhub eval`) the same metrics live in the process as usual.

A worker counts its decisions and calls in plain Python (`hold`) and writes them to its files
in one go: when the supervisor is scraped (it asks every worker to flush first and waits for
them, so a scrape sees every call answered before it began), every FLUSH_SECONDS, and when the
worker stops. A decision cost three locked mmap writes when written as made (≈ 10 µs, as much
again for the call's own count and time); held, it costs a few additions under one lock. A worker
killed with -9 loses what it held: at most the last FLUSH_SECONDS of counts (and none made before
the last scrape). The decision record, not the metrics, is the account that loses nothing.

Labels carry only pack refs, submission kinds, outcomes, gRPC method names and status codes:
nothing a caller wrote ever becomes a label.
"""

from __future__ import annotations

import atexit
import inspect
import os
import shutil
import tempfile
import threading
import time
from bisect import bisect_left
from typing import Any, Callable

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

EVALUATIONS = Counter(
    "policyhub_evaluations", "Decisions made, by pack, submission kind and outcome.",
    ["pack", "kind", "outcome"],
)
EVALUATION_ERRORS = Counter(
    "policyhub_evaluation_errors", "Evaluations that ended in an error, by gRPC status code.", ["code"]
)
EVALUATION_SECONDS = Histogram(
    "policyhub_evaluation_seconds", "Time to evaluate one submission, by pack.", ["pack"],
    buckets=_LATENCY_BUCKETS,
)
RPCS = Counter("policyhub_rpcs", "Calls handled, by method and status code.", ["method", "code"])
RPC_SECONDS = Histogram(
    "policyhub_rpc_seconds", "Time to handle one call, by method.", ["method"], buckets=_LATENCY_BUCKETS
)
PACK_LOADED = Gauge(
    "policyhub_pack_loaded", "1 for each pack version a worker serves.", ["pack", "version"],
    multiprocess_mode="livemax",
)
PACK_GENERATION = Gauge(
    "policyhub_pack_generation", "The newest pack generation a worker serves.", multiprocess_mode="livemax"
)


class _Held:
    """Counts and times added up in this process between flushes (see the module's docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the additions (calls on several threads)
        self.flushing = threading.Lock()  # one flush at a time: a flush returns once all it took is written
        self.dirty: list[_CountAndTime] = []


# Set in a worker by `hold`: counts are held here until a flush; None: written as made.
_HELD: _Held | None = None
FLUSH_SECONDS = 1.0
FLUSH_ENV = "POLICYHUB_METRICS_FLUSH_SECONDS"


class _CountAndTime:
    """A counter's series and a histogram's, counted and timed together (a decision, a call)."""

    __slots__ = ("counter", "histogram", "bounds", "count", "total", "buckets", "dirty")

    def __init__(self, counter, histogram) -> None:
        self.counter, self.histogram = counter, histogram
        self.bounds = histogram._upper_bounds  # ends with +Inf
        self.count, self.total, self.buckets, self.dirty = 0, 0.0, [0] * len(self.bounds), False

    def add(self, seconds: float) -> None:
        held = _HELD
        if held is None:
            self.counter.inc()
            self.histogram.observe(seconds)
            return
        with held.lock:
            self.count += 1
            self.total += seconds
            self.buckets[bisect_left(self.bounds, seconds)] += 1  # the first bucket whose bound >= seconds, as observe
            if not self.dirty:
                self.dirty = True
                held.dirty.append(self)

    def take(self) -> tuple[int, float, list[int]]:
        """What is held (call under the held lock), and none held after."""
        taken = self.count, self.total, self.buckets
        self.count, self.total, self.buckets, self.dirty = 0, 0.0, [0] * len(self.bounds), False
        return taken

    def write(self, count: int, total: float, buckets: list[int]) -> None:
        self.counter.inc(count)
        self.histogram._sum.inc(total)  # prometheus_client's Histogram.observe, for many observations at once
        for bucket, n in zip(self.histogram._buckets, buckets):
            if n:
                bucket.inc(n)


def hold() -> None:
    """From now on this process holds its counts and writes them at each `flush` (a worker in
    multiprocess mode); a thread flushes every FLUSH_SECONDS, and the process's exit flushes."""
    global _HELD
    if _HELD is not None:
        return
    _HELD = _Held()
    atexit.register(flush)
    seconds = float(os.environ.get(FLUSH_ENV) or FLUSH_SECONDS)  # tests lengthen it, to see the other flushes alone

    def every() -> None:
        while True:
            time.sleep(seconds)
            flush()

    threading.Thread(target=every, name="metrics-flusher", daemon=True).start()


def flush() -> None:
    """Write every count held so far to the process's metric files; returns once they are written."""
    held = _HELD
    if held is None:
        return
    with held.flushing:
        with held.lock:
            dirty, held.dirty = held.dirty, []
            taken = [(series, series.take()) for series in dirty]
        for series, values in taken:
            series.write(*values)


def serve_flushes(pipe) -> None:
    """A worker's side of the supervisor's scrape: flush when asked, then answer with the request's number."""
    while True:
        try:
            number = pipe.recv()
        except (EOFError, OSError):  # the supervisor is gone
            return
        flush()
        try:
            pipe.send(number)
        except OSError:
            return


class FlushBeforeScrape:
    """The supervisor's first collector: before the workers' files are read, each worker is asked
    to write what it holds, and the scrape waits for their answers (at most WAIT seconds: a worker
    that does not answer, e.g. one dying, is read as its files are)."""

    WAIT = 2.0

    def __init__(self, pipes: Callable[[], list]) -> None:
        self._pipes = pipes  # the live workers' flush pipes, read at each scrape
        self._lock = threading.Lock()  # one scrape's requests and answers at a time on the pipes
        self._number = 0

    def describe(self) -> list:
        return []

    def collect(self) -> list:
        with self._lock:
            self._number += 1
            asked = []
            for pipe in self._pipes():
                try:
                    pipe.send(self._number)
                    asked.append(pipe)
                except (OSError, ValueError):  # closed: the worker has gone
                    pass
            deadline = time.monotonic() + self.WAIT
            for pipe in asked:
                try:
                    # an answer to an earlier scrape that came too late is passed over
                    while pipe.poll(max(deadline - time.monotonic(), 0)) and pipe.recv() != self._number:
                        pass
                except (EOFError, OSError, ValueError):
                    pass
        return []


# The labelled series each decision counts in, found once per (pack, kind, outcome): `.labels()`
# costs more than the increment itself. Bounded by packs x kinds x 2; prometheus keeps them anyway.
_DECISION_SERIES: dict[tuple[str, str, bool], _CountAndTime] = {}


def record_decision(pack: str, kind: str, compliant: bool, seconds: float) -> None:
    series = _DECISION_SERIES.get((pack, kind, compliant))
    if series is None:
        series = _DECISION_SERIES[(pack, kind, compliant)] = _CountAndTime(
            EVALUATIONS.labels(pack, kind, "compliant" if compliant else "non_compliant"),
            EVALUATION_SECONDS.labels(pack),
        )
    series.add(seconds)


def record_error(code: grpc.StatusCode) -> None:
    EVALUATION_ERRORS.labels(code.name).inc()


def record_packs(served: list[tuple[str, str]], retired: list[tuple[str, str]], generation: int) -> None:
    """The packs now served by this process (retired ones drop to 0)."""
    for pack_id, version in retired:
        PACK_LOADED.labels(pack_id, version).set(0)
    for pack_id, version in served:
        PACK_LOADED.labels(pack_id, version).set(1)
    PACK_GENERATION.set(generation)


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts and times every call by method and final status code."""

    def intercept_service(self, continuation, handler_call_details):
        # gRPC asks on every call: the wrapped handler of a method is made once (bounded by the
        # methods served) and handed out again, not a new closure and handler per call.
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        key = (handler_call_details.method, id(handler))
        wrapped = self._wrapped.get(key)
        if wrapped is None or wrapped[0] is not handler:
            wrapped = self._wrapped[key] = (handler, self._wrap(handler_call_details.method.rsplit("/", 1)[-1], handler))
        return wrapped[1]

    def _wrap(self, method: str, handler):
        if handler.unary_unary:
            return handler._replace(unary_unary=self._unary(method, handler.unary_unary))
        if handler.stream_unary:
            return handler._replace(stream_unary=self._unary(method, handler.stream_unary))
        if handler.unary_stream:
            return handler._replace(unary_stream=self._streaming(method, handler.unary_stream))
        return handler._replace(stream_stream=self._streaming(method, handler.stream_stream))

    def __init__(self) -> None:
        # (method, code) -> its labelled series, found once: `.labels()` costs more than the
        # update. Bounded by methods x status codes.
        self._series: dict[tuple[str, grpc.StatusCode], _CountAndTime] = {}
        self._wrapped: dict[tuple[str, int], tuple[Any, Any]] = {}  # (method, id(handler)) -> (handler, wrapped)

    def _done(self, method: str, context, started: float, failed: bool) -> None:
        code = context.code() or (grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK)
        series = self._series.get((method, code))
        if series is None:
            series = self._series[(method, code)] = _CountAndTime(RPCS.labels(method, code.name), RPC_SECONDS.labels(method))
        series.add(time.perf_counter() - started)

    def _unary(self, method: str, behavior: Callable):
        def wrapped(request, context):
            started, failed = time.perf_counter(), True
            try:
                response = behavior(request, context)
                failed = False
                return response
            finally:
                self._done(method, context, started, failed)

        return wrapped

    def _streaming(self, method: str, behavior: Callable):
        def wrapped(request, context):
            started, failed = time.perf_counter(), True
            try:
                yield from behavior(request, context)
                failed = False
            finally:
                self._done(method, context, started, failed)

        return wrapped


class AioMetricsInterceptor(grpc.aio.ServerInterceptor):
    """MetricsInterceptor for a grpc.aio server: coroutine handlers are timed as coroutines, plain
    ones (run in the server's thread pool) as the sync server times them. A method's wrapped
    handler is made once, not per call."""

    def __init__(self) -> None:
        self._sync = MetricsInterceptor()
        self._wrapped: dict[tuple[str, int], Any] = {}

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        key = (handler_call_details.method, id(handler))
        wrapped = self._wrapped.get(key)
        if wrapped is None:
            wrapped = self._wrapped[key] = self._wrap(handler_call_details.method.rsplit("/", 1)[-1], handler)
        return wrapped

    def _wrap(self, method: str, handler):
        sync = self._sync
        for kind, streaming in (("unary_unary", False), ("stream_unary", False),
                                ("unary_stream", True), ("stream_stream", True)):
            behavior = getattr(handler, kind)
            if behavior is None:
                continue
            if inspect.isasyncgenfunction(behavior):
                wrapped = self._async_streaming(method, behavior)
            elif inspect.iscoroutinefunction(behavior):  # a coroutine, also one that streams by context.write
                wrapped = self._async_unary(method, behavior)
            else:
                wrapped = sync._streaming(method, behavior) if streaming else sync._unary(method, behavior)
            return handler._replace(**{kind: wrapped})
        return handler

    def _async_unary(self, method: str, behavior: Callable):
        done = self._sync._done

        async def wrapped(request, context):
            started, failed = time.perf_counter(), True
            try:
                response = await behavior(request, context)
                failed = False
                return response
            finally:
                done(method, context, started, failed)

        return wrapped

    def _async_streaming(self, method: str, behavior: Callable):
        done = self._sync._done

        async def wrapped(request, context):
            started, failed = time.perf_counter(), True
            try:
                async for response in behavior(request, context):
                    yield response
                failed = False
            finally:
                done(method, context, started, failed)

        return wrapped


class SupervisorMetrics:
    """The supervisor's own figures, read live at each scrape (they are not per worker)."""

    def __init__(self) -> None:
        self.worker_restarts = 0
        self.workers_alive = 0
        self.reloads = {"accepted": 0, "refused": 0}

    def collect(self):
        restarts = CounterMetricFamily("policyhub_worker_restarts", "Workers restarted after dying.")
        restarts.add_metric([], self.worker_restarts)
        yield restarts
        alive = GaugeMetricFamily("policyhub_workers_alive", "Worker processes running now.")
        alive.add_metric([], self.workers_alive)
        yield alive
        reloads = CounterMetricFamily("policyhub_reloads", "Pack reloads, by outcome.", labels=["outcome"])
        for outcome, count in self.reloads.items():
            reloads.add_metric([outcome], count)
        yield reloads


def prepare_multiprocess_dir() -> tuple[str, bool]:
    """The directory workers write their samples to: ops' own if set, else a fresh one.

    Returns (directory, whether we created it and must remove it).
    """
    existing = os.environ.get(MULTIPROC_ENV)
    if existing:
        os.makedirs(existing, exist_ok=True)
        for name in os.listdir(existing):  # samples of an earlier run would be added in
            if name.endswith(".db"):
                os.remove(os.path.join(existing, name))
        return existing, False
    directory = tempfile.mkdtemp(prefix="policyhub-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    return directory, True


def remove_multiprocess_dir(directory: str, created: bool) -> None:
    if created:
        shutil.rmtree(directory, ignore_errors=True)


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (its counters keep counting in the totals)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def serve_metrics(host: str, port: int, supervisor: SupervisorMetrics, flush_pipes: Callable[[], list] | None = None):
    """Serve /metrics over HTTP: every worker's samples added up, plus the supervisor's.
    `flush_pipes`: the live workers' flush pipes, asked to flush before each scrape.

    Returns (server, bound port).
    """
    registry = CollectorRegistry()
    if flush_pipes is not None:
        registry.register(FlushBeforeScrape(flush_pipes))  # first: collectors run in registration order
    multiprocess.MultiProcessCollector(registry)
    registry.register(supervisor)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server, server.server_port
