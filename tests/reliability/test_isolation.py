"""Isolation over the real server: a failing rule script fails its own request, naming the rule or
derive function, and no other; many concurrent clients each get exactly their own answers."""

from __future__ import annotations

import random
import threading

import grpc
import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PolicyError
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from . import corpus
from .conftest import CLIENT_OPTIONS
from .load import answer, comparable, expected
from .workers import assert_no_worker_died, snapshot

FAULTY = {"locality": "faulty", "date": "2020-05-05"}
DEMO = {"locality": "demo", "date": "2020-06-01"}
DERIVE_FAILS = "pack faulty_2020@1.0.0: derive function all.items failed: ValueError"
RULE_FAILS = "rule faulty_2020.pledge.unlucky: message refers to {no_such_field}"


def faulty(**pledge) -> pb.EvaluateRequest:
    return request_from_dict({**FAULTY, "pledge": pledge})


@pytest.fixture(scope="module")
def stub(reliability_channel):
    return policyhub_pb2_grpc.PolicyHubStub(reliability_channel)


def test_a_raising_derive_function_fails_its_request_naming_it(stub):
    with pytest.raises(grpc.RpcError) as caught:
        stub.Evaluate(faulty(copies=3, items=[{"text": "fine"}, {"text": "RAISE here"}]), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details().startswith(DERIVE_FAILS)


def test_a_rule_failing_while_it_yields_fails_its_request_naming_it(stub):
    with pytest.raises(grpc.RpcError) as caught:
        stub.Evaluate(faulty(copies=13), timeout=10)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details().startswith(RULE_FAILS)


def test_failures_inside_a_batch_and_a_stream_stay_with_their_items(stub):
    requests = [faulty(copies=1), faulty(items=[{"text": "RAISE"}]), faulty(copies=13),
                request_from_dict({**DEMO, "pledge": {"copies": 4}}), faulty(copies=5, items=[{"text": "ok"}])]
    for i, request in enumerate(requests):
        request.request_id = f"r{i}"
    batch = stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=requests), timeout=30).results
    stream = list(stub.EvaluateStream(iter(requests), timeout=30))
    for results in (batch, stream):
        assert [r.request_id for r in results] == ["r0", "r1", "r2", "r3", "r4"]
        assert [r.WhichOneof("outcome") for r in results] == ["decision", "error", "error", "decision", "decision"]
        assert results[1].error.code == results[2].error.code == "INTERNAL"
        assert results[1].error.message.startswith(DERIVE_FAILS)
        assert results[2].error.message.startswith(RULE_FAILS)
        assert [v.message.en for v in results[0].decision.violations] == ["too few copies: 1"]
        assert results[3].decision.compliant and results[3].decision.pack.id == "demo_2020"
        assert [v.message.en for v in results[4].decision.notes] == ["item: ok"]  # the echo is info: a note


def _workload() -> list[pb.EvaluateRequest]:
    """Distinct submissions whose answers differ: echoes of their own text, copies, failures,
    and a sample of every bundled pack's fixture requests."""
    rng = random.Random(9)
    requests = []
    for i in range(120):
        requests.append(faulty(copies=i % 5, items=[{"text": f"client text {i} {rng.random():.6f}"}]))
    for i in range(40):
        requests.append(request_from_dict({**DEMO, "pledge": {"copies": i}}))
    for i in range(20):
        requests.append(faulty(items=[{"text": f"RAISE {i}"}]) if i % 2 else faulty(copies=13))
    fixtures = [request for _, request in corpus.fixture_requests()]
    for request in rng.sample(fixtures, 120):
        try:
            requests.append(request_from_dict(request))
        except PolicyError:
            continue
    for i, request in enumerate(requests):
        request.request_id = f"req-{i}"
    rng.shuffle(requests)
    return requests


def test_concurrent_clients_each_get_their_own_answers(reliability_server):
    before = snapshot(reliability_server)
    evaluator = Evaluator(PackRegistry.discover([corpus.DEMO_PACK, corpus.FAULTY_PACK]))
    requests = _workload()
    wanted = {r.request_id: expected(evaluator, r) for r in requests}
    assert len({str(e) for e in wanted.values()}) > len(requests) // 2  # the answers really differ
    mismatches: list[tuple[str, dict, dict]] = []
    answered = []
    threads_count = 8

    def client(number: int) -> None:
        # A channel per client: several connections, which the kernel spreads over both workers.
        with grpc.insecure_channel(reliability_server.target, options=CLIENT_OPTIONS) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            mine = requests[number::threads_count]
            for _ in range(2):  # every request twice, interleaved with the other clients'
                for request in mine:
                    got = answer(stub, request)
                    answered.append(request.request_id)
                    if got != wanted[request.request_id]:
                        mismatches.append((request.request_id, got, wanted[request.request_id]))
            # and once more in batches of 7
            for start in range(0, len(mine), 7):
                chunk = mine[start:start + 7]
                for request, result in zip(chunk, stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=chunk), timeout=60).results):
                    assert result.request_id == request.request_id
                    if result.WhichOneof("outcome") == "error":
                        got = {"error": result.error.code, "message": result.error.message}
                    else:
                        got = comparable(result.decision)
                    answered.append(request.request_id)
                    if got != wanted[request.request_id]:
                        mismatches.append((request.request_id, got, wanted[request.request_id]))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []
    assert len(answered) == 3 * len(requests)
    assert_no_worker_died(reliability_server, before)
