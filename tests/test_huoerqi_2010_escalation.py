"""huoerqi_2010: the escalation's pay ratio comes from thresholds.yaml and reaches the consequence's params."""

from pathlib import Path

from policyhub.domain.caseio import load_yaml, request_from_dict
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

PACK = Path(__file__).resolve().parent.parent / "policy_packs" / "huoerqi_2010"


def escalation(history, year=2011, **subject):
    pack = load_pack(PACK)
    request = {
        "locality": "huoerqi",
        "date": f"{year}-12-05",
        "ballot": {
            "purpose": "evaluation",
            "year": year,
            "subject": {"id": "M-HEQ-03", "name": "刘志强", "kind": "individual", **subject},
            "rounds": [{"name": "residents", "cast": 40, "tallies": {"qualified": 15, "unqualified": 25}}],
            "history": [{"year": y, "grade": g} for y, g in history],
        },
    }
    decision = decision_to_dict(Evaluator(PackRegistry([pack])).evaluate(request_from_dict(request)))
    return {c["code"]: c.get("params", {}) for c in decision["consequences"] if c["rule_id"] == "huoerqi_2010.ballot.escalation"}


def test_two_years_running_pays_the_yaml_ratio():
    ratio = load_yaml((PACK / "thresholds.yaml").read_text(encoding="utf-8"))["escalation"]["pay_ratio"]
    got = escalation([(2010, "unqualified")], role="two_committees")
    assert set(got) == {"admonition_talk", "pay_reduction"}
    assert got["pay_reduction"] == {"ratio": ratio} == {"ratio": 0.8}


def test_runs():
    assert set(escalation([])) == {"warning_talk"}
    assert set(escalation([(2009, "unqualified"), (2010, "unqualified")])) == {"dismissal"}
    assert set(escalation([(2009, "unqualified"), (2010, "unqualified")], roles=["village_committee_member"])) == {
        "recall_recommended"
    }
    # 2010 missing: the run is this year alone
    assert set(escalation([(2008, "unqualified"), (2009, "unqualified")])) == {"warning_talk"}
