"""Packs written as data only (no Python): the README's four kinds of rule, and bad rule data
refused at load with the file, the rule id and the field."""

from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PackLoadError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

from tests.demo_packs import demo_manifest, write_demo_pack

MANIFEST = demo_manifest("demo_data")
THRESHOLDS = """\
pledge:
  publish_by: {value: 2011-03-31, clause: 三、1, quote: 3月底前公开承诺}
  min_copies: {value: 4, clause: 三、2, quote: 一式四份}
member:
  incompetent_share: {value: 1/3, clause: 四, quote: 不称职票超过三分之一}
"""
RULES = """\
rules:
  - id: demo_data.pledge.published-late           # a deadline
    clause: 三、1
    kinds: [pledge]
    for: pledge
    when: published_at > pledge.publish_by
    severity: error
    path: pledge.published_at
    message:
      zh: 承诺书应于{published_at}前公开，实际晚于期限
      en: "The pledge was published on {published_at}, after the deadline"
  - id: demo_data.pledge.copies                     # a count
    clause: 三、2
    kinds: [pledge]
    for: pledge
    when: copies < pledge.min_copies
    severity: error
    path: pledge.copies
    message:
      zh: 承诺书只有{copies}份
      en: Only {copies} copies of the pledge
  - id: demo_data.ballot.incompetent-votes          # a share
    clause: 四
    kinds: [ballot]
    for: ballot
    when: any(rounds, share(tallies.incompetent, cast) >= member.incompetent_share)
    consequences: [admonition_talk]
  - id: demo_data.meeting.questions                 # a required segment
    clause: 三、3
    kinds: [meeting]
    for: meeting
    when: "'questions' not in segments"
    severity: error
    path: meeting.segments
    message: {zh: 会议缺少质询环节, en: The meeting has no questions segment}
"""


def write_pack(tmp_path: Path, rules: str = RULES, thresholds: str = THRESHOLDS) -> Path:
    return write_demo_pack(tmp_path / "demo_data", MANIFEST, thresholds, rules)


@pytest.fixture
def evaluator(tmp_path):
    return Evaluator(PackRegistry([load_pack(write_pack(tmp_path))]), observed=False)


def decide(evaluator, **submission):
    request = {"locality": "demo", "date": "2011-06-01", **submission}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    return ({v["rule_id"] for v in decision["violations"]}, [c["code"] for c in decision["consequences"]], decision)


def test_a_pack_without_python_loads_and_has_no_rule_scripts(tmp_path):
    pack = load_pack(write_pack(tmp_path))
    assert not (pack.directory / "rules").exists()
    assert [r.id for r in pack.rules] == sorted(r.id for r in pack.rules)
    assert len(pack.rules) == 4 and all(r.spec is not None for r in pack.rules)
    assert pack.threshold_sources["pledge.min_copies"] == {"clause": "三、2", "quote": "一式四份"}
    assert pack.thresholds.int("pledge.min_copies") == 4


def test_a_deadline_day_after_is_late_the_day_itself_is_not(evaluator):
    late, _, decision = decide(evaluator, pledge={"published_at": "2011-04-01", "copies": 4})
    assert late == {"demo_data.pledge.published-late"}
    assert decision["violations"][0]["message"]["en"] == "The pledge was published on 2011-04-01, after the deadline"
    assert decide(evaluator, pledge={"published_at": "2011-03-31", "copies": 4})[0] == set()


def test_a_count_below_the_minimum(evaluator):
    assert decide(evaluator, pledge={"published_at": "2011-03-01", "copies": 3})[0] == {"demo_data.pledge.copies"}
    assert decide(evaluator, pledge={"published_at": "2011-03-01", "copies": 4})[0] == set()


def test_a_share_reaching_a_third_in_any_round(evaluator):
    def ballot(*rounds):
        return {"purpose": "evaluation", "year": 2011, "subject": {"id": "M-1", "kind": "individual"},
                "rounds": [{"name": n, "cast": c, "tallies": {"excellent": c - i, "incompetent": i}} for n, c, i in rounds]}

    # 10/30 is exactly a third: it reaches the bar; 9/30 does not; 4/12 in the second round does
    assert decide(evaluator, ballot=ballot(("village", 30, 10)))[1] == ["admonition_talk"]
    assert decide(evaluator, ballot=ballot(("village", 30, 9)))[1] == []
    assert decide(evaluator, ballot=ballot(("village", 30, 9), ("town", 12, 4)))[1] == ["admonition_talk"]


