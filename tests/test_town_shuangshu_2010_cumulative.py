"""town_shuangshu_2010: the `grade.cumulative` interpretation switched off, and final_grade's place.

cumulative: false needs a changed thresholds.yaml, so the pack is copied to tmp_path, the setting
flipped, and the copy loaded and evaluated on its own.
"""

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from policyhub.caseio import load_yaml, request_from_dict
from policyhub.evaluator import Evaluator, decision_to_dict
from policyhub.pack import load_pack
from policyhub.registry import PackRegistry

PACK = Path(__file__).resolve().parent.parent / "policy_packs" / "town_shuangshu_2010"
SUBJECT = {"id": "M-HL-01", "name": "周海龙", "kind": "individual", "role": "village_secretary"}


def pack_with(tmp_path: Path, **sections):
    """A copy of the pack with thresholds.yaml sections updated, e.g. grade={"cumulative": False}."""
    copy = Path(tempfile.mkdtemp(dir=tmp_path)) / "town_shuangshu_2010"  # two copies may share tmp_path
    shutil.copytree(PACK, copy, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    thresholds = load_yaml((copy / "thresholds.yaml").read_text(encoding="utf-8"))
    for section, settings in sections.items():
        thresholds[section].update(settings)
    (copy / "thresholds.yaml").write_text(yaml.safe_dump(thresholds, allow_unicode=True), encoding="utf-8")
    return load_pack(copy)


@pytest.fixture
def literal(tmp_path):
    return Evaluator(PackRegistry([pack_with(tmp_path, grade={"cumulative": False})]))


@pytest.fixture
def cumulative(tmp_path):
    return Evaluator(PackRegistry([pack_with(tmp_path, grade={"cumulative": True})]))


def decide(evaluator, village, town, **ballot):
    request = {
        "locality": "town_2010",
        "date": "2010-12-30",
        "ballot": {
            "purpose": "evaluation",
            "year": 2010,
            "subject": SUBJECT,
            "rounds": [
                {"name": "village", "cast": sum(village.values()), "tallies": village},
                {"name": "town", "cast": sum(town.values()), "tallies": town},
            ],
            **ballot,
        },
    }
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    return (
        [g["code"] for g in decision["grades"]],
        {v["rule_id"] for v in decision["violations"]},
        {c["code"] for c in decision["consequences"]},
    )


# 40 excellent + 25 competent of 100 and 15 + 5 of 30: 65% and 66.7% competent-or-better, but only
# 25% and 16.7% literal 称职 votes; 基本称职 literal 38/130 — below every literal bar.
VILLAGE = {"excellent": 40, "competent": 25, "basically_competent": 30, "incompetent": 5}
TOWN = {"excellent": 15, "competent": 5, "basically_competent": 8, "incompetent": 2}
UNDECIDED = "town_shuangshu_2010.ballot.undecided"


def test_the_bundled_pack_counts_cumulatively():
    thresholds = load_yaml((PACK / "thresholds.yaml").read_text(encoding="utf-8"))
    assert thresholds["grade"]["cumulative"] is True
    interpretation = next(i for i in load_pack(PACK).interpretations if i.setting == "grade.cumulative")
    assert interpretation.default is True


def test_cumulative_votes_make_competent(cumulative):
    grades, violations, consequences = decide(cumulative, VILLAGE, TOWN)
    assert grades == ["competent"]
    assert UNDECIDED not in violations
    assert {"performance_pay_linked", "publish_results"} <= consequences


def test_literal_votes_decide_nothing(literal):
    grades, violations, consequences = decide(literal, VILLAGE, TOWN)
    assert grades == []
    assert UNDECIDED in violations
    assert "performance_pay_linked" not in consequences


def test_literal_undecided_takes_the_committees_grade(literal):
    grades, violations, _ = decide(literal, VILLAGE, TOWN, final_grade="competent")
    assert grades == ["competent"]
    assert UNDECIDED in violations


def test_literal_competent_at_exactly_60_percent_in_each_round(literal):
    # 60 literal 称职 of 100 and 18 of 30: exactly 60% in both rounds.
    village = {"excellent": 10, "competent": 60, "basically_competent": 25, "incompetent": 5}
    town = {"excellent": 5, "competent": 18, "basically_competent": 6, "incompetent": 1}
    assert decide(literal, village, town)[0] == ["competent"]
    village = {"excellent": 11, "competent": 59, "basically_competent": 25, "incompetent": 5}
    # 59/100 literal 称职: not competent; literal 基本称职 31/130 < 50%: undecided
    grades, violations, _ = decide(literal, village, town)
    assert grades == [] and UNDECIDED in violations


def test_literal_basically_competent_needs_its_own_votes(literal):
    # 基本称职 literal: 30 + 10 = 40 of 80, exactly 50% (the rest competent, 称职 share too low)
    village = {"competent": 20, "basically_competent": 30}
    town = {"competent": 20, "basically_competent": 10}
    assert decide(literal, village, town)[0] == ["basically_competent"]
    # 29 + 10 = 39 of 80 literal 基本称职 votes: undecided (counted cumulatively, 80 of 80 would make
    # the same ballot basically competent).
    village = {"competent": 21, "basically_competent": 29}
    town = {"competent": 20, "basically_competent": 10}
    grades, violations, _ = decide(literal, village, town)
    assert grades == [] and UNDECIDED in violations


def test_excellent_and_incompetent_do_not_depend_on_cumulative(literal, cumulative):
    excellent = ({"excellent": 35, "competent": 15}, {"excellent": 21, "competent": 9})
    incompetent = ({"competent": 25, "incompetent": 25}, {"excellent": 15, "incompetent": 15})
    for evaluator in (literal, cumulative):
        assert decide(evaluator, *excellent)[0] == ["excellent"]
        grades, _, consequences = decide(evaluator, *incompetent)
        assert grades == ["incompetent"]
        assert {"admonition_talk", "rectify_within_deadline"} <= consequences


def test_votes_that_decide_a_grade_are_not_overridden_by_final_grade(cumulative):
    # 五、3 grades by the votes; the committee's grade only fills an undecided ballot.
    grades, violations, _ = decide(cumulative, VILLAGE, TOWN, final_grade="excellent")
    assert grades == ["competent"]
    assert UNDECIDED not in violations


def test_share_base_cast_counts_invalid_ballots(tmp_path):
    evaluator = Evaluator(PackRegistry([pack_with(tmp_path, ballot={"share_base": "cast"})]))
    request = {
        "locality": "town_2010",
        "date": "2010-12-30",
        "ballot": {
            "purpose": "evaluation",
            "subject": SUBJECT,
            "rounds": [
                # 35 of 50 valid is 70%, but 35 of 52 cast is 67.3%
                {"name": "village", "cast": 52, "invalid": 2, "tallies": {"excellent": 35, "competent": 15}},
                {"name": "town", "cast": 30, "tallies": {"excellent": 24, "competent": 6}},
            ],
        },
    }
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    assert [g["code"] for g in decision["grades"]] == ["competent"]
