"""Issue 14: wrong answers at the edges, each class checked across the packs it occurs in.

Expected answers come from the rulebook (../shared/rulebook) and the seeds; the packs' own
fixtures/fidelity.yaml hold the cases a pack author reads, these tests the exact counts and the
field an error names.
"""

from __future__ import annotations

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import InvalidArgument
from policyhub.evaluation.evaluator import decision_to_dict


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


# --- 9. text that shows nothing is empty, in every pack -------------------------------------------

BLANKS = ["\u3000", " \u3000\t", "\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\u3000\u200b"]


@pytest.mark.parametrize("blank", BLANKS)
def test_blank_text_is_empty_everywhere(evaluator, blank):
    def fires(request, rule_id):
        return fired(decide(evaluator, request), rule_id) > 0

    # form fields (yuyao 附件2, linge 附件1)
    assert fires({"locality": "yuyao", "date": "2011-02-20", "pledge": {"member": {"name": blank}}},
                 "yuyao_2011.pledge.form-fields")
    assert fires({"locality": "linge", "date": "2022-06-14", "pledge": {"year": 2022, "submitted_at": "2022-06-01",
                                                                        "member": {"name": blank}}},
                 "linge_2022.pledge.form-fields")
    # item texts: hollow (yuyao, sanshuang), too short (street)
    items = [{"category": "residence", "text": blank * 12}]
    assert fires({"locality": "yuyao", "date": "2011-02-20", "pledge": {"items": items}}, "yuyao_2011.pledge.vague-item")
    assert fires({"locality": "sanshuang_district", "date": "2025-03-01", "pledge": {"items": items}},
                 "sanshuang_2025.pledge.vague-item")
    assert fires({"locality": "street_2010", "date": "2011-03-01", "pledge": {"items": items}},
                 "street_pledge_2010.pledge.specific")
    # a ledger entry's owner (huoerqi), a rectification item's content (yinchuan), an item's measures (linge)
    assert fires({"locality": "huoerqi", "date": "2011-12-01", "log": {"rectification_ledger": [
        {"issue": "路灯", "owner": blank, "deadline": "2012-01-31"}]}}, "huoerqi_2010.log.rectification-ledger")
    assert fires({"locality": "yinchuan", "date": "2011-06-15", "meeting": {
        "type": "review_meeting", "date": "2011-06-15", "rectification": {"published": True, "items": [
            {"content": blank, "measures": "整改", "deadline": "2011-06-30"}]}}}, "yinchuan_2011.meeting.rectification")
    assert fires({"locality": "linge", "date": "2022-06-14", "pledge": {"year": 2022, "submitted_at": "2022-06-01",
                                                                        "items": [{"category": "service", "text": "服务事项一",
                                                                                   "target": "目标", "measures": blank}]}},
                 "linge_2022.pledge.target-measures")


def test_blank_is_one_rule():
    from policyhub.rules.pledges import blank, normalized, present

    for text in BLANKS:
        assert blank(text) and not present(text) and normalized(text) == ""
    assert not blank("\u3000王\u200b") and present("王")


# --- 6 and 8. refused, not judged: periods and raw ballot papers ------------------------------------

@pytest.mark.parametrize("period, problem", [
    ({"start": "2025-12-31", "end": "2025-01-01"}, "log.period.end"),
    ({"start": "2015-01-01", "end": "2025-01-02"}, "log.period.end"),  # more than 10 years
])
def test_a_period_that_cannot_be_is_refused_by_both_readers(evaluator, period, problem):
    from policyhub.evaluation.normalize import read_request
    from policyhub.domain.validation import validate_request

    request = request_from_dict({"locality": "sanshuang_district", "date": "2025-12-31", "log": {"period": period}})
    assert [f for f, _ in validate_request(request)] == [problem]
    assert read_request(request)[0] == validate_request(request)
    assert refused(evaluator, {"locality": "sanshuang_district", "date": "2025-12-31", "log": {"period": period}}) == [problem]


def test_ten_years_to_the_day_is_a_period():
    from policyhub.domain.validation import validate_request

    request = request_from_dict({"locality": "x", "date": "2025-12-31",
                                 "log": {"period": {"start": "2015-01-01", "end": "2025-01-01"}}})
    assert validate_request(request) == []


@pytest.mark.parametrize("pack, locality, date", [("linge_2022", "linge", "2022-12-31"),
                                                  ("sanshuang_2025", "sanshuang_district", "2025-12-31"),
                                                  ("street_pledge_2010", "street_2010", "2010-12-31"),
                                                  ("yuyao_2011", "yuyao", "2011-12-31")])
def test_a_ledger_without_its_period_is_refused_where_months_are_counted(evaluator, pack, locality, date):
    assert refused(evaluator, {"locality": locality, "date": date, "log": {"period": {"start": date}}}) == [
        "log.period.end"]
    assert refused(evaluator, {"locality": locality, "date": date, "log": {}}) == ["log.period.start", "log.period.end"]


def test_a_ledger_without_a_period_is_judged_where_no_month_is_counted(evaluator):
    decision = decide(evaluator, {"locality": "huoerqi", "date": "2011-12-01", "log": {"rectification_ledger": [
        {"issue": "路灯", "owner": "王五", "deadline": "2012-01-31"}]}})
    assert decision["compliant"]


