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
