"""Client load for the fault tests and the soak: threads sending requests with known answers.

Each request's answer is computed in-process first (`expected`); over gRPC, every answer is
compared with it. A call failing UNAVAILABLE (its worker was killed, or restarting) is retried
until it is answered or `retry_for` seconds pass; a request never answered is lost.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import grpc

from policyhub.domain.errors import PolicyError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

# Channels share one connection per target unless each has its own subchannel pool: a client
# thread needs its own connection for the kernel to spread the load over the workers.
CLIENT_OPTIONS = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.use_local_subchannel_pool", 1)]


def comparable(decision: pb.Decision) -> dict:
    """A decision as canonical JSON without its (random) decision id."""
    data = decision_to_dict(decision)
    data.pop("decision_id")
    return {"decision": data}


def expected(evaluator: Evaluator, request: pb.EvaluateRequest) -> dict:
    try:
        return comparable(evaluator.evaluate(request))
    except PolicyError as exc:
        return {"error": exc.code.name, "message": exc.message}


def answer(stub, request: pb.EvaluateRequest, timeout: float = 60) -> dict:
    """The server's answer in the form of `expected`; UNAVAILABLE is raised, for the caller to retry."""
    try:
        return comparable(stub.Evaluate(request, timeout=timeout))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.UNAVAILABLE:
            raise
        return {"error": error.code().name, "message": error.details()}


@dataclass
class LoadFigures:
    answered: int = 0
    retries: int = 0
    lost: list[str] = field(default_factory=list)
    wrong: list[tuple[str, dict, dict]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)  # error answers by status (expected ones too)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (monotonic time, seconds)


class Load:
    def __init__(self, target: str, cases: list[tuple[pb.EvaluateRequest, dict]], threads: int = 4,
                 rate: float | None = None, retry_for: float = 60.0) -> None:
        """`rate`: requests per second over all threads (None: as fast as answered)."""
        self.figures = LoadFigures()
        self._target, self._cases, self._threads_count = target, cases, threads
        self._interval = threads / rate if rate else 0.0
        self._retry_for = retry_for
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def start(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> LoadFigures:
        self._stop.set()
        for thread in self._threads:
            thread.join(self._retry_for + 90)
        return self.figures

    def _run(self, number: int) -> None:
        mine = self._cases[number::self._threads_count]
        # A channel per thread: several connections, which the kernel spreads over the workers.
        with grpc.insecure_channel(self._target, options=CLIENT_OPTIONS) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            next_at = time.monotonic()
            i = 0
            while not self._stop.is_set():
                request, wanted = mine[i % len(mine)]
                i += 1
                if self._interval:
                    next_at += self._interval
                    pause = next_at - time.monotonic()
                    if pause > 0:
                        self._stop.wait(pause)
                self._call(stub, request, wanted)

    def _call(self, stub, request: pb.EvaluateRequest, wanted: dict) -> None:
        give_up = time.monotonic() + self._retry_for
        while True:
            started = time.monotonic()
            try:
                got = answer(stub, request)
                break
            except grpc.RpcError:  # UNAVAILABLE
                with self._lock:
                    self.figures.retries += 1
                if time.monotonic() > give_up:
                    with self._lock:
                        self.figures.lost.append(request.request_id)
                    return
                time.sleep(0.05)
        finished = time.monotonic()
        with self._lock:
            self.figures.answered += 1
            self.figures.latencies.append((finished, finished - started))
            if "error" in got:
                self.figures.errors[got["error"]] += 1
            if got != wanted:
                self.figures.wrong.append((request.request_id, got, wanted))
