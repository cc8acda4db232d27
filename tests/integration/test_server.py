"""The real server over gRPC: each submission kind, the error codes, batch, stream, health, reflection."""

import json
import subprocess
import sys

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from policyhub.domain.caseio import request_from_dict
from policyhub.evaluation.evaluator import decision_to_dict
from policyhub.v1 import policyhub_pb2 as pb

from .conftest import DEMO_PACK, GRPC_SERVERS, RunningServer

DEMO = {"locality": "demo", "date": "2020-06-01"}


@pytest.fixture(scope="module", params=GRPC_SERVERS)
def server(request, tmp_path_factory):
    """This module's calls, status codes, health and reflection against both worker servers, each
    with a decision record of its own (a request id is recorded once per store)."""
    running = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK), "--grpc-server", request.param,
                            "--state-dir", str(tmp_path_factory.mktemp(f"state-{request.param}")))
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target) as ch:
        yield ch


@pytest.fixture(scope="module")
def stub(channel):
    from policyhub.v1 import policyhub_pb2_grpc

    return policyhub_pb2_grpc.PolicyHubStub(channel)
SUBMISSIONS = {
    "pledge": ({"copies": 3}, ["demo_2020.pledge.copies"]),
    "meeting": ({"type": "review_meeting", "attendance": {"party_members": 0}}, ["demo_2020.meeting.attendance"]),
    "log": ({"meetings": [{"type": "theme_party_day", "attendance": {"party_members": 0}}]},
            ["demo_2020.meeting.attendance"]),
    "ballot": ({"subject": {"id": "M-1"}, "rounds": [{"name": "village", "cast": 5, "tallies": {"excellent": 5}}]}, []),
}


@pytest.mark.parametrize("kind", list(SUBMISSIONS))
def test_each_submission_kind_gets_a_decision(stub, kind):
    submission, fired = SUBMISSIONS[kind]
    decision = stub.Evaluate(request_from_dict({**DEMO, kind: submission}), timeout=10)
    assert decision.pack.id == "demo_2020" and decision.pack.version == "1.0.0"
    assert [v.rule_id for v in decision.violations] == fired
    assert len(decision.decision_id) == 26
    assert decision.compliant == (not fired)
    if kind == "ballot":
        assert [(g.code, g.subject_id) for g in decision.grades] == [("excellent", "M-1")]


def bad_request_fields(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)
    fields = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        assert detail.Unpack(bad)
        fields += [v.field for v in bad.field_violations]
    return fields


@pytest.mark.parametrize(
    "request_dict, field",
    [
        ({**DEMO, "pledge": {"signed_at": "2009-11-31"}}, "pledge.signed_at"),
        ({**DEMO, "meeting": {"attendance": {"party_members": -1}}}, "meeting.attendance.party_members"),
        ({**DEMO, "meeting": {"type": "tea_party"}}, "meeting.type"),
        (DEMO, "submission"),
    ],
)
def test_bad_input_is_invalid_argument_naming_the_field(stub, request_dict, field):
    with pytest.raises(grpc.RpcError) as exc:
        stub.Evaluate(request_from_dict(request_dict), timeout=10)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in bad_request_fields(exc.value)


def test_unknown_pack_is_not_found(stub):
    with pytest.raises(grpc.RpcError) as exc:
        stub.Evaluate(request_from_dict({"pack": "atlantis_2099", "pledge": {}}), timeout=10)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND


def test_no_pack_in_force_is_failed_precondition_listing_periods(stub):
    with pytest.raises(grpc.RpcError) as exc:
        stub.Evaluate(request_from_dict({"locality": "demo", "date": "2019-12-31", "pledge": {}}), timeout=10)
    assert exc.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "demo_2020@1.0.0 in force 2020-01-01 … 2020-12-31" in exc.value.details()


def test_batch_keeps_order_and_reports_errors_per_item(stub):
    requests = [
        request_from_dict({**DEMO, "pledge": {"copies": n}, "request_id": f"r{n}"}) for n in range(6)
    ]
    requests.insert(3, request_from_dict({**DEMO, "pledge": {"copies": -1}, "request_id": "bad"}))
    reply = stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=requests), timeout=10)
    assert [r.request_id for r in reply.results] == ["r0", "r1", "r2", "bad", "r3", "r4", "r5"]
    assert [r.index for r in reply.results] == list(range(7))
    bad = reply.results[3]
    assert bad.WhichOneof("outcome") == "error" and bad.error.code == "INVALID_ARGUMENT"
    assert [v.field for v in bad.error.field_violations] == ["pledge.copies"]
    copies_ok = [r.decision.compliant for r in reply.results if r.WhichOneof("outcome") == "decision"]
    assert copies_ok == [False, False, False, False, True, False]


def test_stream_answers_each_request_in_order(stub):
    requests = [request_from_dict({**DEMO, "pledge": {"copies": n % 6}, "request_id": str(n)}) for n in range(50)]
    results = list(stub.EvaluateStream(iter(requests), timeout=30))
    assert [r.request_id for r in results] == [str(n) for n in range(50)]
    assert [r.decision.compliant for r in results] == [n % 6 == 4 for n in range(50)]


def test_list_and_get_pack(stub):
    packs = stub.ListPacks(pb.ListPacksRequest(locality="demo"), timeout=10).packs
    assert [(p.id, p.version, p.kinds) for p in packs] == [("demo_2020", "1.0.0", ["pledge", "meeting", "log", "ballot"])]
    detail = stub.GetPack(pb.GetPackRequest(pack="demo_2020@1.0.0"), timeout=10)
    rule = {r.id: r for r in detail.rules}["demo_2020.pledge.copies"]
    assert (rule.severity, rule.citation.document, rule.citation.clause) == ("error", "测试〔2020〕1号", "一")
    assert detail.thresholds["copies"] == 4
    assert detail.interpretations[0].setting == "copies"
    with pytest.raises(grpc.RpcError) as exc:
        stub.GetPack(pb.GetPackRequest(pack="demo_2020@7.0.0"), timeout=10)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_serves_overall_and_per_service(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "policyhub.v1.PolicyHub"):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_services(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"policyhub.v1.PolicyHub", "grpc.health.v1.Health"} <= names


def test_cli_eval_gives_the_same_decision_as_grpc(stub, tmp_path):
    from tests.integration.conftest import DEMO_PACK

    case = {**DEMO, "pledge": {"copies": 2, "items": [{"text": ""}]}}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    printed = subprocess.run(
        [sys.executable, "-m", "policyhub", "eval", str(path), "--pack-path", str(DEMO_PACK)],
        capture_output=True, text=True, check=True,
    ).stdout
    from_cli = json.loads(printed)
    from_grpc = decision_to_dict(stub.Evaluate(request_from_dict(case), timeout=10))
    assert from_cli.pop("decision_id") != from_grpc.pop("decision_id")
    assert from_cli == from_grpc


def test_decision_log_has_no_personal_data(stub, server):
    secret = {"name": "张秘密", "phone": "13900001111"}
    case = {**DEMO, "request_id": "privacy-check",
            "pledge": {"copies": 1, "member": secret, "supervision": {"email": "secret@example.cn"}}}
    decision = stub.Evaluate(request_from_dict(case), timeout=10)
    import time

    deadline = time.monotonic() + 5
    while not any(e.get("decision_id") == decision.decision_id for e in server.events("decision")):
        assert time.monotonic() < deadline, "no decision log line"
        time.sleep(0.05)
    logged = "\n".join(server.log_lines)
    for value in ("张秘密", "13900001111", "secret@example.cn"):
        assert value not in logged