def test_a_raw_paper_without_its_round_is_refused_naming_it():
    from policyhub.evaluation.normalize import read_request
    from policyhub.domain.validation import validate_request

    request = request_from_dict({"locality": "town_2010", "date": "2010-12-20", "ballot": {
        "ballots": [{"round": "village", "choice": "excellent"}, {"choice": "competent"}, {}]}})
    assert [f for f, _ in validate_request(request)] == ["ballot.ballots[1].round", "ballot.ballots[2].round"]
    assert read_request(request)[0] == validate_request(request)


def test_a_blank_paper_is_cast_and_invalid():
    from policyhub.evaluation.normalize import read_request

    request = request_from_dict({"locality": "town_2010", "date": "2010-12-20", "ballot": {
        "ballots": [{"round": "village", "choice": "excellent"}, {"round": "village"}, {"round": "village"}]}})
    _, ballot = read_request(request)
    assert ballot["rounds"] == [{"name": "village", "tallies": {"excellent": 1}, "cast": 3, "invalid": 2}]


# --- notes: info findings have their own place in the decision -------------------------------------

def test_an_info_note_is_no_violation(evaluator):
    """street_pledge_2010.pledge.non-party-welcome: “never a violation” (rulebook)."""
    pledge = {"pledger": "member", "member": {"name": "周", "roles": ["activist"]}}
    decision = decide(evaluator, {"locality": "street_2010", "date": "2010-07-15", "pledge": pledge})
    assert [n["rule_id"] for n in decision["notes"]] == ["street_pledge_2010.pledge.non-party-welcome"]
    assert all(n["severity"] == "info" for n in decision["notes"])
    assert "street_pledge_2010.pledge.non-party-welcome" not in {v["rule_id"] for v in decision["violations"]}


def test_every_fixture_decision_keeps_notes_and_violations_apart(registry):
    from policyhub.authoring.fixtures import case_files, load_cases, outcome_in_process
    from policyhub.evaluation.evaluator import Evaluator

    checker = Evaluator(registry, observed=False)
    notes = 0
    for path in case_files([p.directory for p in registry.packs()]):
        for case in load_cases(path):
            decision = outcome_in_process(checker, case.request).get("decision")
            if decision:
                assert {v["severity"] for v in decision["violations"]} <= {"error", "warning"}, case.source
                assert {n["severity"] for n in decision["notes"]} <= {"info"}, case.source
                assert decision["compliant"] == all(v["severity"] != "error" for v in decision["violations"])
                notes += len(decision["notes"])
    assert notes > 0


@pytest.mark.parametrize("final, sign, note", [("excellent", "central_household_sign", False),
                                               ("qualified", "party_household_sign", False),
                                               ("unqualified", None, True)])
def test_linge_household_sign_speaks_per_match(evaluator, final, sign, note):
    """linge_2022.ballot.household-sign: excellent → 中心户牌; qualified → 党员户牌; unqualified → neither, and a note."""
    ballot = {"purpose": "evaluation", "scheme": "annual", "subject": {"id": "M-1"}, "final_grade": final}
    decision = decide(evaluator, {"locality": "linge", "date": "2022-12-20", "ballot": ballot})
    signs = [c["code"] for c in decision["consequences"] if c["rule_id"] == "linge_2022.ballot.household-sign"]
    assert signs == ([sign] if sign else [])
    assert fired({"violations": [], "notes": decision["notes"]}, "linge_2022.ballot.household-sign") == int(note)


def test_a_fact_bringing_an_undeclared_consequence_fails_the_rule():
    from types import SimpleNamespace

    from policyhub.evaluation.assembly import DecisionBuilder, RuleParts
    from policyhub.domain.errors import RuleFailure
    from policyhub.rules.model import Rule

    rule = Rule(id="x.ballot.y", clause="1", kinds=("ballot",), when=lambda t: None, fact_consequences=("warning_talk",))
    parts = RuleParts(rule, "doc")
    builder = DecisionBuilder(SimpleNamespace(pack_ref=b""))
    builder.add(parts, {"consequences": ["warning_talk"]})
    assert builder.consequence_codes == ["warning_talk"]
    with pytest.raises(RuleFailure):
        builder.add(parts, {"consequences": ["dismissal"]})


# --- (a sibling of 1) a ballot that does not name its purpose is read alike by every pack ---------

def test_a_ballot_without_purpose_is_an_evaluation_in_every_pack(evaluator):
    rounds = [{"name": "village", "month": "2022-12", "cast": 10, "tallies": {"good": 6, "fairly_good": 4}}]
    linge = decide(evaluator, {"locality": "linge", "date": "2022-12-20", "ballot": {"subject": {"id": "M"}, "rounds": rounds}})
    assert [g["code"] for g in linge["grades"]] == ["good"]  # graded, as farm, town and huoerqi grade it
    assert fired(linge, "linge_2022.ballot.publish-results") == 1
    yuyao = decide(evaluator, {"locality": "yuyao", "date": "2011-12-20", "ballot": {
        "subject": {"id": "M"}, "rounds": [{"name": "self", "cast": 1, "tallies": {"excellent": 1}}]}})
    assert fired(yuyao, "yuyao_2011.ballot.year-end-components") == 3  # peer, org and masses missing


def test_a_ballot_naming_an_award_without_purpose_is_a_selection(evaluator):
    ballot = {"award": "central_household", "selected": 1, "base_count": 52}  # 15–20% of 52: 8 to 10
    decision = decide(evaluator, {"locality": "linge", "date": "2022-12-20", "ballot": ballot})
    assert fired(decision, "linge_2022.ballot.central-household-quota") == 1
