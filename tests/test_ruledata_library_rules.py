"""Rule data for libraries several packs share: a rule id taking the using pack's id (`{pack}`),
and consequences a fact brings by itself (`fact_consequences`, chosen by a role)."""

import textwrap
from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PackLoadError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry

from tests.demo_packs import demo_manifest, write_demo_pack

MANIFEST = demo_manifest("demo_roles")
THRESHOLDS = """\
member:
  removal: {branch_member: dismissal, village_committee_member: advise_resignation}
"""
RULES = """\
facts:
  removal: {subject_id: text, consequences: {list: text}}
rules:
  - id: "{pack}.ballot.removal"
    clause: 四
    kinds: [ballot]
    for: removal
    when: count(consequences) > 0
    fact_consequences: [dismissal, advise_resignation]
"""
# The measure: the consequence member.removal gives each role the subject holds (no verdict).
MEASURE = '''\
from policyhub.rules import Context, derive


@derive("ballot", uses=("member.removal",))
def removal(ballot: dict, ctx: Context):
    removal = ctx.thresholds.get("member.removal")
    subject = ballot.get("subject") or {}
    roles = [subject.get("role")] + list(subject.get("roles") or [])
    yield {"type": "removal", "path": "ballot.subject", "subject_id": subject.get("id", ""),
           "consequences": [removal[r] for r in roles if r in removal]}
'''


def write_pack(tmp_path: Path, rules: str = RULES) -> Path:
    return write_demo_pack(tmp_path / "demo_roles", MANIFEST, THRESHOLDS, rules, {"measure.py": MEASURE})


def consequences(pack, subject: dict) -> list[tuple[str, str, str]]:
    evaluator = Evaluator(PackRegistry([pack]), observed=False)
    request = {"locality": "demo", "date": "2011-06-01",
               "ballot": {"purpose": "evaluation", "subject": {"kind": "individual", **subject},
                          "rounds": [{"name": "village", "cast": 10, "tallies": {"excellent": 10}}]}}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    return [(c["rule_id"], c["code"], c["subject_id"]) for c in decision["consequences"]]


def test_a_rule_id_with_pack_takes_the_loading_packs_id(tmp_path):
    pack = load_pack(write_pack(tmp_path))
    assert [r.id for r in pack.rules] == ["demo_roles.ballot.removal"]


def test_the_consequences_a_fact_brings_are_yielded_when_the_rule_declares_them(tmp_path):
    pack = load_pack(write_pack(tmp_path))
    assert pack.rules[0].fact_consequences == ("dismissal", "advise_resignation")
    both = consequences(pack, {"id": "M-1", "role": "branch_member", "roles": ["village_committee_member"]})
    assert both == [("demo_roles.ballot.removal", "dismissal", "M-1"),
                    ("demo_roles.ballot.removal", "advise_resignation", "M-1")]
    assert consequences(pack, {"id": "M-2", "role": "village_secretary"}) == []


def refused(tmp_path, rules: str) -> list[str]:
    with pytest.raises(PackLoadError) as caught:
        load_pack(write_pack(tmp_path, rules))
    return caught.value.findings


def test_fact_consequences_need_a_consequences_list_on_the_fact_type(tmp_path):
    rules = RULES.replace("consequences: {list: text}}", "consequences: text}").replace(
        "count(consequences) > 0", "consequences != ''")
    assert refused(tmp_path, rules)[0] == (
        "rules.yaml: rule demo_roles.ballot.removal: fact_consequences: the fact type removal needs a "
        "`consequences: {list: text}` field to bring them")


def test_fact_consequences_must_be_a_list_of_known_codes(tmp_path):
    assert refused(tmp_path, RULES.replace("[dismissal, advise_resignation]", "dismissal"))[0] == (
        "rules.yaml: rule demo_roles.ballot.removal: fact_consequences: a list of consequence codes")
    findings = refused(tmp_path / "b", RULES.replace("advise_resignation]", "resign]"))
    assert findings == ["rule demo_roles.ballot.removal: unknown consequence code 'resign' in fact_consequences"]


def test_a_pack_id_placeholder_in_after_names_the_packs_own_grade_rule(tmp_path):
    rules = textwrap.dedent("""\
        facts:
          removal: {subject_id: text, scheme: text, roles: {list: text}}
        rules:
          - id: "{pack}.ballot.grade"
            clause: 三
            kinds: [ballot]
            for: removal
            grade:
              - {code: incompetent, when: "'branch_member' in roles"}
          - id: "{pack}.ballot.removal"
            clause: 四
            kinds: [ballot]
            after: "{pack}.ballot.grade"
            consequences: [dismissal]
        """)
    measure = MEASURE.replace('"consequences": [removal[r] for r in roles if r in removal]',
                              '"scheme": "member", "roles": roles')
    directory = write_pack(tmp_path, rules)
    (directory / "rules" / "measure.py").write_text(measure, encoding="utf-8")
    pack = load_pack(directory)
    assert [r.id for r in pack.rules] == ["demo_roles.ballot.grade", "demo_roles.ballot.removal"]
    assert consequences(pack, {"id": "M-3", "role": "branch_member"}) == [
        ("demo_roles.ballot.removal", "dismissal", "M-3")]
    assert consequences(pack, {"id": "M-4", "role": "village_secretary"}) == []


def test_every_rule_over_facts_that_bring_consequences_declares_them(tmp_path):
    rules = RULES + """\
  - id: demo_roles.ballot.noted
    clause: 四
    kinds: [ballot]
    for: removal
    when: count(consequences) > 1
    severity: info
    message: {zh: 两项, en: Two}
"""
    assert refused(tmp_path, rules)[0] == (
        "rules.yaml: rule demo_roles.ballot.noted: fact_consequences: the facts of removal bring consequences; "
        "declare the codes they may bring")
