"""Evaluate, ListPacks and GetPack against a live server; errors as typed exceptions."""

import copy
import subprocess

import pytest
from cases import evaluated_in_process, example, fired, fixture_cases, without_id
from live_server import server_command

from policyhub_client import (
    DeadlineExceededError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from policyhub_client.v1 import policyhub_pb2 as pb
from google.protobuf import json_format


def test_a_pledge_gets_the_decision_the_engine_gives(client, tmp_path):
    request = example("examples/yuyao_2011/member_pledge.yaml")
    decision = client.evaluate(request)
    assert decision["pack"]["id"] == "yuyao_2011"
    assert decision["decision_id"]
    assert without_id(decision) == without_id(evaluated_in_process(request, tmp_path))


def test_a_pledge_with_violations_reports_the_fixture_expected_rules(client, tmp_path):
    case = next(c for c in fixture_cases("yuyao_2011", "pledge.yaml") if c["expect"].get("violations_include"))
    decision = client.evaluate(case["request"])
    assert set(case["expect"]["violations_include"]) <= fired(decision), case["name"]
    assert decision["compliant"] is case["expect"].get("compliant", decision["compliant"])
    assert without_id(decision) == without_id(evaluated_in_process(case["request"], tmp_path))


def test_a_ballot_gets_its_grade_and_consequences(client, tmp_path):
    case = next(c for c in fixture_cases("town_shuangshu_2010", "ballot.yaml")
                if c["expect"].get("grade") and c["expect"].get("consequences_include"))
    decision = client.evaluate(case["request"])
    assert case["expect"]["grade"] in {g["code"] for g in decision["grades"]}, case["name"]
    assert set(case["expect"]["consequences_include"]) <= {c["code"] for c in decision["consequences"]}
    assert without_id(decision) == without_id(evaluated_in_process(case["request"], tmp_path))


def test_a_message_and_its_dict_get_the_same_decision(client):
    request = example("examples/yuyao_2011/member_pledge.yaml")
    message = json_format.ParseDict(request, pb.EvaluateRequest())
    assert without_id(client.evaluate(message)) == without_id(client.evaluate(request))


def test_request_id_and_trace_come_back(client):
    request = dict(example("examples/yuyao_2011/member_pledge.yaml"), request_id="ticket-7", trace=True)
    decision = client.evaluate(request)
    assert decision["request_id"] == "ticket-7"
    assert decision["trace"] and all("rule_id" in entry for entry in decision["trace"])


def test_bad_input_raises_invalid_argument_with_the_servers_field_violations(client):
    request = example("examples/yuyao_2011/member_pledge.yaml")
    request["pledge"]["published_at"] = "2011-02-30"
    request["pledge"]["items"][1]["due"] = "2009-11-31"
    with pytest.raises(InvalidArgumentError) as raised:
        client.evaluate(request)
    fields = [field for field, _ in raised.value.field_violations]
    assert "pledge.published_at" in fields and "pledge.items[1].due" in fields
    assert raised.value.code == "INVALID_ARGUMENT" and raised.value.attempts == 1


@pytest.mark.parametrize("change, field", [
    (lambda r: r["pledge"].update(copies="three"), "pledge.copies"),
    (lambda r: r["pledge"]["items"][2].update(due=20111231), "pledge.items[2].due"),
    (lambda r: r["pledge"]["member"].update(nmae="x"), "pledge.member.nmae"),
    (lambda r: r.update(ballot={}), "submission"),
])
def test_a_request_that_does_not_fit_the_proto_is_refused_naming_the_field(client, change, field):
    request = example("examples/yuyao_2011/member_pledge.yaml")
    change(request)
    with pytest.raises(InvalidArgumentError) as raised:
        client.evaluate(request)
    assert [f for f, _ in raised.value.field_violations] == [field]


def test_an_unknown_pack_raises_not_found(client):
    request = dict(example("examples/yuyao_2011/member_pledge.yaml"), pack="no_such_pack_1999")
    with pytest.raises(NotFoundError) as raised:
        client.evaluate(request)
    assert "no_such_pack_1999" in raised.value.message
    with pytest.raises(NotFoundError):
        client.get_pack("no_such_pack_1999")


def test_no_pack_in_force_raises_failed_precondition(client):
    request = dict(example("examples/yuyao_2011/member_pledge.yaml"), date="1990-01-01")
    with pytest.raises(FailedPreconditionError) as raised:
        client.evaluate(request)
    assert "yuyao" in raised.value.message


def test_list_packs_names_the_packs_the_server_loaded(client):
    listed = subprocess.run([server_command(), "packs"], capture_output=True, text=True, check=True).stdout
    expected = {line.split()[0] for line in listed.splitlines() if line.strip()}
    packs = client.list_packs()
    assert {f"{p['id']}@{p['version']}" for p in packs} == expected
    yuyao = client.list_packs(locality="yuyao")
    assert yuyao and all(p["locality"] == "yuyao" for p in yuyao)
    assert len(yuyao) < len(packs)


def test_get_pack_returns_rules_with_citations_and_thresholds(client):
    pack = client.get_pack("yuyao_2011")
    assert pack["info"]["id"] == "yuyao_2011"
    assert pack["rules"] and all(rule["citation"]["clause"] for rule in pack["rules"])
    assert isinstance(pack["thresholds"], dict) and pack["thresholds"]
    versioned = client.get_pack(f"yuyao_2011@{pack['info']['version']}")
    assert versioned == pack


def test_a_batch_call_slower_than_its_deadline_fails_with_deadline_exceeded(client):
    # 500 evaluations take the server far longer than 20 ms; the client must not wait for them.
    request = example("examples/yuyao_2011/member_pledge.yaml")
    with pytest.raises(DeadlineExceededError):
        list(client.evaluate_batch([copy.deepcopy(request) for _ in range(500)], batch_size=500, timeout=0.02))
