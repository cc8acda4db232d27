"""A data rule's `steps:` — consequences by degree (a warning, then an admonition, then dismissal),
the first step that holds deciding — written without Python, and bad steps refused at load."""

from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PackLoadError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

from tests.demo_packs import demo_manifest, write_demo_pack

MANIFEST = demo_manifest("demo_steps")
# The pledge's copies stand in for a run of years: the fewer, the heavier the consequence.
THRESHOLDS = """\
pledge:
  min_copies: {value: 4, clause: 三、2, quote: 一式四份}
  admonition_below: {value: 3, clause: 三、2, quote: 少于三份的诫勉谈话}
  dismissal_below: {value: 2, clause: 三、2, quote: 少于两份的免职}
  pay_ratio: 0.8
"""
RULES = """\
rules:
  - id: demo_steps.pledge.copies
    clause: 三、2
    kinds: [pledge]
    for: pledge
    when: copies < pledge.min_copies
    severity: info
    path: pledge.copies
    message:
      zh: 承诺书只有{copies}份：{measures_zh}
      en: "Only {copies} copies: {measures_en}"
    steps:
      - when: copies < pledge.dismissal_below
        consequences: [dismissal]
        fields: {measures_zh: 免职, measures_en: dismissal}
      - when: copies < pledge.admonition_below
        consequences: [admonition_talk, {code: pay_reduction, params: {ratio: pledge.pay_ratio}}]
        fields: {measures_zh: 诫勉谈话, measures_en: "admonition ({copies} copies)"}
      - consequences: [warning_talk]
        fields: {measures_zh: 警示谈话, measures_en: warning}
"""


def write_pack(tmp_path: Path, rules: str = RULES) -> Path:
    return write_demo_pack(tmp_path / "demo_steps", MANIFEST, THRESHOLDS, rules)


@pytest.fixture
def evaluator(tmp_path):
    return Evaluator(PackRegistry([load_pack(write_pack(tmp_path))]), observed=False)


def decide(evaluator, copies: int, trace: bool = False) -> dict:
    request = {"locality": "demo", "date": "2011-06-01", "trace": trace, "pledge": {"copies": copies}}
    return decision_to_dict(evaluator.evaluate(request_from_dict(request)))


def codes(decision: dict) -> list:
    return [(c["code"], c.get("params", {})) for c in decision["consequences"]]


@pytest.mark.parametrize("copies, expected, measures", [
    (4, [], None),                                    # the rule's own `when` does not hold: no step
    (3, [("warning_talk", {})], "warning"),           # only the last step (no `when`) holds
    (2, [("admonition_talk", {}), ("pay_reduction", {"ratio": 0.8})], "admonition (2 copies)"),
    (1, [("dismissal", {})], "dismissal"),           # three steps hold: the first decides, alone
    (0, [("dismissal", {})], "dismissal"),
])
def test_the_first_step_that_holds_decides_the_consequences_and_the_message(evaluator, copies, expected, measures):
    decision = decide(evaluator, copies)
    assert codes(decision) == expected
    if measures is None:
        assert decision["notes"] == []
    else:
        assert [n["message"]["en"] for n in decision["notes"]] == [f"Only {copies} copies: {measures}"]
        assert {c["rule_id"] for c in decision["consequences"]} == {"demo_steps.pledge.copies"}


def test_the_trace_marks_the_deciding_step_and_pack_words_list_the_steps(evaluator, tmp_path):
    decision = decide(evaluator, 1, trace=True)
    entry = next(t for t in decision["trace"] if t["rule_id"] == "demo_steps.pledge.copies")
    texts = [check["text"].splitlines()[0] for check in entry["checks"]]
    assert texts == ["step 1 (dismissal): holds (the first that holds: decides)",
                     "step 2 (admonition_talk, pay_reduction): holds (not reached: an earlier branch decides)",
                     "step 3 (warning_talk): holds (not reached: an earlier branch decides)"]
    assert "copies = 1 < pledge.dismissal_below = 2 (三、2): yes" in entry["checks"][0]["text"]
    words = entry["condition_words"]
    assert words.startswith("copies is less than pledge.min_copies (4, 三、2); then the first step that holds: ")
    assert "step 3 (warning_talk)" in words
    (tmp_path / "again").mkdir()
    pack = load_pack(write_pack(tmp_path / "again"))
    rule = pack.rules[0]
    assert rule.fact_consequences == ("admonition_talk", "dismissal", "pay_reduction", "warning_talk")
    assert "pledge.pay_ratio" in rule.thresholds  # the param's threshold is read by the rule


def refused(tmp_path, rules: str) -> list[str]:
    with pytest.raises(PackLoadError) as caught:
        load_pack(write_pack(tmp_path, rules))
    return [f for f in caught.value.findings if f != "rules/: no Rule found"]  # the pack's only rule is refused


def test_a_step_that_yields_nothing_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("      - consequences: [warning_talk]\n        fields:", "      - fields:"))
    assert len(findings) == 1 and findings[0].startswith("rules.yaml: rule demo_steps.pledge.copies: steps: step 3:")
    assert "consequences or a severity required" in findings[0]


def test_a_message_placeholder_not_every_step_gives_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("fields: {measures_zh: 警示谈话, measures_en: warning}",
                                               "fields: {measures_zh: 警示谈话}"))
    assert findings == ["rules.yaml: rule demo_steps.pledge.copies: message.en: {measures_en} is not a field of pledge"]


