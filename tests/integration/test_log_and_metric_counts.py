"""Every decision leaves one log line and one count, however calls come: workers buffer their
decision lines (written in PIPE_BUF-sized writes, by a flusher, and at shutdown) and hold their
counts (written when a scrape asks, every second, and at shutdown), and none may be lost or doubled. Counted against the calls made, on a real server with two workers."""

import os
import re
import signal
import threading
import time
import urllib.request

import grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from .conftest import DEMO_PACK, RunningServer

UNARY_THREADS, UNARY_EACH, BATCHES, BATCH_SIZE, STREAM, LAST = 4, 150, 3, 100, 200, 3


def demo(n: int) -> pb.EvaluateRequest:
    return request_from_dict({"locality": "demo", "date": "2020-06-01", "pledge": {"copies": n % 6}})


def evaluations_total(metrics_port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    return sum(float(value) for value in re.findall(r"^policyhub_evaluations_total\{[^}]*\} (\S+)$", text, re.M))


def test_every_call_leaves_one_decision_line_and_one_count(grpc_server):
    server = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK), "--decision-store", "none",
                           "--metrics-port", "0")
    stopped = False
    try:
        answered: list[str] = []
        lock = threading.Lock()
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)

            def unary(worker: int) -> None:
                for n in range(UNARY_EACH):
                    decision = stub.Evaluate(demo(n + worker), timeout=30)
                    with lock:
                        answered.append(decision.decision_id)

            threads = [threading.Thread(target=unary, args=(w,)) for w in range(UNARY_THREADS)]
            for thread in threads:
                thread.start()
            for _ in range(BATCHES):
                reply = stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=[demo(n) for n in range(BATCH_SIZE)]), timeout=60)
                answered += [r.decision.decision_id for r in reply.results]
            answered += [r.decision.decision_id for r in stub.EvaluateStream(iter([demo(n) for n in range(STREAM)]), timeout=60)]
            for thread in threads:
                thread.join()
            # and a few calls whose lines are far from filling a write: out by the flusher alone
            answered += [stub.Evaluate(demo(n), timeout=30).decision_id for n in range(LAST)]
        calls = UNARY_THREADS * UNARY_EACH + BATCHES * BATCH_SIZE + STREAM + LAST
        assert len(answered) == len(set(answered)) == calls
        # Workers hold their counts and write them when a scrape asks: the first scrape after the
        # calls sees every one of them (no waiting for a periodic flush), and a second none doubled.
        assert evaluations_total(server.serving["metrics_port"]) == calls
        assert evaluations_total(server.serving["metrics_port"]) == calls
        # Lines reach the log within the flush interval, and all of them by the time the workers stop.
        deadline = time.monotonic() + 10
        while len(server.events("decision")) < calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(e["decision_id"] for e in server.events("decision")) == sorted(answered)
        assert server.stop() == 0
        stopped = True
        time.sleep(0.2)  # the reader thread takes the last lines
        assert sorted(e["decision_id"] for e in server.events("decision")) == sorted(answered), "a line doubled at shutdown"
    finally:
        if not stopped:
            server.stop()


def test_counts_held_by_a_worker_are_written_when_it_stops_and_when_a_scrape_asks(grpc_server, monkeypatch):
    """With the periodic flush out of the way, only the scrape's request and the worker's exit
    write what a worker holds: a worker that drains (SIGTERM) and is restarted leaves every count,
    and one killed with -9 keeps those a scrape took before the kill."""
    monkeypatch.setenv("POLICYHUB_METRICS_FLUSH_SECONDS", "3600")
    server = RunningServer("--workers", "1", "--pack-path", str(DEMO_PACK), "--decision-store", "none",
                           "--metrics-port", "0")
    port = server.serving["metrics_port"]
    try:
        def evaluate(n: int) -> None:
            with grpc.insecure_channel(server.target) as channel:
                stub = policyhub_pb2_grpc.PolicyHubStub(channel)
                for i in range(n):
                    stub.Evaluate(demo(i), timeout=30)

        def restarted(after: int) -> None:
            deadline = time.monotonic() + 30
            while len(server.events("worker_serving")) <= after:
                assert time.monotonic() < deadline, "the worker was not restarted"
                time.sleep(0.05)
            server.wait_serving()

        evaluate(7)
        os.kill(server.events("worker_serving")[-1]["pid"], signal.SIGTERM)  # drains, flushes, exits
        restarted(1)
        assert evaluations_total(port) == 7
        evaluate(5)
        assert evaluations_total(port) == 12  # the scrape's flush
        os.kill(server.events("worker_serving")[-1]["pid"], signal.SIGKILL)
        restarted(2)
        assert evaluations_total(port) == 12
    finally:
        assert server.stop() == 0
