"""Issue 14: wrong answers at the edges, each class checked across the packs it occurs in.

Expected answers come from the rulebook (../shared/rulebook) and the seeds; the packs' own
fixtures/fidelity.yaml hold the cases a pack author reads, these tests the exact counts and the
field an error names.
"""

from __future__ import annotations

import pytest

from policyhub.caseio import request_from_dict
from policyhub.errors import InvalidArgument
from policyhub.evaluator import decision_to_dict


def decide(evaluator, request: dict) -> dict:
    return decision_to_dict(evaluator.evaluate(request_from_dict(request)))


def refused(evaluator, request: dict) -> list[str]:
    """The fields an INVALID_ARGUMENT names (fails when the request gets a decision)."""
    with pytest.raises(InvalidArgument) as caught:
        evaluator.evaluate(request_from_dict(request))
    return [field for field, _ in caught.value.violations]


def fired(decision: dict, rule_id: str) -> int:
    return sum(1 for v in decision["violations"] + decision.get("notes", []) if v["rule_id"] == rule_id)


# --- 1. the scheme follows the subject ---------------------------------------------------------

TEAM_BALLOT = {"purpose": "evaluation", "subject": {"id": "T-1", "kind": "team"},
               "rounds": [{"name": "village", "cast": 30, "tallies": {"excellent": 5, "qualified": 15, "unqualified": 10}}]}


@pytest.mark.parametrize("pack, locality, date", [("farm_shuangshu", "farm", "2009-12-06"),
                                                  ("doushan_2019", "doushan", "2019-01-20")])
def test_a_team_ballot_without_a_scheme_is_graded_on_the_team_scheme(evaluator, pack, locality, date):
    decision = decide(evaluator, {"locality": locality, "date": date, "ballot": TEAM_BALLOT})
    assert [(g["scheme"], g["code"]) for g in decision["grades"]] == [("team", "qualified")]
    assert not fired(decision, "core.ballot.unknown-option")
    # 四: 差票较多 (10 of 30 = 1/3 reaches the bar) → 限期整改 and 调整班子
    assert {c["code"] for c in decision["consequences"]} >= {"rectify_within_deadline", "team_adjustment"}


@pytest.mark.parametrize("scheme, field", [("member", "ballot.scheme"), ("five_level", "ballot.scheme")])
def test_a_scheme_contradicting_the_subject_or_unknown_is_refused(evaluator, scheme, field):
    request = {"locality": "farm", "date": "2009-12-06", "ballot": {**TEAM_BALLOT, "scheme": scheme}}
    assert refused(evaluator, request) == [field]


def test_an_unknown_scheme_is_refused_in_a_pack_with_one_default(evaluator):
    ballot = {"purpose": "evaluation", "subject": {"id": "M"}, "scheme": "team",
              "rounds": [{"name": "residents", "cast": 3, "tallies": {"qualified": 3}}]}
    assert refused(evaluator, {"locality": "huoerqi", "date": "2011-12-05", "ballot": ballot}) == ["ballot.scheme"]


# --- 2. a missing year never drops a consequence -----------------------------------------------

def huoerqi_ballot(history, **ballot):
    return {"pack": "huoerqi_2010", "ballot": {
        "purpose": "evaluation", "subject": {"id": "M-1", "role": "two_committees"},
        "rounds": [{"name": "residents", "cast": 10, "tallies": {"qualified": 4, "unqualified": 6}}],
        "history": [{"year": y, "grade": g} for y, g in history], **ballot}}


def test_escalation_without_a_year(evaluator):
    first = decide(evaluator, huoerqi_ballot([(2009, "qualified")]))
    assert [c["code"] for c in first["consequences"]] == ["warning_talk"]
    assert refused(evaluator, huoerqi_ballot([(2009, "unqualified")])) == ["ballot.year"]
    with_year = decide(evaluator, huoerqi_ballot([(2009, "unqualified")], year=2010))
    assert {c["code"] for c in with_year["consequences"]} == {"admonition_talk", "pay_reduction"}


def test_linge_report_deadline_without_any_year_is_refused(evaluator):
    pledge = {"pledger": "member", "member": {"name": "王"}, "publication_channels": ["grid_board"]}
    assert refused(evaluator, {"pack": "linge_2022", "pledge": pledge}) == ["pledge.year"]


def test_linge_unreported_pledge_without_a_request_date_is_refused(evaluator):
    pledge = {"year": 2022, "pledger": "member", "member": {"name": "王"}}
    assert refused(evaluator, {"pack": "linge_2022", "pledge": pledge}) == ["pledge.submitted_at"]


def test_yinchuan_rectification_deadline_without_a_year_is_refused(evaluator):
    meeting = {"type": "review_meeting", "rectification": {"published": True, "items": [
        {"content": "a", "measures": "b", "deadline": "2011-07-15"}]}}
    assert refused(evaluator, {"pack": "yinchuan_2011", "meeting": meeting}) == ["meeting.date"]


# --- 3. extra's keys are typed ------------------------------------------------------------------

