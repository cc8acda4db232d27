"""linge_2022: the worked examples evaluate as the regulation says, and each interpretation's
alternative setting (thresholds.yaml) changes the outcome as its pack.yaml text promises."""

import shutil
from pathlib import Path

import pytest
import yaml

from policyhub.domain.caseio import load_file, request_from_dict
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "policy_packs" / "linge_2022"
EXAMPLES = ROOT / "examples" / "linge_2022"


def evaluate(evaluator, request):
    return decision_to_dict(evaluator.evaluate(request_from_dict(request)))


def fired(decision):
    return {v["rule_id"] for v in decision["violations"]}


@pytest.fixture(scope="module")
def evaluator():
    return Evaluator(PackRegistry([load_pack(PACK)]))


def with_setting(tmp_path, key, value) -> Evaluator:
    """The pack with one thresholds.yaml setting changed."""
    copy = tmp_path / "linge_2022"
    shutil.copytree(PACK, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    data = yaml.safe_load((copy / "thresholds.yaml").read_text(encoding="utf-8"))
    node = data
    *parents, leaf = key.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value
    (copy / "thresholds.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Evaluator(PackRegistry([load_pack(copy)]))


def test_example_pledge_complies(evaluator):
    decision = evaluate(evaluator, load_file(EXAMPLES / "pledge.yaml"))
    assert decision["compliant"] and decision["violations"] == []


def test_example_half_year_ledger_complies(evaluator):
    request = load_file(EXAMPLES / "log.yaml")
    assert request["log"]["period"] == {"start": "2022-07-01", "end": "2022-12-31"}
    decision = evaluate(evaluator, request)
    assert decision["compliant"] and decision["violations"] == []


def test_example_ballot_grades_good_and_is_published(evaluator):
    decision = evaluate(evaluator, load_file(EXAMPLES / "ballot.yaml"))
    assert decision["compliant"]
    assert [g["code"] for g in decision["grades"]] == ["good"]
    assert [c["code"] for c in decision["consequences"]] == ["publish_results"]
    assert decision["violations"] == []
    assert [(n["rule_id"], n["severity"]) for n in decision["notes"]] == [  # a note, not a violation
        ("linge_2022.ballot.publish-results", "info")
    ]


def test_one_violation_per_idle_member_month(evaluator):
    request = load_file(EXAMPLES / "log.yaml")
    request["log"]["members"].append({"id": "M-099", "name": "新党员"})
    decision = evaluate(evaluator, request)
    idle = [v for v in decision["violations"] if v["rule_id"] == "linge_2022.log.monthly-activity"]
    assert len(idle) == 6  # July … December


def test_one_violation_per_missing_form_field(evaluator):
    request = load_file(EXAMPLES / "pledge.yaml")
    for key in ("gender", "phone", "branch", "grid"):
        del request["pledge"]["member"][key]
    decision = evaluate(evaluator, request)
    paths = sorted(v["path"] for v in decision["violations"] if v["rule_id"] == "linge_2022.pledge.form-fields")
    assert paths == ["pledge.member.branch", "pledge.member.gender", "pledge.member.phone"]


CENTRAL = {"locality": "linge", "date": "2022-12-28",
           "ballot": {"purpose": "selection", "year": 2022, "award": "central_household"}}


@pytest.mark.parametrize("selected, base, ok", [(0, 4, False), (1, 4, False), (1, 10, False), (2, 10, True)])
def test_central_household_strict_rounding(evaluator, selected, base, ok):
    request = {**CENTRAL, "ballot": {**CENTRAL["ballot"], "selected": selected, "base_count": base}}
    assert ("linge_2022.ballot.central-household-quota" not in fired(evaluate(evaluator, request))) is ok


def test_central_household_nearest_rounding(tmp_path):
    nearest = with_setting(tmp_path, "central_household.rounding", "nearest")
    # 4 households: 0.6–0.8 → strict has no whole number in range; nearest allows 1
    request = {**CENTRAL, "ballot": {**CENTRAL["ballot"], "selected": 1, "base_count": 4}}
    assert "linge_2022.ballot.central-household-quota" not in fired(evaluate(nearest, request))


def test_grade_median(tmp_path):
    median = with_setting(tmp_path, "grade.method", "median")
    request = load_file(EXAMPLES / "ballot.yaml")
    request["ballot"]["rounds"][0]["tallies"] = {"good": 10, "fairly_good": 2, "average": 3, "poor": 12}
    request["ballot"]["rounds"][0].update(cast=27, invalid=0)
    assert [g["code"] for g in evaluate(median, request)["grades"]] == ["average"]


def test_committee_marked(tmp_path):
    marked = with_setting(tmp_path, "log.committee_on_activity", "marked")
    decision = evaluate(marked, load_file(EXAMPLES / "log.yaml"))  # its committees are not marked
    assert "linge_2022.log.quarterly-committee" in fired(decision)


def test_unreported_pledge_late_at_once(tmp_path):
    strict = with_setting(tmp_path, "pledge.unreported_late_after_deadline", False)
    request = load_file(EXAMPLES / "pledge.yaml")
    del request["pledge"]["submitted_at"]
    assert "linge_2022.pledge.report-deadline" in fired(evaluate(strict, request))


FOUR_LEVELS = ["good", "fairly_good", "average", "poor"]  # 三: 好、较好、一般、差, best first


def most_votes(tallies):
    """The interpretation's words: the grade with most votes, a tie going to the lower grade."""
    top = max(tallies.values())
    return [o for o in FOUR_LEVELS if tallies[o] == top][-1] if top else None


def middle_voter(tallies):
    """The interpretation's words: the middle voter's grade, of two middles the lower."""
    voters = [o for o in FOUR_LEVELS for _ in range(tallies[o])]
    return voters[len(voters) // 2] if voters else None


@pytest.mark.parametrize("method, reading", [("plurality", most_votes), ("median", middle_voter)])
def test_the_grade_as_data_answers_as_the_interpretation_reads_for_every_small_tally(method, reading):
    """Every tally of 0..3 votes per level (256): the rule-data grade (compared by the engine) gives
    the grade the interpretation's text gives, and the reminder talk exactly with 差."""
    import itertools

    evaluator = Evaluator(PackRegistry([load_pack(PACK, settings={"grade.method": method})]), observed=False)
    for counts in itertools.product(range(4), repeat=4):
        tallies = dict(zip(FOUR_LEVELS, counts))
        ballot = {"purpose": "evaluation", "scheme": "four_level", "subject": {"id": "M", "kind": "individual"},
                  "rounds": [{"name": "village", "month": "2022-12", "tallies": {k: v for k, v in tallies.items() if v}}]}
        decision = evaluate(evaluator, {"locality": "linge", "date": "2022-12-20", "ballot": ballot})
        want = reading(tallies)
        assert [g["code"] for g in decision["grades"]] == ([want] if want else []), tallies
        talks = [c for c in decision["consequences"] if c["code"] == "reminder_talk"]
        assert len(talks) == (want == "poor"), tallies


@pytest.mark.parametrize("rounding", ["strict", "nearest"])
def test_the_central_household_quota_in_whole_households_for_every_small_village(rounding):
    """15%–20% of the party households, as the interpretation rounds them: strict — at least
    ceil(15%·n), at most floor(20%·n); nearest — both rounded half up. No households given: unmet."""
    import math
    from fractions import Fraction

    def bounds(n):
        low, high = Fraction(15, 100) * n, Fraction(20, 100) * n
        if rounding == "nearest":
            return math.floor(low + Fraction(1, 2)), math.floor(high + Fraction(1, 2))
        return math.ceil(low), math.floor(high)

    evaluator = Evaluator(PackRegistry([load_pack(PACK, settings={"central_household.rounding": rounding})]),
                          observed=False)
    for households in range(0, 41):
        for selected in range(0, 10):
            ballot = {**CENTRAL["ballot"], "selected": selected}
            if households:
                ballot["base_count"] = households
            else:
                ballot.pop("base_count", None)
            decision = evaluate(evaluator, {**CENTRAL, "ballot": ballot})
            least, most = bounds(households)
            unmet = not households or not least <= selected <= most
            assert ("linge_2022.ballot.central-household-quota" in fired(decision)) is unmet, (households, selected)
