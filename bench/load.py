"""Load generators for the RPC benches; each runs in its own process (the GIL), started by `spawn`.

closed_loop: keeps `depth` calls in flight for `seconds` and counts what finished (max rate).
paced: sends unary calls on a fixed schedule (open loop) and returns each call's latency,
measured from when it was due, so a slow server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import traceback
from typing import Any

import grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

import ballots


def _requests(cases: int, seed: int, request_ids: bool = True) -> list[pb.EvaluateRequest]:
    requests = [request_from_dict(r) for r in ballots.generate(cases, seed)]
    if not request_ids:  # sent again and again, the same ids would be idempotent retries to a decision record
        for request in requests:
            request.request_id = ""
    return requests


def _payloads(kind: str, cases: int, seed: int, batch: int, request_ids: bool = True) -> list[Any]:
    requests = _requests(cases, seed, request_ids)
    if kind in ("unary", "stream"):
        return requests
    return [pb.EvaluateBatchRequest(requests=requests[i:i + batch]) for i in range(0, len(requests) - batch + 1, batch)]


def closed_loop(target: str, kind: str, cases: int, seed: int, batch: int, depth: int, seconds: float,
                barrier=None, request_ids: bool = True) -> dict[str, float]:
    """Calls (and submissions) completed in `seconds` by `depth` threads calling back to back; kind: unary | batch | stream."""
    payloads = _payloads(kind, cases, seed, batch, request_ids)
    channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)])
    stub = policyhub_pb2_grpc.PolicyHubStub(channel)
    grpc.channel_ready_future(channel).result(timeout=30)
    if barrier is not None:
        barrier.wait(timeout=300)  # every client process starts together
    if kind == "stream":
        result = _stream(stub, payloads, seconds)
        channel.close()
        return result
    method = stub.Evaluate if kind == "unary" else stub.EvaluateBatch
    per_call = 1 if kind == "unary" else batch
    counts = [[0, 0] for _ in range(depth)]  # per thread: calls, errors
    deadline = time.perf_counter() + seconds

    def caller(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            try:
                method(payloads[i % len(payloads)], timeout=60)
                counts[n][0] += 1
            except grpc.RpcError:
                counts[n][1] += 1
            i += depth

    started = time.perf_counter()
    threads = [threading.Thread(target=caller, args=(n,)) for n in range(depth)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    channel.close()
    calls = sum(c[0] for c in counts)
    return {"calls": calls, "submissions": calls * per_call, "errors": sum(c[1] for c in counts), "seconds": elapsed}


def _stream(stub, requests, seconds: float) -> dict[str, float]:
    deadline = time.perf_counter() + seconds
    sent = [0]

    def feed():
        i = 0
        while time.perf_counter() < deadline:
            yield requests[i % len(requests)]
            i += 1
        sent[0] = i

    started = time.perf_counter()
    received = errors = 0
    for result in stub.EvaluateStream(feed(), timeout=seconds + 120):
        if result.HasField("error"):
            errors += 1
        else:
            received += 1
    return {"calls": 1, "submissions": received, "errors": errors, "seconds": time.perf_counter() - started}


def paced(target: str, cases: int, seed: int, rate: float, seconds: float, barrier=None) -> dict[str, Any]:
    """Unary calls due every 1/rate s; latency of each from its due time to its answer."""
    requests = _requests(cases, seed)
    channel = grpc.insecure_channel(target)
    stub = policyhub_pb2_grpc.PolicyHubStub(channel)
    grpc.channel_ready_future(channel).result(timeout=30)
    for request in requests[:50]:  # warm the channel and the server
        stub.Evaluate(request, timeout=30)
    if barrier is not None:
        barrier.wait(timeout=300)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    total = int(rate * seconds)
    all_done = threading.Event()
    pending = [total]

    def finished(future, due: float) -> None:
        latency = time.perf_counter() - due
        with lock:
            if future.exception() is None:
                latencies.append(latency)
            else:
                errors[0] += 1
            pending[0] -= 1
            if pending[0] == 0:
                all_done.set()

    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        future = stub.Evaluate.future(requests[i % len(requests)], timeout=60)
        future.add_done_callback(lambda f, due=due: finished(f, due))
    all_done.wait(120)
    channel.close()
    return {"latencies": latencies, "errors": errors[0], "sent": total}


class ClientFailed(RuntimeError):
    pass


def _run(fn, kwargs, barrier, results, n) -> None:
    try:
        results.put((n, fn(**kwargs, barrier=barrier)))
    except BaseException:  # sent as text: an exception object may not pickle
        barrier.abort()
        results.put((n, ClientFailed(traceback.format_exc())))


def run_processes(fn, kwargs_list: list[dict]) -> list[Any]:
    """Run fn(**kwargs) in one spawned process each, all released at once when ready; their results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(kwargs_list))
    results = context.Queue()
    processes = [context.Process(target=_run, args=(fn, kw, barrier, results, n), daemon=True)
                 for n, kw in enumerate(kwargs_list)]
    for p in processes:
        p.start()
    collected: dict[int, Any] = {}
    try:
        deadline = time.monotonic() + 900
        while len(collected) < len(processes):
            try:
                n, value = results.get(timeout=1)
                collected[n] = value
            except queue.Empty:
                if time.monotonic() > deadline or not any(p.is_alive() for p in processes):
                    raise ClientFailed(f"client processes ended with {len(collected)} of {len(processes)} results") from None
    finally:
        for p in processes:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    for value in collected.values():
        if isinstance(value, BaseException):
            raise value
    return [collected[n] for n in range(len(processes))]
