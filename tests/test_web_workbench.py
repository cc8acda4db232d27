"""The explorer's workbench and pack view, in process on the bundled packs."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pytest
import yaml

from policyhub.domain.errors import InvalidArgument
from policyhub.evaluation.evaluator import Evaluator
from policyhub.authoring.fixtures import Case, judge, rules_of
from policyhub.web import workbench
from policyhub.web.catalog import build_view, threshold_comments

ROOT = Path(__file__).resolve().parents[1]
MEMBER_FORM = (ROOT / "examples" / "yuyao_2011" / "member_pledge.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def evaluator(registry):
    return Evaluator(registry, observed=False)


def test_read_case_takes_a_request_a_fixture_case_or_a_case_file():
    request = workbench.read_case(MEMBER_FORM)
    assert request["pledge"]["copies"] == 4
    assert workbench.read_case(yaml.safe_dump({"name": "x", "request": request, "expect": {}})) == request
    assert workbench.read_case(yaml.safe_dump({"cases": [{"name": "x", "request": request, "expect": {}}]})) == request
    for bad in ("[1, 2]", "{unclosed", "just words"):
        with pytest.raises(InvalidArgument) as caught:
            workbench.read_case(bad)
        assert caught.value.violations[0][0] == "case"


def test_permalink_round_trip_and_refuses_a_bomb():
    assert workbench.decode_permalink(workbench.encode_permalink(MEMBER_FORM)) == MEMBER_FORM
    bomb = base64.urlsafe_b64encode(zlib.compress(b"a" * (workbench.MAX_CASE_CHARS * 8))).decode()
    with pytest.raises(InvalidArgument):
        workbench.decode_permalink(bomb)
    with pytest.raises(InvalidArgument):
        workbench.decode_permalink("not*base64")


def test_saved_fixture_passes_as_a_case(evaluator, registry):
    data = workbench.read_case(MEMBER_FORM.replace("copies: 4", "copies: 3"))
    outcome = workbench.evaluate(evaluator, data)
    saved = yaml.safe_load(workbench.fixture_yaml("three copies", data, outcome))
    [item] = saved["cases"]
    assert item["expect"] == {"compliant": False, "violations_include": ["yuyao_2011.pledge.copies"]}
    case = Case(item["name"], item["request"], item["expect"], "saved")
    assert judge(case, outcome, rules_of(registry, outcome)) == []
    bad = workbench.evaluate(evaluator, {**data, "date": "2011-02-30"})
    assert yaml.safe_load(workbench.fixture_yaml("bad", data, bad))["cases"][0]["expect"] == {"error": "INVALID_ARGUMENT"}


def test_a_note_is_shown_and_saved_apart_from_violations(evaluator, registry):
    # The street's welcome to a non-party pledger is an info note, "no violation" in the rulebook.
    cases = yaml.safe_load((ROOT / "policy_packs/street_pledge_2010/fixtures/pledge.yaml").read_text(encoding="utf-8"))
    [source] = [c for c in cases["cases"] if c.get("expect", {}).get("notes_include") and c["expect"]["compliant"]]
    request = workbench.read_case(yaml.safe_dump(source, allow_unicode=True))
    outcome = workbench.evaluate(evaluator, request)
    decision = outcome["decision"]
    assert [n["rule_id"] for n in decision["notes"]] == ["street_pledge_2010.pledge.non-party-welcome"]
    assert all(v["rule_id"] != "street_pledge_2010.pledge.non-party-welcome" for v in decision.get("violations", []))
    [item] = yaml.safe_load(workbench.fixture_yaml("welcome", request, outcome))["cases"]
    assert item["expect"]["notes_include"] == ["street_pledge_2010.pledge.non-party-welcome"]
    assert "violations_include" not in item["expect"]
    case = Case(item["name"], item["request"], item["expect"], "saved")
    assert judge(case, outcome, rules_of(registry, outcome)) == []


def test_diff_lists_what_was_added_and_removed(evaluator):
    good = workbench.read_case(MEMBER_FORM)
    few = workbench.read_case(MEMBER_FORM.replace("copies: 4", "copies: 3"))
    change = workbench.diff(workbench.evaluate(evaluator, good), workbench.evaluate(evaluator, few))
    assert change["changed"] and change["compliant"] == (True, False)
    assert [v["rule_id"] for v in change["violations"]["added"]] == ["yuyao_2011.pledge.copies"]
    assert change["violations"]["removed"] == []
    same = workbench.diff(workbench.evaluate(evaluator, good), workbench.evaluate(evaluator, good))
    assert not same["changed"]


def test_a_flipped_setting_runs_on_a_copy_and_leaves_the_pack_alone(evaluator, registry):
    pack = registry.get("yuyao_2011")
    before = (pack.directory / "thresholds.yaml").read_bytes()
    variants = workbench.Variants(limit=1)
    try:
        data = workbench.read_case(MEMBER_FORM)
        # 三、3 asks 4 copies; with the setting at 5 the same form is short of copies
        outcome = workbench.run_with_setting(variants, pack, "copies.member", 5, data)
        assert [v["rule_id"] for v in outcome["decision"]["violations"]] == ["yuyao_2011.pledge.copies"]
        # a count of copies that is not a number: the rule comparing it is refused when the copy loads
        broken = workbench.run_with_setting(variants, pack, "copies.member", "many", data)
        assert broken["error"] == "FAILED_PRECONDITION"
        assert any("copies.member" in v["description"] for v in broken["field_violations"])
        # a setting with listed values refuses any other at load, naming it
        linge = registry.get("linge_2022")
        setting = next(i.setting for i in linge.interpretations if i.id == "grade-method")
        refused = workbench.run_with_setting(variants, linge, setting, "perhaps", data)
        assert refused["error"] == "FAILED_PRECONDITION"
        assert any("perhaps" in v["description"] for v in refused["field_violations"])
    finally:
        variants.close()
    assert (pack.directory / "thresholds.yaml").read_bytes() == before
    assert pack.thresholds.get("copies.member") == 4


def test_threshold_comments_name_their_clause():
    text = (ROOT / "policy_packs" / "yuyao_2011" / "thresholds.yaml").read_text(encoding="utf-8")
    notes = threshold_comments(text)
    assert notes["copies.organization"].startswith("三、3")
    assert notes["copies.member"] == notes["copies.organization"]  # one comment over two sibling keys
    assert "pledge" not in notes  # the file's header speaks of the whole file


def test_pack_view_places_rules_thresholds_and_fixtures_under_their_clause(registry):
    pack = registry.get("yuyao_2011")
    view = build_view(pack, registry)
    clause = next(c for c in view.clauses if c.clause.id == "三、3")
    assert {r.id for r in clause.rules} == {"yuyao_2011.pledge.copies", "yuyao_2011.pledge.publicity"}
    assert {"copies.member", "copies.organization"} <= {n.key for n in clause.thresholds}
    copies = view.rule("yuyao_2011.pledge.copies")
    assert copies.firing and copies.silent
    assert view.failing == []
    assert view.digest.startswith("sha256:")
    assert any(c.clause.id == "落款" for c in view.uncited)


def test_a_threshold_with_a_declared_source_sits_under_its_clause_with_its_quote(registry):
    # town_shuangshu_2010 declares its thresholds' sources ({value, clause, quote}): the page shows
    # each under the clause it names, with its quote, not only what a YAML comment says.
    pack = registry.get("town_shuangshu_2010")
    declared = {k: s for k, s in pack.threshold_sources.items() if s.get("clause")}
    assert declared
    view = build_view(pack, registry)
    placed = {n.key: (n, c.clause.id) for c in view.clauses for n in c.thresholds}
    for key, source in declared.items():
        leaves = [k for k in placed if k == key or k.startswith(key + ".")]
        assert leaves, key
        for leaf in leaves:
            note, clause_id = placed[leaf]
            assert clause_id in view.regulation.resolve(source["clause"])
            assert (source.get("quote") or "") in note.note
