"""Decisions that explain themselves, through the real server: a ballot's grade with the shares and
bars compared (town_shuangshu_2010, 五、3), and a pack's rules with their conditions in words."""

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import policyhub_pb2 as pb

BALLOT = {
    "locality": "town_2010",
    "date": "2010-12-30",
    "trace": True,
    "ballot": {
        "purpose": "evaluation",
        "year": 2010,
        "subject": {"id": "M-XZ-01", "name": "王建国", "kind": "individual", "role": "village_secretary"},
        "rounds": [
            {"name": "village", "cast": 40, "tallies": {"excellent": 29, "competent": 8, "basically_competent": 2,
                                                        "incompetent": 1}},
            {"name": "town", "cast": 30, "tallies": {"excellent": 21, "competent": 6, "basically_competent": 2,
                                                     "incompetent": 1}},
        ],
    },
}


def test_a_graded_ballot_explains_its_grade_with_the_shares_and_bars(stub):
    decision = stub.Evaluate(request_from_dict(BALLOT), timeout=30)
    # 29/40 = 72.5% and 21/30 = 70% of 优秀: “达到70%以上” in each round, 以上 inclusive (rulebook, 五、3)
    assert [g.code for g in decision.grades] == ["excellent"]
    entry = next(t for t in decision.trace if t.rule_id == "town_shuangshu_2010.ballot.grade")
    assert entry.fired and entry.clause == "五、3" and entry.fact_type == "two_rounds"
    assert "grade.excellent_each_round (70%, 五、3)" in entry.condition_words
    bars = {t.key: (t.value, t.clause, t.quote) for t in entry.thresholds}
    assert bars["grade.excellent_each_round"] == ("70%", "五、3", "两次测评“优秀”票达到70%以上")
    excellent = next(c for c in entry.checks if c.branch == "grade excellent")
    assert excellent.holds and "the first that holds: decides" in excellent.text
    assert [(c.item, c.left_value, c.op, c.right_value, c.threshold, c.clause, c.holds) for c in excellent.comparisons] == [
        ("rounds[0] village", "29/40 = 72.50%", ">=", "70%", "grade.excellent_each_round", "五、3", True),
        ("rounds[1] town", "21/30 = 70%", ">=", "70%", "grade.excellent_each_round", "五、3", True),
    ]
    incompetent = next(c for c in entry.checks if c.branch == "grade incompetent")
    assert not incompetent.holds and incompetent.comparisons[0].left_value == "2/70 = 2.86%"


def test_get_pack_gives_conditions_in_words_and_thresholds_with_their_clauses(stub):
    pack = stub.GetPack(pb.GetPackRequest(pack="town_shuangshu_2010"), timeout=30)
    rules = {r.id: r for r in pack.rules}
    chair = rules["town_shuangshu_2010.meeting.chair"]
    assert chair.condition_words == "chair_role is not one of meeting.chair_roles (area_leader, liaison_cadre, 五、1)"
    assert chair.declared_in == "rules.yaml" and chair.fact_type == "village_chair"
    assert rules["core.ballot.empty-round"].declared_in == "core.ballot:core_ballot.yaml"
    sources = {s.key: s for s in pack.threshold_sources}
    assert sources["grade.incompetent_combined"].clause == "五、3"
    assert list(sources["grade.incompetent_combined"].rules) == ["town_shuangshu_2010.ballot.grade"]
    assert list(pack.uses) == ["core.ballot"]
