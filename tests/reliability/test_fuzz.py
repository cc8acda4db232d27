"""Fuzzing the real server: whatever it is sent, it answers a decision or a clear client error.

Allowed answers: OK with a decision; INVALID_ARGUMENT with a google.rpc.BadRequest naming at
least one field; NOT_FOUND; FAILED_PRECONDITION. Never INTERNAL or UNKNOWN, never a dead or
restarted worker. `make fuzz-long` runs the same tests with the `long` profile (100,000
requests); found crashers are replayed in test_regressions.py.
"""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import given, settings
from hypothesis import strategies as st

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import InvalidArgument, PolicyError
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from . import strategies, tally
from .conftest import examples
from .corpus import DEMO_PACK
from .workers import assert_no_worker_died, snapshot

# A failing example may hold a 200 kB string: its repr is long, and that is fine.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

CLIENT_ERRORS = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION}
SERVER_LIMIT = 16 * 1024 * 1024  # the default --max-message-bytes
TIMEOUT = 120


def bad_request_fields(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)
    fields = []
    for detail in status.details if status else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields += [v.field for v in bad.field_violations]
    return fields


def check_refusal(error: grpc.RpcError, sent_bytes: int) -> str:
    """The status name of a refused call, after checking it is one a client can act on."""
    code = error.code()
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        assert sent_bytes > SERVER_LIMIT, f"RESOURCE_EXHAUSTED for {sent_bytes} bytes: {error.details()}"
        return code.name
    assert code in CLIENT_ERRORS, f"{code.name}: {error.details()}"
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        fields = bad_request_fields(error)
        assert fields and all(fields), f"INVALID_ARGUMENT without a named field: {error.details()}"
    return code.name


def check_decision(decision: pb.Decision) -> None:
    assert len(decision.decision_id) == 26 and decision.pack.id and decision.pack.version


def check_result(result: pb.Result, index: int, request_id: str) -> str:
    assert result.index == index and result.request_id == request_id
    outcome = result.WhichOneof("outcome")
    if outcome == "decision":
        check_decision(result.decision)
        return "OK"
    assert outcome == "error", result
    assert result.error.code in {c.name for c in CLIENT_ERRORS}, f"{result.error.code}: {result.error.message}"
    if result.error.code == "INVALID_ARGUMENT":
        assert result.error.field_violations and all(v.field for v in result.error.field_violations)
    return result.error.code


@pytest.fixture(scope="module")
def stub(reliability_channel):
    return policyhub_pb2_grpc.PolicyHubStub(reliability_channel)


@pytest.fixture(scope="module")
def raw_evaluate(reliability_channel):
    """Evaluate taking and giving bytes: what is sent need not be a valid message."""
    return reliability_channel.unary_unary("/policyhub.v1.PolicyHub/Evaluate")


@pytest.fixture(scope="module")
def intact_workers(reliability_server):
    """The workers' pids before the module's tests; afterwards the same processes must be serving."""
    before = snapshot(reliability_server)
    yield before
    assert_no_worker_died(reliability_server, before)


def test_mutated_requests_get_a_decision_or_a_client_error(stub, intact_workers):
    @settings(max_examples=examples(300, 0.62))
    @given(strategies.mutated_requests())
    def run(request):
        size = request.ByteSize()
        try:
            check_decision(stub.Evaluate(request, timeout=TIMEOUT))
            tally.record("evaluate", "OK")
        except grpc.RpcError as error:
            tally.record("evaluate", check_refusal(error, size))

    run()


def test_bytes_that_are_not_a_request_get_a_decision_or_a_client_error(raw_evaluate, intact_workers):
    @settings(max_examples=examples(300, 0.2))
    @given(strategies.raw_payloads())
    def run(payload):
        try:
            check_decision(pb.Decision.FromString(raw_evaluate(payload, timeout=TIMEOUT)))
            tally.record("raw bytes", "OK")
        except grpc.RpcError as error:
            tally.record("raw bytes", check_refusal(error, len(payload)))

    run()


@pytest.fixture(scope="module")
def raw_batch(reliability_channel):
    return reliability_channel.unary_unary("/policyhub.v1.PolicyHub/EvaluateBatch")


def batch_bytes(requests: list[pb.EvaluateRequest]) -> bytes:
    """EvaluateBatchRequest{requests} encoded by hand: an item nested just under protobuf's depth
    limit is one level too deep inside a batch, and the client library would refuse to build it."""
    return b"".join(strategies.length_delimited(1, r.SerializeToString()) for r in requests)


def test_batches_answer_each_item_in_order(raw_batch, intact_workers):
    @settings(max_examples=examples(25, 0.1 / 5))  # about five requests per batch
    @given(st.lists(strategies.mutated_requests(max_mutations=2), min_size=1, max_size=9))
    def run(requests):
        for i, request in enumerate(requests):
            request.request_id = f"item-{i}"
        payload = batch_bytes(requests)
        try:
            reply = pb.EvaluateBatchResponse.FromString(raw_batch(payload, timeout=TIMEOUT))
        except grpc.RpcError as error:  # an item nested past protobuf's depth limit: the batch does not parse
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and bad_request_fields(error) == ["request"]
            tally.record("batch", check_refusal(error, len(payload)))
            return
        assert len(reply.results) == len(requests)
        for i, result in enumerate(reply.results):
            tally.record("batch item", check_result(result, i, f"item-{i}"))

    run()


def test_streams_answer_each_request_in_order(stub, intact_workers):
    @settings(max_examples=examples(15, 0.08 / 5))
    @given(st.lists(strategies.mutated_requests(max_mutations=2), min_size=1, max_size=9))
    def run(requests):
        for i, request in enumerate(requests):
            request.request_id = f"s{i}"
        results = []
        try:
            for result in stub.EvaluateStream(iter(requests), timeout=TIMEOUT):
                results.append(result)
        except grpc.RpcError as error:  # a message that does not parse ends the stream, naming it
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert bad_request_fields(error) == [f"stream[{len(results)}]"]
            tally.record("stream item", check_refusal(error, requests[len(results)].ByteSize()))
            requests = requests[: len(results)]
        assert len(results) == len(requests)
        for i, result in enumerate(results):
            tally.record("stream item", check_result(result, i, f"s{i}"))

    run()


@pytest.fixture(scope="module")
def evaluator():
    return Evaluator(PackRegistry.discover([DEMO_PACK]))


def test_malformed_json_requests_are_refused_by_the_loader_or_judged(evaluator):
    """The loader of `policyhub eval` and `policyhub test`: wrong JSON types are INVALID_ARGUMENT."""

    @settings(max_examples=examples(200, 0.1))
    @given(strategies.mutated_dicts())
    def run(data):
        try:
            request = request_from_dict(data)
        except InvalidArgument as exc:
            assert exc.violations and all(field for field, _ in exc.violations)
            for field, _ in exc.violations:  # a path into what was sent, or the request as a whole
                top = field.split(".")[0].split("[")[0]
                assert top == "request" or (isinstance(data, dict) and top in data), (field, exc.message)
            tally.record("json loader", "INVALID_ARGUMENT")
            return
        try:
            evaluator.evaluate(request)
            tally.record("json loader", "OK")
        except PolicyError as exc:
            assert exc.code in CLIENT_ERRORS, exc.message
            tally.record("json loader", exc.code.name)

    run()
