"""The HTTP/JSON API against a real `policyhub explore`, side by side with a real gRPC server."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import grpc
import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.evaluation.evaluator import decision_to_dict
from policyhub.authoring.fixtures import case_files, load_cases
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import submissions_pb2

from policyhub.v1 import policyhub_pb2_grpc

from .conftest import DEMO_PACK, RunningServer
from .explorer_process import RunningExplorer

PACKS_DIR = Path(__file__).resolve().parents[2] / "policy_packs"
CASES = [case for f in case_files(sorted(PACKS_DIR.glob("*/fixtures"))) for case in load_cases(f)]


@pytest.fixture(scope="module")
def stub():
    """A gRPC server configured as the explorer is: no decision record (so no history from one)."""
    running = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK), "--decision-store", "none")
    with grpc.insecure_channel(running.target) as channel:
        yield policyhub_pb2_grpc.PolicyHubStub(channel)
    assert running.stop() == 0


@pytest.fixture(scope="module")
def explorer():
    running = RunningExplorer("--pack-path", str(DEMO_PACK))
    yield running
    assert running.stop() == 0


def comparable(decision: dict) -> dict:
    """A decision without what differs between two evaluations of one request (its id)."""
    return {k: v for k, v in decision.items() if k != "decision_id"}


def over_grpc(stub, data: dict) -> dict:
    try:
        message = request_from_dict(data)
    except Exception as exc:  # a case the CLI itself refuses before sending: compare that code
        return {"error": exc.code.name}
    try:
        return {"decision": comparable(decision_to_dict(stub.Evaluate(message, timeout=30)))}
    except grpc.RpcError as exc:
        return {"error": exc.code().name}


def over_http(explorer, data: dict) -> dict:
    status, body = explorer.post_json("/v1/evaluate", data)
    if status == 200:
        return {"decision": comparable(body)}
    assert status in (400, 404, 409), (status, body)
    return {"error": body["error"]["status"]}


@pytest.mark.parametrize("case", CASES, ids=[c.source.split("policy_packs/")[-1] for c in CASES])
def test_fixture_case_same_over_http_as_grpc(case, explorer, stub):
    assert over_http(explorer, case.request) == over_grpc(stub, case.request)


def test_trace_is_the_same_too(explorer, stub):
    case = next(c for c in CASES if c.kind == "pledge" and c.expect.get("compliant") is False)
    request = {**case.request, "trace": True}
    http = over_http(explorer, request)
    assert http == over_grpc(stub, request)
    assert any(entry["fired"] for entry in http["decision"]["trace"])


def test_batch_gives_each_item_its_result_in_order(explorer, stub):
    good = next(c for c in CASES if "error" not in c.expect).request
    bad = {**good, "date": "2011-02-30"}
    status, body = explorer.post_json("/v1/evaluate:batch", {"requests": [good, bad, {"pack": "nope", **good}]})
    assert status == 200
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert comparable(results[0]["decision"]) == over_grpc(stub, good)["decision"]
    assert results[1]["error"]["code"] == "INVALID_ARGUMENT"
    assert results[1]["error"]["field_violations"][0]["field"] == "date"
    assert results[2]["error"]["code"] == "NOT_FOUND"


def test_list_and_get_pack_match_grpc(explorer, stub):
    status, body = explorer.get("/v1/packs")
    assert status == 200
    from google.protobuf import json_format
    want = json_format.MessageToDict(stub.ListPacks(pb.ListPacksRequest()), preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)
    assert body == want
    status, body = explorer.get("/v1/packs?locality=yuyao")
    assert [p["id"] for p in body["packs"]] == ["yuyao_2011"]
    status, body = explorer.get("/v1/packs/yuyao_2011@1.0.0")
    want = json_format.MessageToDict(stub.GetPack(pb.GetPackRequest(pack="yuyao_2011@1.0.0")),
                                     preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    assert status == 200 and body == want


def bad_request(explorer, data) -> list[tuple[str, str]]:
    status, body = explorer.post_json("/v1/evaluate", data)
    assert status == 400, (status, body)
    error = body["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    [detail] = error["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    return [(v["field"], v["description"]) for v in detail["field_violations"]]


YUYAO_PLEDGE = next(c.request for c in CASES if c.request.get("locality") == "yuyao" and c.kind == "pledge"
                    and c.expect.get("compliant") is True)


@pytest.mark.parametrize("change, field", [
    (lambda r: r.update(date="2011-02-30"), "date"),
    (lambda r: r["pledge"].update(published_at="2011-2-1"), "pledge.published_at"),
    (lambda r: r["pledge"].update(copies=-4), "pledge.copies"),
    (lambda r: r["pledge"].update(pledger="emperor"), "pledge.pledger"),
    (lambda r: r["pledge"]["items"][1].update(category="dreams"), "pledge.items[1].category"),
    (lambda r: r["pledge"]["items"][0].update(due="2011-11-31"), "pledge.items[0].due"),
    (lambda r: r["pledge"].update(copies="four"), "pledge.copies"),
    (lambda r: r["pledge"].update(colour="red"), "pledge.colour"),
])
def test_bad_input_is_400_naming_the_field_as_grpc_does(explorer, stub, change, field):
    request = json.loads(json.dumps(YUYAO_PLEDGE))
    change(request)
    violations = bad_request(explorer, request)
    assert field in [f for f, _ in violations]
    try:
        stub.Evaluate(request_from_dict(request), timeout=30)
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in exc.details()
    except Exception as exc:  # refused already while building the message (a wrong JSON type)
        assert field in str([v for v in exc.violations])
    else:
        pytest.fail("gRPC accepted what HTTP refused")


def test_ballot_negative_votes_named(explorer):
    ballot = next(c.request for c in CASES if c.kind == "ballot" and "error" not in c.expect)
    request = json.loads(json.dumps(ballot))
    first_round = request["ballot"]["rounds"][0]
    first_round["cast"] = -1
    fields = [f for f, _ in bad_request(explorer, request)]
    assert "ballot.rounds[0].cast" in fields


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"a string"', b"null"])
def test_malformed_bodies_are_400_not_500(explorer, body):
    status, _, raw = explorer.call("POST", "/v1/evaluate", body, {"Content-Type": "application/json"})
    assert status == 400
    assert json.loads(raw)["error"]["details"][0]["field_violations"]


def test_unknown_pack_is_404_and_no_pack_in_force_409_with_the_localitys_packs(explorer):
    status, body = explorer.post_json("/v1/evaluate", {**YUYAO_PLEDGE, "pack": "yuyao_1999"})
    assert status == 404 and body["error"]["status"] == "NOT_FOUND"
    status, body = explorer.post_json("/v1/evaluate", {**YUYAO_PLEDGE, "date": "2019-06-01"})
    assert status == 409 and body["error"]["status"] == "FAILED_PRECONDITION"
    assert [(p["id"], p["effective_from"], p["effective_to"]) for p in body["error"]["packs"]] == [
        ("yuyao_2011", "2011-01-01", "2011-12-31")]


def test_body_over_the_limit_is_413_without_reading_it(explorer):
    host, port = explorer.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n{" % (16 * 1024 * 1024 + 1))  # the rest never sent
        answer = _read_answer(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b'"RESOURCE_EXHAUSTED"' in body


def _read_answer(sock) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_openapi_describes_the_operations_with_the_contracts_fields(explorer):
    status, spec = explorer.get("/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.")
    assert {op["operationId"] for path in spec["paths"].values() for op in path.values()} == {
        "Evaluate", "EvaluateBatch", "ListPacks", "GetPack"}
    pledge = spec["components"]["schemas"]["policyhub.v1.Pledge"]["properties"]
    assert set(submissions_pb2.Pledge.DESCRIPTOR.fields_by_name) == set(pledge)
    ref = spec["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("policyhub.v1.EvaluateRequest")


def test_no_submission_content_in_the_logs(explorer):
    request = json.loads(json.dumps(YUYAO_PLEDGE))
    request["pledge"]["member"]["name"] = "欧阳秘密"
    request["pledge"]["member"]["phone"] = "13900001111"
    explorer.post_json("/v1/evaluate", request)
    explorer.call("GET", "/workbench?case=" + "%E6%AC%A7%E9%98%B3%E7%A7%98%E5%AF%86")  # a permalink's query
    request["date"] = "2011-02-31"
    explorer.post_json("/v1/evaluate", request)
    deadline = time.monotonic() + 10
    while sum('"status":400' in line for line in explorer.log_lines) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)  # the log reader thread catches up
    logged = "\n".join(explorer.log_lines)
    assert '"route":"/v1/evaluate"' in logged
    for secret in ("欧阳秘密", "13900001111", "%E6%AC%A7"):
        assert secret not in logged


def test_an_evaluation_past_its_time_is_504_and_the_work_stops():
    slow = RunningExplorer("--evaluation-seconds", "0.1")
    try:
        item = {"locality": "yuyao", "date": "2011-03-01", "pledge": {"pledger": "member", "copies": 4}}
        status, body = slow.post_json("/v1/evaluate:batch", {"requests": [item] * 10_000})
        assert status == 504 and body["error"]["status"] == "DEADLINE_EXCEEDED"
        status, _ = slow.post_json("/v1/evaluate", item)  # the server still answers
        assert status == 200
    finally:
        assert slow.stop() == 0


def test_paths_and_methods_the_api_lacks_answer_in_its_error_shape(explorer):
    status, body = explorer.get("/v1/nothing")
    assert status == 404 and body["error"]["status"] == "NOT_FOUND"
    status, _, raw = explorer.call("GET", "/v1/evaluate")
    assert status == 405 and json.loads(raw)["error"]["code"] == 405