def test_a_required_segment(evaluator):
    meeting = {"type": "review_meeting", "date": "2011-05-01"}
    assert decide(evaluator, meeting={**meeting, "segments": ["duty_report"]})[0] == {"demo_data.meeting.questions"}
    assert decide(evaluator, meeting={**meeting, "segments": []})[0] == {"demo_data.meeting.questions"}
    assert decide(evaluator, meeting={**meeting, "segments": ["duty_report", "questions"]})[0] == set()


def test_the_trace_shows_the_values_and_the_clause(evaluator):
    request = {"locality": "demo", "date": "2011-06-01", "trace": True,
               "pledge": {"published_at": "2011-04-01", "copies": 4}}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    entry = next(t for t in decision["trace"] if t["rule_id"] == "demo_data.pledge.published-late")
    assert entry["fired"] and entry["condition_words"] == (
        "published_at is more than pledge.publish_by (2011-03-31, 三、1)")
    assert entry["checks"][0]["comparisons"][0]["text"] == (
        "published_at = 2011-04-01 > pledge.publish_by = 2011-03-31 (三、1): yes")
    assert entry["thresholds"][0]["quote"] == "3月底前公开承诺"


def refused(tmp_path, rules=RULES, thresholds=THRESHOLDS) -> list[str]:
    with pytest.raises(PackLoadError) as caught:
        load_pack(write_pack(tmp_path, rules, thresholds))
    return caught.value.findings


def test_an_unknown_threshold_key_is_refused_naming_file_rule_and_field(tmp_path):
    findings = refused(tmp_path, RULES.replace("copies < pledge.min_copies", "copies < pledge.min_copiez"))
    assert findings == ["rules.yaml: rule demo_data.pledge.copies: when: unknown threshold key 'pledge.min_copiez'"]


def test_a_field_the_kind_does_not_have_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("copies < pledge.min_copies", "copiez < pledge.min_copies"))
    assert findings == ["rules.yaml: rule demo_data.pledge.copies: when: 'copiez' is not a field of pledge "
                        "nor a threshold key"]


def test_a_date_compared_with_a_number_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("published_at > pledge.publish_by", "published_at > pledge.min_copies"))
    assert findings == ["rules.yaml: rule demo_data.pledge.published-late: when: type mismatch: published_at is a "
                        "date, pledge.min_copies is a number"]


def test_a_message_placeholder_the_fact_does_not_have_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("承诺书只有{copies}份", "承诺书只有{copys}份"))
    assert findings == ["rules.yaml: rule demo_data.pledge.copies: message.zh: {copys} is not a field of pledge"]


def test_a_message_may_show_a_threshold_by_its_key(tmp_path):
    # {pledge.min_copies} is written in when the pack loads (so a setting shows its own value);
    # the fact's fields stay placeholders, and braces in the written text stay braces
    rules = RULES.replace("承诺书只有{copies}份", "承诺书只有{copies}份，{{应为}}{pledge.min_copies}份").replace(
        "Only {copies} copies of the pledge", "Only {copies} copies of the pledge, not {pledge.min_copies:>3}")
    evaluator = Evaluator(PackRegistry([load_pack(write_pack(tmp_path, rules))]), observed=False)
    _, _, decision = decide(evaluator, pledge={"published_at": "2011-03-01", "copies": 3})
    assert decision["violations"][0]["message"] == {"zh": "承诺书只有3份，{应为}4份",
                                                    "en": "Only 3 copies of the pledge, not   4"}
    rule = next(r for r in load_pack(tmp_path / "demo_data").rules if r.id == "demo_data.pledge.copies")
    assert rule.message["zh"] == "承诺书只有{copies}份，{{应为}}4份"


