"""Faults against a real server: workers killed under load, deadlines shorter than the work,
messages over the size limit. The service restarts what died, loses no decision a client
retries, stops work nobody waits for, and refuses what is too large without falling over."""

from __future__ import annotations

import os
import signal
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc
from tests.integration.conftest import GRPC_SERVERS, RunningServer

from .corpus import DEMO_PACK
from .load import CLIENT_OPTIONS, Load, expected
from .workers import alive, assert_no_worker_died, current_pids, snapshot, wait_workers

LIMIT = 1024 * 1024  # --max-message-bytes of the server here


def demo_request(n: int) -> pb.EvaluateRequest:
    return request_from_dict({"locality": "demo", "date": "2020-06-01", "request_id": f"load-{n}",
                              "pledge": {"copies": n % 7, "items": [{"text": f"item {n}"}] + [{"text": ""}] * (n % 3)}})


@pytest.fixture(scope="module", params=GRPC_SERVERS)
def server(request):
    running = RunningServer("--workers", "2", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                            "--max-message-bytes", str(LIMIT), "--grpc-server", request.param)
    wait_workers(running, 2)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def stub(server):
    with grpc.insecure_channel(server.target, options=CLIENT_OPTIONS + [("grpc.max_send_message_length", 64 * 1024 * 1024)]) as channel:
        yield policyhub_pb2_grpc.PolicyHubStub(channel)


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_killed_workers_are_restarted_and_retrying_clients_lose_no_decision(server):
    evaluator = Evaluator(PackRegistry.discover([DEMO_PACK], installed=False))
    cases = [(request, expected(evaluator, request)) for request in map(demo_request, range(210))]
    load = Load(server.target, cases, threads=6).start()
    killed = []
    try:
        for index in (0, 1, 0):  # each worker once, then the first one's replacement
            wait_for(lambda: load.figures.answered > 100 * (len(killed) + 1))
            pids = current_pids(server)
            os.kill(pids[index], signal.SIGKILL)  # as a segfault in the engine would
            killed.append(pids[index])
            wait_for(lambda: current_pids(server).get(index) not in (None, pids[index]))
        answered_when_restarted = load.figures.answered
        wait_for(lambda: load.figures.answered > answered_when_restarted + 200)
    finally:
        figures = load.stop()
    assert len(server.events("worker_died")) == len(killed) == 3
    assert not any(alive(pid) for pid in killed)
    assert all(alive(pid) for pid in current_pids(server).values())
    assert figures.lost == [] and figures.wrong == []
    assert figures.answered > 500


def test_a_deadline_shorter_than_the_batch_stops_the_work_and_leaves_the_server_healthy(server, stub):
    before = snapshot(server)
    batch = pb.EvaluateBatchRequest(requests=[demo_request(n) for n in range(10_000)])
    decisions_before = len(server.events("decision"))
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateBatch(batch, timeout=0.2)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    # Whatever the worker had started, it stops at the next item: far fewer than 10,000 decisions.
    time.sleep(3)
    settled = len(server.events("decision"))
    time.sleep(1)
    assert len(server.events("decision")) == settled, "the worker is still evaluating the abandoned batch"
    assert settled - decisions_before < 5_000
    # Nothing left behind: every state id back in its pool, shown by many more requests than the pool
    # holds, over the same connection, so to the same worker as the abandoned batch.
    for n in range(300):
        decision = stub.Evaluate(demo_request(n), timeout=10)
        assert decision.request_id == f"load-{n}" and decision.compliant == (n % 7 == 4)
    health = health_pb2_grpc.HealthStub(grpc.insecure_channel(server.target))
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
    assert_no_worker_died(server, before)


def test_a_deadline_on_a_slow_stream_ends_it(server, stub):
    before = snapshot(server)
    requests = (demo_request(n) for n in range(100_000))
    answered = 0
    with pytest.raises(grpc.RpcError) as caught:
        for _ in stub.EvaluateStream(requests, timeout=0.5):
            answered += 1
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert answered < 100_000
    assert stub.Evaluate(demo_request(4), timeout=10).compliant
    assert_no_worker_died(server, before)


def test_a_request_over_the_size_limit_is_refused_and_the_server_stays_up(server, stub):
    before = snapshot(server)
    huge = request_from_dict({"locality": "demo", "date": "2020-06-01", "pledge": {"items": [{"text": "x" * 1000}] * 1500}})
    assert huge.ByteSize() > LIMIT
    with pytest.raises(grpc.RpcError) as caught:
        stub.Evaluate(huge, timeout=10)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    batch = pb.EvaluateBatchRequest(requests=[demo_request(n) for n in range(25_000)])
    assert batch.ByteSize() > LIMIT
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateBatch(batch, timeout=10)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert stub.Evaluate(demo_request(4), timeout=10).compliant
    assert_no_worker_died(server, before)


def test_an_answer_over_the_size_limit_is_refused_and_the_server_stays_up(server, stub):
    before = snapshot(server)
    # Under the limit as a request; its decisions, with their traces, are not.
    requests = [demo_request(n) for n in range(2000)]
    for request in requests:
        request.trace = True
    batch = pb.EvaluateBatchRequest(requests=requests)
    evaluator = Evaluator(PackRegistry.discover([DEMO_PACK], installed=False))
    answer = pb.EvaluateBatchResponse(results=[pb.Result(decision=evaluator.evaluate(r)) for r in requests])
    assert batch.ByteSize() < LIMIT < answer.ByteSize()
    with pytest.raises(grpc.RpcError) as caught:
        stub.EvaluateBatch(batch, timeout=30)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert stub.Evaluate(demo_request(4), timeout=10).compliant
    assert_no_worker_died(server, before)