@pytest.mark.parametrize("request_, field", [
    ({"locality": "yuyao", "date": "2011-03-20", "pledge": {
        "pledger": "organization", "published_at": "2011-03-20",
        "organization": {"name": "村", "type": "village", "extra": {"tied_to_election": "false"}}}},
     "pledge.organization.extra.tied_to_election"),
    ({"locality": "yuyao", "date": "2011-03-20", "pledge": {
        "published_at": "2011-03-20", "extra": {"tied_to_election": "true"}}}, "pledge.extra.tied_to_election"),
    ({"locality": "yuyao", "date": "2011-03-20", "pledge": {
        "published_at": "2011-03-20", "member": {"extra": {"rural": 0}}}}, "pledge.member.extra.rural"),
    ({"locality": "town_2010", "date": "2010-12-20", "meeting": {
        "type": "review_meeting", "extra": {"report_reviewed_by_liaison": "yes"}}},
     "meeting.extra.report_reviewed_by_liaison"),
    ({"locality": "town_2010", "date": "2010-12-20", "meeting": {
        "type": "review_meeting", "extra": {"level": "VILLAGE"}}}, "meeting.extra.level"),
    ({"locality": "farm", "date": "2009-12-05", "log": {"meetings": [
        {"type": "review_meeting", "date": "2009-12-05", "extra": {"level": ["village"]}}]}},
     "log.meetings[0].extra.level"),
    ({"locality": "huoerqi", "date": "2011-12-01", "meeting": {
        "type": "review_meeting", "extra": {"two_committees": True}}}, "meeting.extra.two_committees"),
    ({"locality": "linge", "date": "2022-09-30", "log": {"period": {"start": "2022-07-01", "end": "2022-09-30"},
        "meetings": [{"type": "branch_committee", "date": "2022-08-01", "extra": {"on_activity": "no"}}]}},
     "log.meetings[0].extra.on_activity"),
])
def test_a_mistyped_extra_key_is_refused_naming_it(evaluator, request_, field):
    assert refused(evaluator, request_) == [field]


def test_a_json_false_flag_is_false(evaluator):
    pledge = {"pledger": "organization", "published_at": "2011-03-20",
              "organization": {"name": "村", "type": "village", "extra": {"tied_to_election": False}}}
    decision = decide(evaluator, {"locality": "yuyao", "date": "2011-03-20", "pledge": pledge})
    assert [v["severity"] for v in decision["violations"] if v["rule_id"] == "yuyao_2011.pledge.deadline"] == ["error"]


# --- 4. what is counted is counted once ----------------------------------------------------------

def test_households_are_counted_once(evaluator):
    def count(households):
        pledge = {"year": 2022, "pledger": "member", "submitted_at": "2022-06-01", "linked_households": households}
        decision = decide(evaluator, {"locality": "linge", "date": "2022-06-14", "pledge": pledge})
        return fired(decision, "linge_2022.pledge.linked-households")

    assert count([{"head_name": "陈大贵"}, {"head_name": "陈大贵"}]) == 1  # one household: short of two
    assert count([{"head_name": "陈大贵", "phone": "138 1"}, {"head_name": "陈大贵 ", "phone": "1381"}]) == 1
    assert count([{"head_name": "陈大贵", "phone": "1381"}, {"head_name": "陈大贵", "phone": "1390"}]) == 0
    assert count([{"head_name": "陈大贵"}, {"head_name": "刘小芳"}]) == 0


def test_a_roster_member_listed_twice_has_one_finding_per_idle_month(evaluator):
    log = {"period": {"start": "2022-07-01", "end": "2022-08-31"},
           "members": [{"id": "M-1"}, {"id": "M-1"}, {"id": "M-2"}], "activities": [{"member_id": "M-2", "date": "2022-07-02", "photos": 1},
                                                                                   {"member_id": "M-2", "date": "2022-08-02", "photos": 1}]}
    decision = decide(evaluator, {"locality": "linge", "date": "2022-08-31", "log": log})
    assert fired(decision, "linge_2022.log.monthly-activity") == 2  # M-1 in July and August


def test_a_leader_repeating_one_item_has_one_item(evaluator):
    items = [{"category": "political", "text": "带头学习党的理论每月一次"}] * 3
    pledge = {"pledger": "member", "member": {"roles": ["leader_cadre"]}, "items": items}
    decision = decide(evaluator, {"locality": "street_2010", "date": "2011-03-01", "pledge": pledge})
    assert fired(decision, "street_pledge_2010.pledge.leader-higher") == 1


@pytest.mark.parametrize("counters, supervisors, fires", [
    (["王五", "赵六"], ["钱七", "孙八"], False),
    (["王五", "王五 "], ["钱七", "孙八"], True),  # one person twice: one counter
    (["王五", "\u3000"], ["钱七", "孙八"], True),  # a blank name is nobody
    (["王五", "赵六"], ["赵六", "孙八"], True),
])
def test_vote_counters_are_people(evaluator, counters, supervisors, fires):
    meeting = {"type": "review_meeting", "date": "2011-12-01", "vote_counters": counters, "vote_supervisors": supervisors}
    decision = decide(evaluator, {"locality": "huoerqi", "date": "2011-12-01", "meeting": meeting})
    assert bool(fired(decision, "huoerqi_2010.meeting.counters")) is fires


# --- 5. the vocabulary's chair and role codes are judged, not refused ------------------------------

@pytest.mark.parametrize("chair, allowed", [("village_secretary", False), ("two_committees", False),
                                            ("town_leader", False), ("secretary", False),
                                            ("liaison_cadre", True), ("area_leader", True)])
def test_every_vocabulary_chair_code_is_judged(evaluator, chair, allowed):
    meeting = {"type": "review_meeting", "date": "2010-12-20", "chair_role": chair,
               "extra": {"level": "village", "report_reviewed_by_liaison": True}}
    decision = decide(evaluator, {"locality": "town_2010", "date": "2010-12-20", "meeting": meeting})
    assert bool(fired(decision, "town_shuangshu_2010.meeting.chair")) is not allowed


def test_a_review_by_an_organization_level_is_judged(evaluator):
    pledge = {"pledger": "member", "reviews": [{"level": "village", "approved": True}]}
    decision = decide(evaluator, {"locality": "street_2010", "date": "2011-03-01", "pledge": pledge})
    assert fired(decision, "street_pledge_2010.pledge.review") == 1  # judged: not the street's approval
