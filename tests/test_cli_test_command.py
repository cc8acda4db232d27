"""`policyhub test`: a wrong expectation fails the run, and no case passes by matching nothing."""

import json

from click.testing import CliRunner

from policyhub.cli import main
from tests.conftest import DEMO_PACK

CASES = """
cases:
  - name: three copies break the copies rule
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 3}}
    expect: {compliant: false, violations_include: [demo_2020.pledge.copies]}
  - name: four copies do not
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 4}}
    expect: {compliant: true, violations_exclude: [demo_2020.pledge.copies]}
"""

WRONG = """
cases:
  - name: deliberately wrong - expects compliance from three copies
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 3}}
    expect: {compliant: true}
  - name: names a rule the pack does not have
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 4}}
    expect: {violations_exclude: [demo_2020.pledge.no-such-rule]}
  - name: excludes a rule that never runs for a pledge
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 4}}
    expect: {violations_exclude: [demo_2020.meeting.attendance]}
"""


def run(tmp_path, text, *args):
    path = tmp_path / "cases.yaml"
    path.write_text(text)
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["test", str(path), "--pack-path", str(DEMO_PACK), "--json", str(report), *args])
    return result, json.loads(report.read_text()) if report.exists() else None


def test_passing_cases_and_their_coverage(tmp_path):
    result, report = run(tmp_path, CASES)
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output
    copies = report["coverage"]["demo_2020@1.0.0"]["demo_2020.pledge.copies"]
    assert copies == {"fired": ["three copies break the copies rule"], "not_fired": ["four copies do not"]}


def test_min_coverage_fails_a_thinly_covered_pack(tmp_path):
    result, _ = run(tmp_path, CASES, "--min-coverage", "90")
    assert result.exit_code == 1
    assert "missing: demo_2020.meeting.attendance (no firing case)" in result.output


def test_each_guard_catches_its_wrong_case(tmp_path):
    result, report = run(tmp_path, WRONG)
    assert result.exit_code == 1
    problems = {c["name"]: c["problems"] for c in report["cases"]}
    assert problems["deliberately wrong - expects compliance from three copies"] == [
        "expected compliant=True, got False"
    ]
    assert problems["names a rule the pack does not have"] == [
        "names rule demo_2020.pledge.no-such-rule, which the pack does not have"
    ]
    assert problems["excludes a rule that never runs for a pledge"] == [
        "excludes demo_2020.meeting.attendance, which never runs for a pledge: the check proves nothing"
    ]
    assert "0 passed, 3 failed" in result.output


def _pack_copy(root, cases=CASES):
    """The demo pack copied under `root` with a fixtures/ folder holding `cases` (not installed)."""
    import shutil

    pack = root / "demo_2020"
    shutil.copytree(DEMO_PACK, pack, ignore=shutil.ignore_patterns("__pycache__"))
    (pack / "fixtures").mkdir()
    (pack / "fixtures" / "cases.yaml").write_text(cases)
    return pack


def test_a_pack_folder_runs_its_fixtures(tmp_path):
    # issue 14: `policyhub test policy_packs/yuyao_2011` read pack.yaml as a case file and failed
    pack = _pack_copy(tmp_path)
    result = CliRunner().invoke(main, ["test", str(pack)])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output


def test_a_folder_of_packs_runs_each_packs_fixtures(tmp_path):
    _pack_copy(tmp_path / "packs", WRONG)
    result = CliRunner().invoke(main, ["test", str(tmp_path / "packs")])
    assert result.exit_code == 1  # the wrong cases ran, and failed
    assert "0 passed, 3 failed" in result.output