def test_a_message_placeholder_naming_a_group_of_thresholds_or_a_bad_spec_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("承诺书只有{copies}份", "承诺书只有{copies}份{pledge}").replace(
        "Only {copies} copies of the pledge", "Only {copies} copies of the pledge {pledge.min_copies:%Y}"))
    assert findings[0] == "rules.yaml: rule demo_data.pledge.copies: message.zh: {pledge} is not a field of pledge"
    assert findings[1].startswith("rules.yaml: rule demo_data.pledge.copies: message: ") and len(findings) == 2


def test_a_share_compared_with_a_number_and_an_unparsable_condition_are_refused(tmp_path):
    rules = RULES.replace("share(tallies.incompetent, cast) >= member.incompetent_share",
                          "share(tallies.incompetent, cast) >= pledge.min_copies").replace(
        "copies < pledge.min_copies", "copies < < 3")
    assert refused(tmp_path, rules) == [
        "rules.yaml: rule demo_data.pledge.copies: when: unexpected '<'",
        "rules.yaml: rule demo_data.ballot.incompetent-votes: when: type mismatch: share(tallies.incompetent, cast) "
        "is a share, pledge.min_copies is a number",
    ]


def test_an_unknown_rule_library_is_refused(tmp_path):
    directory = write_pack(tmp_path)
    (directory / "pack.yaml").write_text(MANIFEST + "uses: [core.nothing]\n", encoding="utf-8")
    with pytest.raises(PackLoadError) as caught:
        load_pack(directory)
    [finding] = caught.value.findings
    assert finding.startswith("pack.yaml: uses: unknown rule library 'core.nothing' (known: core.ballot, ")


def test_policyhubs_own_rule_libraries_are_registered_through_the_hook_like_a_plugins():
    from policyhub.packs.plugins import plugin_manager
    from policyhub.packs.libraries import available

    manager = plugin_manager(load_entry_points=False)
    assert manager.get_plugin("policyhub.rules.libraries") is not None
    names = [lib.name for result in manager.hook.policyhub_rule_libraries() for lib in result]
    assert names[0] == "core.ballot" and "core.pledges" in names and "core.shuangshu" in names
    core = available()["core.ballot"]
    assert [p.name for p in core.rule_files] == ["core_ballot.yaml"]


def test_a_pack_takes_a_library_by_name_and_its_rules_cite_their_own_document(tmp_path):
    directory = write_pack(tmp_path)
    (directory / "pack.yaml").write_text(MANIFEST + "uses: [core.ballot]\n", encoding="utf-8")
    (directory / "thresholds.yaml").write_text(
        THRESHOLDS + "ballot:\n  schemes: {four_level: [excellent, competent, basically_competent, incompetent]}\n"
        "  default_scheme: four_level\n", encoding="utf-8")
    pack = load_pack(directory)
    assert pack.uses == ("core.ballot",)
    evaluator = Evaluator(PackRegistry([pack]), observed=False)
    ballot = {"purpose": "evaluation", "year": 2011, "subject": {"id": "M-1", "kind": "individual"},
              "rounds": [{"name": "village", "cast": 10, "tallies": {"excellent": 11}}]}  # 11 votes of 10 ballots
    violations, _, decision = decide(evaluator, ballot=ballot)
    assert "core.ballot.tally-exceeds-cast" in violations
    cited = next(v for v in decision["violations"] if v["rule_id"] == "core.ballot.tally-exceeds-cast")["citation"]
    assert cited == {"document": "计票通则 (policyhub core ballot checks)", "clause": "票数核对"}


SETTING_THRESHOLDS = """\
pledge:
  publish_by: {value: 2011-03-31, clause: 三、1, quote: 3月底前公开承诺}
  unpublished_late: true          # a setting: an unpublished pledge is late (true) or not judged (false)
  copies_allowed: {value: [4, 8], clause: 三、2, quote: 一式四份或八份}
"""
SETTING_RULES = """\
rules:
  - id: demo_data.pledge.published-late
    clause: 三、1
    kinds: [pledge]
    for: pledge
    when: published_at > pledge.publish_by or (missing(published_at) and pledge.unpublished_late)
    severity: error
    message: {zh: 承诺书公开晚于期限, en: The pledge was published late}
  - id: demo_data.pledge.copies
    clause: 三、2
    kinds: [pledge]
    for: pledge
    when: copies not in pledge.copies_allowed
    severity: error
    message: {zh: "承诺书{copies}份", en: "{copies} copies"}
"""


