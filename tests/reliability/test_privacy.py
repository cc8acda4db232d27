"""Privacy: every bundled fixture request, with more personal data written into it, goes through
the real server; no name, phone, e-mail, id or free text it carried appears in the server's logs
or in its /metrics (label values or anything else)."""

from __future__ import annotations

import time
import urllib.request

import grpc
import pytest

from policyhub.domain import validation
from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import InvalidArgument
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from . import corpus
from .load import expected

# Fields that hold personal data or free text (vocabulary.md), wherever they occur.
PERSONAL_FIELDS = {"name", "head_name", "phone", "email", "text", "target", "measures", "content", "owner",
                   "issue", "unit", "position", "branch", "grid", "courtyard", "vote_counters",
                   "vote_supervisors", "id", "member_id", "member_ids", "request_id"}
CODED = set(validation.FIELDS)
# Where realistic personal data is written besides what the fixtures hold.
INJECT = {"name": "隐私姓名{n}", "head_name": "户主隐私{n}", "phone": "1390{n:07d}",
          "email": "privacy.{n}@example.cn", "text": "承诺内容 联系人王隐私{n} 电话 1370{n:07d} 邮箱 wang{n}@mail.example.cn"}


def _distinctive(value: str) -> bool:
    """Long enough not to turn up by chance: short letters-and-digits occur inside random decision ids."""
    return len(value) >= 2 and not (value.isascii() and value.isalnum() and len(value) < 8)


def _inject(message, n: int, sent: set[str]) -> None:
    """Write personal values into the message's free-text and contact fields, and collect all of them."""
    for field, value in message.ListFields():
        if field.message_type is not None:
            if field.message_type.full_name == "google.protobuf.Struct":
                note = f"备注 李隐私{n} 1380{n:07d} li{n}@example.cn"
                value.update({"note": note})
                sent.add(note)
            elif field.message_type.GetOptions().map_entry:
                continue
            elif field.is_repeated:
                for item in value:
                    _inject(item, n, sent)
            else:
                _inject(value, n, sent)
        elif (field.name in PERSONAL_FIELDS and field.type == field.TYPE_STRING
              and (message.DESCRIPTOR.name, field.name) not in CODED):  # Round.name is a code, not a name
            values = list(value) if field.is_repeated else [value]
            if field.name in INJECT and not field.is_repeated:
                setattr(message, field.name, INJECT[field.name].format(n=n))
                values.append(getattr(message, field.name))
            sent.update(v for v in values if _distinctive(v))
    if message.DESCRIPTOR.name == "Pledge":
        message.supervision.email = f"jdjb{n}@privacy.example.cn"
        message.supervision.phone = f"0574-{n:08d}"
        sent.update({message.supervision.email, message.supervision.phone})


def _requests() -> tuple[list[pb.EvaluateRequest], set[str]]:
    sent: set[str] = set()
    requests = []
    for n, (_, data) in enumerate(corpus.fixture_requests()):
        try:
            request = request_from_dict(data)
        except InvalidArgument:
            continue
        request.request_id = f"privacy-request-{n}"
        _inject(request, n, sent)
        requests.append(request)
    # A rule script whose exception quotes the submission, and bad input whose error quotes it.
    for text in ["RAISE 赵隐私 13600001111 zhao@example.cn", "RAISE 钱隐私 13600002222"]:
        requests.append(request_from_dict({"locality": "faulty", "date": "2020-05-05", "pledge": {"items": [{"text": text}]}}))
        sent.add(text)
    bad = request_from_dict({"locality": "demo", "date": "2020-06-01",
                             "pledge": {"member": {"name": "孙隐私", "gender": "孙隐私 13500003333", "phone": "13500003333"}}})
    requests.append(bad)
    sent.update({"孙隐私", "孙隐私 13500003333", "13500003333"})
    return requests, sent


@pytest.fixture(scope="module")
def sent_through_the_server(reliability_server):
    requests, sent = _requests()
    decided = 0
    with grpc.insecure_channel(reliability_server.target) as channel:
        stub = policyhub_pb2_grpc.PolicyHubStub(channel)
        third = len(requests) // 3
        for request in requests[:third]:  # one by one
            try:
                stub.Evaluate(request, timeout=30)
                decided += 1
            except grpc.RpcError:
                pass
        for start in range(third, 2 * third, 50):  # in batches
            chunk = requests[start:min(start + 50, 2 * third)]
            results = stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=chunk), timeout=60).results
            decided += sum(r.WhichOneof("outcome") == "decision" for r in results)
        for result in stub.EvaluateStream(iter(requests[2 * third:]), timeout=60):  # streamed
            decided += result.WhichOneof("outcome") == "decision"
    decision_ids_logged = lambda: {e["decision_id"] for e in reliability_server.events("decision")}  # noqa: E731
    deadline = time.monotonic() + 30
    while len(decision_ids_logged()) < decided:  # every decision's log line has been read
        assert time.monotonic() < deadline, "decision log lines missing"
        time.sleep(0.1)
    # As many decisions as the same requests get in-process: none was lost to an error of the server's.
    evaluator = Evaluator(PackRegistry.discover([corpus.DEMO_PACK, corpus.FAULTY_PACK]))
    assert decided == sum("decision" in expected(evaluator, r) for r in requests) > 250
    assert reliability_server.events("evaluation_failed")
    return sent


def test_no_personal_value_appears_in_the_logs(reliability_server, sent_through_the_server):
    logged = "\n".join(reliability_server.log_lines)
    assert len(sent_through_the_server) > 1500
    leaked = sorted(v for v in sent_through_the_server if v in logged)
    assert leaked == []


def test_no_personal_value_appears_in_the_metrics(reliability_server, sent_through_the_server):
    url = f"http://127.0.0.1:{reliability_server.serving['metrics_port']}/metrics"
    with urllib.request.urlopen(url, timeout=10) as reply:
        exposition = reply.read().decode("utf-8")
    assert "policyhub_" in exposition
    labels = [line[line.index("{"):line.rindex("}") + 1] for line in exposition.splitlines()
              if not line.startswith("#") and "{" in line]
    assert labels  # the decisions were counted, with labels
    leaked = sorted(v for v in sent_through_the_server if v in exposition)
    assert leaked == []
