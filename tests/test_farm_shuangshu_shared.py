"""The shared village “双述双评” logic (policyhub.rules.shuangshu) beyond what fixtures can vary:
other threshold settings, window forms, and the three packs that use it."""

import datetime as dt
from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.packs.pack import load_pack
from policyhub.rules.model import Context
from policyhub.rules.shuangshu import grade_of, member_incompetent_votes, window
from policyhub.rules.thresholds import ThresholdError, Thresholds

PACKS = Path(__file__).resolve().parent.parent / "policy_packs"

SCHEMES = {
    "schemes": {"team": ["excellent", "qualified", "unqualified"], "member": ["excellent", "competent", "incompetent"]},
    "default_scheme": "member",
}


def thresholds(share_base="valid", fallback="plurality") -> Thresholds:
    return Thresholds(
        {
            "ballot": {**SCHEMES, "share_base": share_base, "grade_fallback": fallback},
            "member": {"scheme": "member", "incompetent_option": "incompetent", "incompetent_share": "1/3"},
        }
    )


def ctx(t: Thresholds) -> Context:
    return Context(kind="ballot", pack_id="farm_shuangshu", locality="farm", date=None, thresholds=t)


@pytest.mark.parametrize("pack", ["farm_shuangshu", "doushan_2019", "yinchuan_2011"])
def test_pack_loads(pack):
    assert load_pack(PACKS / pack).rules


def test_yearly_and_fixed_windows():
    t = Thresholds({"a": {"from": "11-20", "to": "11-30"}, "b": {"from": "2018-12-11", "to": "2018-12-30"}})
    yearly, fixed = window(t, "a"), window(t, "b")
    assert yearly.contains(dt.date(2015, 11, 30)) and not yearly.contains(dt.date(2015, 12, 1))
    assert fixed.contains(dt.date(2018, 12, 30)) and not fixed.contains(dt.date(2019, 12, 20))
    assert (yearly.text, fixed.text) == ("11-20…11-30", "2018-12-11…2018-12-30")


BALLOT = {"rounds": [{"name": "village", "cast": 33, "invalid": 3, "tallies": {"excellent": 8, "competent": 12,
                                                                               "incompetent": 10}}]}


def test_share_base_cast_takes_shares_of_all_ballots_returned():
    valid = list(member_incompetent_votes(BALLOT, ctx(thresholds("valid"))))
    cast = list(member_incompetent_votes(BALLOT, ctx(thresholds("cast"))))
    assert valid[0]["reached"] is True  # 10/30 = 1/3
    assert cast[0]["reached"] is False  # 10/33 < 1/3


def test_grade_fallback_none_waits_for_the_committee():
    assert grade_of(BALLOT, thresholds(fallback="plurality")) == ("competent", "plurality")
    assert grade_of(BALLOT, thresholds(fallback="none")) == (None, "")
    assert grade_of({**BALLOT, "final_grade": "excellent"}, thresholds(fallback="none")) == ("excellent", "final_grade")
    # a final grade outside the ballot's scheme is not taken
    assert grade_of({**BALLOT, "final_grade": "qualified"}, thresholds())[0] == "competent"


def test_bad_settings_are_named():
    with pytest.raises(ThresholdError):
        grade_of(BALLOT, thresholds(fallback="majority"))
    with pytest.raises(ThresholdError):
        list(member_incompetent_votes(BALLOT, ctx(thresholds("eligible"))))


def test_incompetent_member_holding_both_posts_is_dismissed_and_advised_to_resign(evaluator):
    decision = evaluator.evaluate(
        request_from_dict(
            {
                "pack": "farm_shuangshu",
                "ballot": {
                    "subject": {"id": "M-9", "kind": "individual", "role": "branch_member",
                                "roles": ["village_committee_member"]},
                    "rounds": [{"name": "village", "cast": 30, "tallies": {"competent": 10, "incompetent": 20}}],
                },
            }
        )
    )
    removal = {c.code for c in decision.consequences if c.rule_id == "farm_shuangshu.ballot.incompetent-removal"}
    assert removal == {"dismissal", "advise_resignation"}
    assert all(c.subject_id == "M-9" for c in decision.consequences)
