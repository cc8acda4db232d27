"""The shared village “双述双评” library (core.shuangshu: library/shuangshu.yaml, measured by
policyhub.rules.shuangshu) beyond what fixtures can vary: other threshold settings, window forms,
and the three packs that use it."""

from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry
from policyhub.rules.model import Context
from policyhub.rules.shuangshu import ballot_votes, grades_given, window
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
            "team": {"scheme": "team", "poor_option": "unqualified", "poor_share": "1/3"},
            "member": {"scheme": "member", "incompetent_option": "incompetent", "incompetent_share": "1/3"},
        }
    )


def ctx(t: Thresholds) -> Context:
    return Context(kind="ballot", pack_id="farm_shuangshu", locality="farm", date=None, thresholds=t)


@pytest.mark.parametrize("pack", ["farm_shuangshu", "doushan_2019", "yinchuan_2011"])
def test_pack_loads(pack):
    assert load_pack(PACKS / pack).rules


def test_yearly_and_fixed_windows_as_messages_show_them():
    t = Thresholds({"a": {"from": "11-20", "to": "11-30"}, "b": {"from": "2018-12-11", "to": "2018-12-30"},
                    "c": {"from": "11-20", "to": "11-31"}})
    assert (window(t, "a"), window(t, "b")) == ("11-20…11-30", "2018-12-11…2018-12-30")
    with pytest.raises(ThresholdError):  # a day that does not exist is refused, not shown
        window(t, "c")


BALLOT = {"rounds": [{"name": "village", "cast": 33, "invalid": 3, "tallies": {"excellent": 8, "competent": 12,
                                                                               "incompetent": 10}}]}


def admonished(settings: dict) -> bool:
    """Whether farm_shuangshu, loaded with `settings`, gives BALLOT's member an admonition talk."""
    evaluator = Evaluator(PackRegistry([load_pack(PACKS / "farm_shuangshu", settings=settings)]), observed=False)
    request = {"pack": "farm_shuangshu", "ballot": {"purpose": "evaluation", "subject": {"id": "M-1", "kind": "individual"},
                                                     **BALLOT}}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    return "admonition_talk" in [c["code"] for c in decision["consequences"]]


def graded(settings: dict) -> list[str]:
    evaluator = Evaluator(PackRegistry([load_pack(PACKS / "farm_shuangshu", settings=settings)]), observed=False)
    request = {"pack": "farm_shuangshu", "ballot": {"purpose": "evaluation", "subject": {"id": "M-1", "kind": "individual"},
                                                     **BALLOT}}
    return [g["code"] for g in decision_to_dict(evaluator.evaluate(request_from_dict(request)))["grades"]]


def test_share_base_cast_takes_shares_of_all_ballots_returned():
    [valid] = ballot_votes(BALLOT, ctx(thresholds("valid")))
    [cast] = ballot_votes(BALLOT, ctx(thresholds("cast")))
    assert (valid["rounds"][0]["base"], cast["rounds"][0]["base"]) == (30, 33)
    assert admonished({"ballot.share_base": "valid"})  # 10/30 = 1/3
    assert not admonished({"ballot.share_base": "cast"})  # 10/33 < 1/3


def test_grade_fallback_none_waits_for_the_committee():
    assert grades_given(BALLOT, thresholds(fallback="plurality")) == ("", "competent")
    assert grades_given({**BALLOT, "final_grade": "excellent"}, thresholds()) == ("excellent", "competent")
    # under `none` the votes grade no one: the rule reads the setting (farm_shuangshu's fixtures hold it)
    assert graded({"ballot.grade_fallback": "none"}) == []
    assert graded({"ballot.grade_fallback": "plurality"}) == ["competent"]
    # a final grade outside the ballot's scheme is not taken
    assert grades_given({**BALLOT, "final_grade": "qualified"}, thresholds()) == ("", "competent")


def test_bad_settings_are_named():
    with pytest.raises(ThresholdError):
        grades_given(BALLOT, thresholds(fallback="majority"))
    with pytest.raises(ThresholdError):
        list(ballot_votes(BALLOT, ctx(thresholds("eligible"))))


def test_the_library_rules_carry_each_packs_own_ids():
    farm, doushan = load_pack(PACKS / "farm_shuangshu"), load_pack(PACKS / "doushan_2019")
    shared = {"meeting.attendance", "meeting.procedure", "meeting.window", "log.stage-windows",
              "ballot.team-poor-votes", "ballot.member-incompetent-votes", "ballot.grade"}
    for pack in (farm, doushan):
        assert "core.shuangshu" in pack.uses
        own = {r.id.split(".", 1)[1] for r in pack.rules if r.id.startswith(pack.id + ".")}
        assert shared <= own
        assert all(r.spec is not None for r in pack.rules)  # every rule is data
    assert {r.id for r in farm.rules} - {r.id for r in doushan.rules} == {
        f"farm_shuangshu.{x}" for x in shared | {"ballot.incompetent-removal"}}


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
