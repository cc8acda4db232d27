"""The Decision as assembly.py builds it, its id, and the decision log line.

assembly.py writes a decision as protobuf wire bytes by hand, so each decision it builds is
compared with the message the protobuf API builds from the same rules and facts (`_reference`:
how decisions were built before), and a rule's bad output must fail naming what is wrong.
"""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import time
import types

import pytest

from tests.conftest import PACKS_DIR
from policyhub.evaluation import assembly
from policyhub.domain import vocabulary
from policyhub.domain.errors import RuleFailure
from policyhub.evaluation.evaluator import new_decision_id
from policyhub.authoring.fixtures import load_cases
from policyhub.rules.model import Rule
from policyhub.v1 import policyhub_pb2 as pb

DECISION_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

CHECK = Rule(id="p.ballot.check", clause="三、1", kinds=("ballot",), when=None, severity="error", path="ballot",
             message={"zh": "第“{round}”轮有效票{valid}票", "en": "Round “{round}”: {valid} valid ballots"})
NOTE = Rule(id="p.ballot.note", clause="三、2", kinds=("ballot",), when=None, severity="info", document="另一文件",
            message={"zh": "结果须公示", "en": "the result is to be published"}, consequences=("publish_results",),
            fact_consequences=("publish_results",))
GRADE = Rule(id="p.ballot.grade", clause="五、3", kinds=("ballot",), when=None, grade=True,
             consequences=({"code": "performance_pay_linked", "params": {"share": "0.6"}},),
             fact_consequences=("publish_results", "dismissal"))
LONG = Rule(id="p.ballot.long", clause="六", kinds=("ballot",), when=None, severity="warning",
            message={"zh": "长" * 2000 + "{text}", "en": "{text}"})  # over 4 KiB: a three-byte length
DEEP = Rule(id="p.ballot.deep", clause="七", kinds=("ballot",), when=None, severity="warning",
            message={"zh": "{subject[name]}：{n}", "en": "{subject[name]}: {n:>3}"})


class _Pack(types.SimpleNamespace):
    """What assembly reads of a Pack (unlike a SimpleNamespace, it can be weakly referenced)."""


def _pack(*rules: Rule) -> _Pack:
    return _Pack(id="p", version="1.0.0", ref="p@1.0.0", document="某县文件〔2010〕1号", rules=list(rules))


def _built(pack: _Pack, matches: list[tuple[int, dict]]) -> tuple[pb.Decision, assembly.DecisionBuilder]:
    parts = assembly.parts_for(pack)
    builder = assembly.DecisionBuilder(parts)
    for index, fact in matches:
        builder.add(parts.rule(index, pack.rules[index]), fact)
    return builder.decision(DECISION_ID, "request-1"), builder


def _reference(pack: _Pack, matches: list[tuple[int, dict]]) -> pb.Decision:
    decision = pb.Decision(decision_id=DECISION_ID, pack=pb.PackRef(id=pack.id, version=pack.version),
                           request_id="request-1")
    for index, fact in matches:
        rule = pack.rules[index]
        citation = pb.Citation(document=rule.document or pack.document, clause=rule.clause)
        subject_id = str(fact.get("subject_id", ""))
        severity = fact.get("severity", rule.severity) if rule.severity is not None else ""
        if severity:  # info is a note, not a violation
            (decision.notes if severity == "info" else decision.violations).add(
                rule_id=rule.id, severity=severity, path=str(fact.get("path", rule.path)),
                message=pb.Text(zh=rule.message["zh"].format(**fact), en=rule.message["en"].format(**fact)),
                citation=citation)
        if rule.grade:
            decision.grades.add(subject_id=subject_id, scheme=str(fact.get("scheme", "")), code=fact["grade"],
                                label=pb.Text(**vocabulary.label(vocabulary.BALLOT_OPTIONS, fact["grade"])),
                                rule_id=rule.id, citation=citation)
        for item in list(rule.consequences) + list(fact.get("consequences", ())):
            code, params = (item["code"], item.get("params", {})) if isinstance(item, dict) else (item, {})
            consequence = decision.consequences.add(
                subject_id=subject_id, code=code, label=pb.Text(**vocabulary.label(vocabulary.CONSEQUENCES, code)),
                rule_id=rule.id, citation=citation)
            params = {**params, **fact.get("params", {})}
            if params:
                consequence.params.update(params)
    decision.compliant = not any(v.severity == "error" for v in decision.violations)
    return decision