def test_a_step_field_placeholder_the_fact_lacks_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("admonition ({copies} copies)", "admonition ({copys} copies)"))
    assert findings == ["rules.yaml: rule demo_steps.pledge.copies: steps: fields.measures_en: {copys} is not a "
                        "field of pledge"]


def test_a_step_condition_with_an_unknown_threshold_is_refused(tmp_path):
    findings = refused(tmp_path, RULES.replace("copies < pledge.dismissal_below", "copies < pledge.dismissal_belov"))
    assert findings == ["rules.yaml: rule demo_steps.pledge.copies: steps: step 1: when: unknown threshold key "
                        "'pledge.dismissal_belov'"]


# A consequence chosen by a grade, its code kept with its clause in thresholds.yaml; the last step
# hangs nothing and only says so (linge_2022's household sign).
SIGN_THRESHOLDS = THRESHOLDS + """\
signs:
  few: {value: admonition_talk, clause: 三、2, quote: 少于三份的诫勉谈话}
  many: publish_results
"""
SIGN_RULES = """\
rules:
  - id: demo_steps.pledge.signs
    clause: 三、2
    kinds: [pledge]
    for: pledge
    when: copies >= pledge.dismissal_below
    path: pledge.copies
    message: {zh: "{copies}份：不作处理", en: "{copies} copies: nothing follows"}
    steps:
      - {when: copies < pledge.admonition_below, consequences: [signs.few]}
      - {when: copies > pledge.min_copies, consequences: [{code: signs.many, params: {ratio: pledge.pay_ratio}}]}
      - {severity: info}
"""


def sign_pack(tmp_path: Path, rules: str = SIGN_RULES) -> Path:
    return write_demo_pack(tmp_path / "demo_steps", MANIFEST, SIGN_THRESHOLDS, rules)


@pytest.mark.parametrize("copies, expected, note", [
    (2, [("admonition_talk", {})], False),                     # the code read from signs.few
    (5, [("publish_results", {"ratio": 0.8})], False),            # {code: <threshold key>} too
    (3, [], True),                                             # the last step: a note, no consequence
    (4, [], True),
])
def test_a_step_reads_its_code_from_a_threshold_and_a_step_may_only_note(tmp_path, copies, expected, note):
    evaluator = Evaluator(PackRegistry([load_pack(sign_pack(tmp_path))]), observed=False)
    decision = decide(evaluator, copies)
    assert codes(decision) == expected
    assert decision["violations"] == []
    if note:
        assert [(n["rule_id"], n["severity"], n["message"]["en"]) for n in decision["notes"]] == [
            ("demo_steps.pledge.signs", "info", f"{copies} copies: nothing follows")]
    else:  # a step without a severity, in a rule without one: its consequence says it, no note
        assert decision["notes"] == []


def test_the_rule_reads_the_code_thresholds_and_says_the_steps_severity(tmp_path):
    rule = load_pack(sign_pack(tmp_path)).rules[0]
    assert rule.severity == "info"  # only the steps speak: the rule is listed with theirs
    assert rule.fact_consequences == ("admonition_talk", "publish_results")
    assert {"signs.few", "signs.many", "pledge.pay_ratio"} <= set(rule.thresholds)
    assert "step 3 (severity info)" in rule.spec.words


def test_a_step_severity_overrides_the_rules(tmp_path):
    rules = RULES.replace("      - consequences: [warning_talk]\n", "      - consequences: [warning_talk]\n        severity: error\n")
    evaluator = Evaluator(PackRegistry([load_pack(write_pack(tmp_path, rules))]), observed=False)
    warned, admonished = decide(evaluator, 3), decide(evaluator, 2)
    assert [v["severity"] for v in warned["violations"]] == ["error"] and warned["notes"] == []
    assert warned["compliant"] is False
    assert [n["severity"] for n in admonished["notes"]] == ["info"] and admonished["compliant"] is True


@pytest.mark.parametrize("old, new, finding", [
    ("consequences: [signs.few]", "consequences: [signs.fewer]",
     "steps: step 1: consequences: 'signs.fewer' is neither a consequence code nor a threshold key"),
    ("consequences: [signs.few]", "consequences: [pledge.min_copies]",
     "steps: step 1: consequences: pledge.min_copies is 4, not a consequence code"),
    ("{code: signs.many,", "{code: pledge.pay_ratio,",
     "steps: step 2: consequences: pledge.pay_ratio is 0.8, not a consequence code"),
    ("{severity: info}", "{severity: notice}", "steps: step 3: severity: one of error, warning, info"),
    ("{severity: info}", "{when: copies > 9}",
     "steps: step 3: {when: …, consequences: […], fields: {name: text}, severity: …} "
     "(consequences or a severity required; without `when` the step always holds)"),
])
def test_bad_step_codes_and_severities_are_refused(tmp_path, old, new, finding):
    assert old in SIGN_RULES
    with pytest.raises(PackLoadError) as caught:
        load_pack(sign_pack(tmp_path, SIGN_RULES.replace(old, new)))
    findings = [f for f in caught.value.findings if f != "rules/: no Rule found"]
    assert findings == [f"rules.yaml: rule demo_steps.pledge.signs: {finding}"]
