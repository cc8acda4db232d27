"""yuyao_2011: thresholds live in YAML, not code; the seed-form examples stay compliant."""

import shutil
from pathlib import Path

import pytest
import yaml

from policyhub.domain.caseio import load_file, load_yaml, request_from_dict
from policyhub.domain.errors import PackLoadError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.authoring.fixtures import load_cases
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policy_packs" / "yuyao_2011"
EXAMPLES = ROOT / "examples" / "yuyao_2011"
DEADLINE = "yuyao_2011.pledge.deadline"


def member_pledge(published_at: str) -> dict:
    """The seed-form member pledge (附件2), published on the given day."""
    request = load_file(EXAMPLES / "member_pledge.yaml")
    request["date"] = published_at
    request["pledge"]["published_at"] = published_at
    return request


def evaluate(pack_dir: Path, request: dict) -> dict:
    evaluator = Evaluator(PackRegistry([load_pack(pack_dir)]))
    return decision_to_dict(evaluator.evaluate(request_from_dict(request)))


def fired(decision: dict) -> set[str]:
    return {v["rule_id"] for v in decision["violations"]}


def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "yuyao_2011"
    shutil.copytree(PACK_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return target


def edit_thresholds(pack_dir: Path, edit) -> None:
    path = pack_dir / "thresholds.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_moving_the_deadline_in_yaml_moves_the_rule(tmp_path):
    request = member_pledge("2011-03-10")

    shipped = evaluate(PACK_DIR, request)
    assert DEADLINE in fired(shipped)
    assert shipped["compliant"] is False

    moved = copy_pack(tmp_path)
    edit_thresholds(moved, lambda t: t["pledge"].update(deadline="2011-03-15"))
    decision = evaluate(moved, request)
    assert DEADLINE not in fired(decision)
    assert decision["compliant"] is True
    # the new deadline is a real bound: a day after it still fails
    assert DEADLINE in fired(evaluate(moved, member_pledge("2011-03-16")))


def test_an_unknown_threshold_key_is_refused_by_name(tmp_path):
    broken = copy_pack(tmp_path)
    edit_thresholds(broken, lambda t: t["pledge"].update(deadlne="2011-03-15"))
    with pytest.raises(PackLoadError) as info:
        load_pack(broken)
    assert any("pledge.deadlne" in finding for finding in info.value.findings)


@pytest.mark.parametrize("name", ["member_pledge.yaml", "organization_pledge.yaml"])
def test_seed_form_examples_are_compliant_and_are_fixtures(name):
    request = load_file(EXAMPLES / name)
    decision = evaluate(PACK_DIR, request)
    assert decision["compliant"] is True
    assert decision["violations"] == []
    # the pack's fixture cases carry the very same requests
    requests = [case.request for case in load_cases(PACK_DIR / "fixtures" / "seed_forms.yaml")]
    assert request in requests


@pytest.mark.parametrize(
    "drop, path",
    [
        (lambda p: p["member"].pop("gender"), "pledge.member.gender"),
        (lambda p: (p["member"].pop("age"), p["member"].pop("birth_date", None)), "pledge.member.age"),
        (lambda p: p["member"].pop("joined_party"), "pledge.member.joined_party"),
        (lambda p: p["member"].pop("unit"), "pledge.member.unit"),
        (lambda p: p["member"].pop("position"), "pledge.member.position"),
        (lambda p: p.pop("signed_at"), "pledge.signed_at"),
        (lambda p: p["supervision"].pop("phone"), "pledge.supervision.phone"),
        (lambda p: p["supervision"].pop("email"), "pledge.supervision.email"),
        (lambda p: p["reviews"][1].pop("seal"), "pledge.reviews"),
    ],
)
def test_each_missing_member_form_field_is_one_violation_naming_it(drop, path):
    request = load_file(EXAMPLES / "member_pledge.yaml")
    drop(request["pledge"])
    decision = evaluate(PACK_DIR, request)
    form = [v for v in decision["violations"] if v["rule_id"] == "yuyao_2011.pledge.form-fields"]
    assert [v["path"] for v in form] == [path]