@pytest.mark.parametrize("matches", [
    pytest.param([(0, {"round": "village", "valid": 40, "path": "ballot.rounds[0]"}),
                  (0, {"round": "town", "valid": 7, "severity": "warning"})], id="a check per round, own severity and path"),
    pytest.param([(2, {"grade": "excellent", "subject_id": "S-1", "scheme": "four_level", "params": {"reasons": ["x"]},
                       "consequences": ["publish_results", {"code": "dismissal", "params": {"n": 1}}]})],
                 id="a grade, the rule's and the fact's consequences, params merged"),
    pytest.param([(0, {"round": "village", "valid": 3}), (1, {}), (2, {"grade": "competent", "subject_id": 12})],
                 id="every kind of yield, another document cited"),
    pytest.param([(1, {"path": "ballot.rounds[1]"}), (1, {})], id="a constant message, twice"),
    pytest.param([(0, {"round": "village", "valid": 2, "severity": "info"}), (0, {"round": "town", "valid": 1}),
                  (1, {"severity": ""})], id="a note by the fact's severity, a silent match"),
    pytest.param([(3, {"text": "字" * 1000})], id="a field over 4 KiB"),
    # a message is kept by the values it read: equal values of another type must not be given it
    pytest.param([(0, {"round": "village", "valid": 1}), (0, {"round": "village", "valid": True}),
                  (0, {"round": "village", "valid": 1.0}), (0, {"round": "village", "valid": 1}),
                  (0, {"round": "town", "valid": 1})], id="a message made again for equal values of other types"),
    pytest.param([(4, {"subject": {"name": "张三"}, "n": 2}), (4, {"subject": {"name": "李四"}, "n": 2})],
                 id="a message reading a field's field, formatted each time"),
    pytest.param([], id="nothing matched"),
])
def test_a_decision_is_the_message_the_protobuf_api_builds(matches):
    pack = _pack(CHECK, NOTE, GRADE, LONG, DEEP)
    decision, builder = _built(pack, matches)
    expected = _reference(pack, matches)
    assert decision == expected
    assert decision.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    # What the log line says is noted while building, and agrees with the decision.
    assert builder.compliant == expected.compliant
    assert len(set(builder.rules_fired)) == len(builder.rules_fired)
    assert sorted(builder.rules_fired) == sorted({v.rule_id for v in expected.violations} | {g.rule_id for g in expected.grades}
                                                 | {c.rule_id for c in expected.consequences}
                                                 | {n.rule_id for n in expected.notes})
    assert builder.grade_codes == [g.code for g in expected.grades]
    assert builder.consequence_codes == [c.code for c in expected.consequences]


@pytest.mark.parametrize("rule, fact, error", [
    (CHECK, {"round": "town", "valid": 1, "severity": "fatal"}, "fact asks for unknown severity 'fatal'"),
    (CHECK, {"round": "town"}, "message refers to {valid}, which the matched fact does not have"),
    (GRADE, {"grade": "superb"}, "grade fact has unknown grade 'superb'"),
    (GRADE, {"grade": ["excellent"]}, "grade fact has unknown grade ['excellent']"),
    (NOTE, {"consequences": ["publish_results", "nope"]}, "unknown consequence code 'nope'"),
    (NOTE, {"consequences": ["dismissal"]},
     "a fact brings consequence 'dismissal', which the rule does not declare in fact_consequences"),
])
def test_a_rule_s_bad_output_is_an_error_naming_it(rule, fact, error):
    with pytest.raises(RuleFailure) as caught:
        _built(_pack(rule), [(0, fact)])
    assert caught.value.message == error


def test_a_pack_s_parts_are_built_once_and_go_with_the_pack():
    pack = _pack(CHECK, NOTE)
    parts = assembly.parts_for(pack)
    assert assembly.parts_for(pack) is parts
    assert parts.rule(1, NOTE) is parts.rule(1, NOTE)
    assert assembly.parts_for(_pack(CHECK, NOTE)) is not parts
    key = id(pack)
    assert assembly._PACKS[key][1] is parts
    del pack, parts
    gc.collect()
    assert key not in assembly._PACKS  # a reload does not leave the old packs' parts behind


def _ulid_milliseconds(ulid: str) -> int:
    value = 0
    for char in ulid[:10]:
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(char)
    return value