def test_a_setting_in_a_condition_is_decided_when_the_pack_loads(tmp_path):
    directory = write_pack(tmp_path, SETTING_RULES, SETTING_THRESHOLDS)
    late = "demo_data.pledge.published-late"
    for settings, fires in ((None, True), ({"pledge.unpublished_late": False}, False)):
        pack = load_pack(directory, settings=settings)
        rule = next(r for r in pack.rules if r.id == late)
        assert "pledge.unpublished_late" in rule.thresholds
        evaluator = Evaluator(PackRegistry([pack]), observed=False)
        assert (late in decide(evaluator, pledge={"copies": 4})[0]) is fires
        # the deadline itself is compared by the engine either way
        assert late in decide(evaluator, pledge={"published_at": "2011-04-01", "copies": 4})[0]
        assert late not in decide(evaluator, pledge={"published_at": "2011-03-31", "copies": 4})[0]
    pack = load_pack(directory)
    words = next(r for r in pack.rules if r.id == late).spec.words
    assert words == ("published_at is more than pledge.publish_by (2011-03-31, 三、1) or "
                     "(published_at is not given and pledge.unpublished_late (true))")


def test_a_number_in_a_threshold_list_of_whole_numbers(tmp_path):
    evaluator = Evaluator(PackRegistry([load_pack(write_pack(tmp_path, SETTING_RULES, SETTING_THRESHOLDS))]),
                          observed=False)
    base = {"published_at": "2011-03-01"}
    assert decide(evaluator, pledge={**base, "copies": 4})[0] == set()
    assert decide(evaluator, pledge={**base, "copies": 8})[0] == set()
    assert decide(evaluator, pledge={**base, "copies": 5})[0] == {"demo_data.pledge.copies"}
    request = {"locality": "demo", "date": "2011-06-01", "trace": True, "pledge": {**base, "copies": 5}}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    entry = next(t for t in decision["trace"] if t["rule_id"] == "demo_data.pledge.copies")
    assert entry["checks"][0]["comparisons"][0]["text"] == "copies = 5 not in pledge.copies_allowed = [4, 8] (三、2): yes"


def test_words_and_numbers_are_not_mixed_in_in_and_a_comparison_of_written_values_only_is_refused(tmp_path):
    for name in "abcd":
        (tmp_path / name).mkdir()
    word_in_numbers = SETTING_RULES.replace("copies not in pledge.copies_allowed", "\"'four' in pledge.copies_allowed\"")
    assert refused(tmp_path / "a", word_in_numbers, SETTING_THRESHOLDS) == [
        "rules.yaml: rule demo_data.pledge.copies: when: `'four' in pledge.copies_allowed` reads nothing of the fact"]
    number_in_words = SETTING_RULES.replace("copies not in pledge.copies_allowed", "copies in publication_channels")
    assert refused(tmp_path / "b", number_in_words, SETTING_THRESHOLDS) == [
        "rules.yaml: rule demo_data.pledge.copies: when: `in` looks for words (or a number in a written list or "
        "threshold of numbers), copies is a number"]
    number_in_word_list = SETTING_RULES.replace("copies not in pledge.copies_allowed", "\"copies in ['4', '8']\"")
    assert refused(tmp_path / "c", number_in_word_list, SETTING_THRESHOLDS) == [
        "rules.yaml: rule demo_data.pledge.copies: when: ['4', '8'] must hold whole numbers, as copies is a number"]
    literals_only = SETTING_RULES.replace("copies not in pledge.copies_allowed", "copies > 1 and 2 > 1")
    assert refused(tmp_path / "d", literals_only, SETTING_THRESHOLDS) == [
        "rules.yaml: rule demo_data.pledge.copies: when: 2 > 1 reads nothing of the fact"]