def test_decision_ids_are_ulids_of_the_current_millisecond():
    before = int(time.time() * 1000)
    ids = [new_decision_id() for _ in range(2000)]
    after = int(time.time() * 1000)
    assert all(re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", i) for i in ids)
    assert all(before <= _ulid_milliseconds(i) <= after for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids, key=_ulid_milliseconds)
    # The random part uses the whole alphabet, in every position.
    for position in range(10, 26):
        assert len({i[position] for i in ids}) == 32


def test_the_decision_log_line_says_what_the_decision_says(tmp_path):
    case = load_cases(PACKS_DIR / "town_shuangshu_2010" / "fixtures" / "ballot.yaml")[0]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case.request, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "policyhub", "--log-level", "info", "eval", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("event") == "decision"]
    assert set(line) == {"event", "level", "timestamp", "decision_id", "pack", "kind", "compliant", "rules_fired",
                         "grades", "consequences", "latency_ms"}
    assert line["level"] == "info"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line["timestamp"])
    assert line["decision_id"] == decision["decision_id"]
    assert line["pack"] == f"{decision['pack']['id']}@{decision['pack']['version']}"
    assert line["kind"] == "ballot"
    assert line["compliant"] is decision["compliant"] is True
    yielded = decision["violations"] + decision["grades"] + decision["consequences"]
    assert line["rules_fired"] == sorted({item["rule_id"] for item in yielded})
    assert line["grades"] == [g["code"] for g in decision["grades"]] == ["excellent"]
    assert line["consequences"] == [c["code"] for c in decision["consequences"]] and line["consequences"]
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] > 0


def test_results_and_batches_sent_as_bytes_parse_as_the_api_builds_them(evaluator):
    """The service answers batches and stream items with assembly's wire bytes: they must parse
    to the messages the protobuf API builds from the same decisions and errors."""
    from policyhub.domain.caseio import request_from_dict
    from policyhub.api.service import error_message

    cases = [case for path in sorted(PACKS_DIR.glob("*/fixtures/*.yaml")) for case in load_cases(path)][:40]
    requests = [request_from_dict(case.request) for case in cases] + [pb.EvaluateRequest(request_id="no-submission")]
    wires, expected = [], pb.EvaluateBatchResponse()
    for index, request in enumerate(requests):
        result = expected.results.add(index=index, request_id=request.request_id)
        try:
            decision = evaluator.evaluate_wire(request)
        except Exception as exc:
            result.error.CopyFrom(error_message(exc))
            wires.append(assembly.result_wire(index, request.request_id, error=error_message(exc)))
        else:
            result.decision.ParseFromString(decision)
            wires.append(assembly.result_wire(index, request.request_id, decision=decision))
        assert pb.Result.FromString(wires[-1]) == result
    assert any(r.HasField("error") for r in expected.results) and any(r.HasField("decision") for r in expected.results)
    assert pb.EvaluateBatchResponse.FromString(assembly.batch_wire(wires)) == expected


def test_a_forked_child_does_not_repeat_its_parent_s_decision_ids():
    """Ids come from a per-process generator: a fork must reseed it, or both would make the same ids."""
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then out without pytest's teardown
        os.write(write_end, " ".join(new_decision_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    child = os.read(read_end, 4096).decode().split()
    parent = [new_decision_id() for _ in range(5)]
    assert len(child) == 5
    assert not {c[10:] for c in child} & {p[10:] for p in parent}  # the random parts


@pytest.mark.parametrize("made, error", [
    ({"type": "x", "id": 3}, r"derive function m\.f used reserved fact key\(s\) \['id'\]"),
    ({"type": "x", "sid": "s", "_i": 1}, r"used reserved fact key\(s\) \['_i', 'sid'\]"),
    ({"kind": "x"}, "derive function m.f made a fact without a type"),
    ({"type": 5}, "made a fact without a type"),
    (["type", "x"], "made a fact without a type"),
])
def test_a_fact_a_derive_function_makes_is_checked(made, error):
    """A measure's facts are dicts with a text `type` and none of the engine's own keys (sid, id,
    _i): anything else fails the request naming the pack and the function, whichever fact of many it is."""
    from types import SimpleNamespace

    from policyhub.evaluation.evaluator import Evaluator as Evaluator_
    from policyhub.rules.model import Context

    def fn(submission, context):
        yield {"type": "fine", "n": 1}
        yield made

    pack = SimpleNamespace(ref="p@1", derives_by_kind={"pledge": [(SimpleNamespace(name="m.f", fn=fn), None)]},
                           submission_kinds=set(), shapes={})
    context = Context(kind="pledge", pack_id="p", locality="demo", date=None, thresholds=None)
    with pytest.raises(RuleFailure, match=error):
        Evaluator_._derive(None, pack, "pledge", {}, context)  # type: ignore[arg-type]
    fine = SimpleNamespace(**{**vars(pack), "derives_by_kind": {"pledge": [(SimpleNamespace(name="m.g", fn=lambda s, c: [{"type": "x", "idx": 1}]), None)]}})
    assert Evaluator_._derive(None, fine, "pledge", {}, context) == [{"type": "x", "idx": 1}]  # type: ignore[arg-type]
