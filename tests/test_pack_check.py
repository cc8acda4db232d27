"""`policyhub pack check`: a clean pack has no findings, and each guard catches its deliberately wrong pack."""

import re
import shutil

import pytest
from click.testing import CliRunner

from policyhub.cli import main
from policyhub.authoring.packcheck import check, check_with_warnings
from tests.conftest import DEMO_PACK

BALLOT = "{locality: demo, date: 2020-06-01, ballot: {rounds: [%s]}}"
CASES = f"""
# Every rule of the demo pack fires in one case and stays silent in another.
cases:
  - name: four copies and a written item comply
    request: {{locality: demo, date: 2020-06-01, pledge: {{copies: 4, items: [{{text: 植树}}]}}}}
    expect: {{compliant: true, violations_exclude: [demo_2020.pledge.copies, demo_2020.pledge.empty-item]}}
  - name: three copies and an empty item
    request: {{locality: demo, date: 2020-06-01, pledge: {{copies: 3, items: [{{text: ""}}]}}}}
    expect: {{violations_include: [demo_2020.pledge.copies, demo_2020.pledge.empty-item]}}
  - name: a meeting with a party member
    request: {{locality: demo, date: 2020-06-01, meeting: {{attendance: {{party_members: 1}}}}}}
    expect: {{compliant: true}}
  - name: a meeting without party members
    request: {{locality: demo, date: 2020-06-01, meeting: {{attendance: {{party_members: 0}}}}}}
    expect: {{violations_include: [demo_2020.meeting.attendance]}}
  - name: mostly excellent
    request: {BALLOT % "{name: village, cast: 10, tallies: {excellent: 6, competent: 4}}"}
    expect: {{grade: excellent, violations_exclude: [demo_2020.ballot.incompetent, core.ballot.empty-round]}}
  - name: mostly incompetent
    request: {BALLOT % "{name: village, cast: 10, tallies: {incompetent: 6, competent: 4}}"}
    expect: {{grade: incompetent, consequences_include: [admonition_talk]}}
  - name: four broken rounds
    request: {BALLOT % ("{name: village, cast: 2, tallies: {excellent: 3}}, {name: town, eligible: 1, cast: 2, tallies: {excellent: 2}}, "
                        "{name: farm, cast: 0}, {name: residents, cast: 1, tallies: {qualified: 1}}")}
    expect:
      violations_include: [core.ballot.tally-exceeds-cast, core.ballot.cast-exceeds-eligible, core.ballot.empty-round,
                           core.ballot.unknown-option]
"""


@pytest.fixture
def pack(tmp_path):
    directory = tmp_path / "demo_2020"
    shutil.copytree(DEMO_PACK, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "fixtures").mkdir()
    (directory / "fixtures" / "cases.yaml").write_text(CASES, encoding="utf-8")
    return directory


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_demo_pack_with_its_cases_has_no_findings(pack):
    assert check([pack], installed=False) == []


# The demo pack's rules cite 一, 二, 三 and 四 (twice).
REGULATION_MD = """# 测试用规则包

## 一、承诺书 {#一}

承诺书一式四份。

## 二、承诺事项 {#二}

事项不得为空。

## 三、会议 {#三}

会议须有党员出席。

## 四、评议 {#四}
"""


def write_regulation(directory, text):
    (directory / "regulation.md").write_text(text, encoding="utf-8")


def test_a_pack_without_its_regulations_text_is_warned_about_not_failed(pack):
    assert check_with_warnings([pack], installed=False) == (
        [],
        [f"{pack}: no regulation.md: the rules' clauses cannot be linked to the regulation's text "
         "(README, “Write a pack”: the regulation's text)"],
    )
    result = CliRunner().invoke(main, ["pack", "check", "--no-installed-packs", str(pack)])
    assert result.exit_code == 0 and f"warning: {pack}: no regulation.md" in result.output


def test_a_pack_whose_rules_all_cite_its_regulation_has_no_findings_or_warnings(pack):
    write_regulation(pack, REGULATION_MD)
    assert check_with_warnings([pack], installed=False) == ([], [])


RULES = "rules/all.py"
WRONG = {
    "an unknown manifest key": (
        lambda d: append(d / "pack.yaml", "copies: 4\n"),
        "/pack.yaml: unknown key 'copies'; pack.yaml takes id, version,",
    ),
    "a manifest key misplaced in thresholds.yaml": (
        lambda d: append(d / "thresholds.yaml", "effective_from: 2020-01-01\n"),
        "/thresholds.yaml: unknown key 'effective_from' (no rule or derive function reads it); "
        "'effective_from' belongs in pack.yaml",
    ),
    "an unknown nested key, named by its path": (
        lambda d: edit(d / "pack.yaml", "title: {zh: 测试用规则包, en: Test pack}", "title: {zh: 测试用规则包, en: Test pack, fr: x}"),
        "/pack.yaml: title: unknown key(s) ['fr']",
    ),
    "a rule id without the pack's prefix": (
        lambda d: edit(d / RULES, 'id="demo_2020.pledge.empty-item"', 'id="demo.pledge.empty-item"'),
        ": rule demo.pledge.empty-item: id must be 'demo_2020.<pledge|meeting|log|ballot>.<slug>' or 'core.…'",
    ),
    "a rule id used twice": (
        lambda d: edit(d / RULES, 'id="demo_2020.pledge.empty-item"', 'id="demo_2020.pledge.copies"'),
        ": rule demo_2020.pledge.copies: defined twice",
    ),
    "a rule without a clause": (
        lambda d: edit(d / RULES, 'clause="二"', 'clause=""'),
        ": rule demo_2020.pledge.empty-item: no clause to cite",
    ),
    "a violation without an English message": (
        lambda d: edit(d / RULES, '"en": "empty pledge item"', '"en": ""'),
        ": rule demo_2020.pledge.empty-item: a rule with a severity needs zh and en messages",
    ),
    "a threshold read but not defined": (
        lambda d: edit(d / "thresholds.yaml", "min_party_members: 1\n", ""),
        "/thresholds.yaml: 'min_party_members' is read by derive all.attendance but not defined",
    ),
    "a threshold defined but read by nobody": (
        lambda d: append(d / "thresholds.yaml", "spare: 3\n"),
        "/thresholds.yaml: unknown key 'spare' (no rule or derive function reads it)",
    ),
    "a setting outside its declared values": (
        lambda d: edit(d / "pack.yaml", "    default: 4\n", "    values: [5, 6]\n    default: 5\n"),
        "/thresholds.yaml: copies: 4 is not one of [5, 6] (pack.yaml: interpretations[0].values)",
    ),
    "a core setting outside the values the core handles": (
        lambda d: (edit(d / RULES, 'uses=("ballot.schemes", "ballot.default_scheme"))\ndef grade',
                        'uses=("ballot.schemes", "ballot.default_scheme", "ballot.share_base"))\ndef grade'),
                   append(d / "thresholds.yaml", "  share_base: average\n")),
        "/thresholds.yaml: ballot.share_base: 'average' is not one of ['valid', 'cast']",
    ),
    "a scheme setting naming no scheme": (
        lambda d: edit(d / "thresholds.yaml", "default_scheme: four_level", "default_scheme: five_level"),
        "/thresholds.yaml: ballot.default_scheme: 'five_level' is not a scheme of ballot.schemes (four_level)",
    ),
    "a period that ends before it starts": (
        lambda d: edit(d / "pack.yaml", "effective_to: 2020-12-31", "effective_to: 2019-12-31"),
        "/pack.yaml: effective_to is before effective_from",
    ),
    "a date threshold outside the pack's period": (
        lambda d: (append(d / RULES, '\n@derive("pledge", uses=("start",))\ndef start(p, ctx):\n'
                                     '    return [fact("start", late=ctx.thresholds.date("start") > ctx.date)]\n'),
                   append(d / "thresholds.yaml", "start: 2019-06-01\n")),
        "/thresholds.yaml: start: 2019-06-01 lies outside the pack's period 2020-01-01 … 2020-12-31",
    ),
    "a rule script that does not import": (
        lambda d: append(d / RULES, "\ndef broken(:\n"),
        "/rules/all.py: does not import: SyntaxError",
    ),
    "a case whose expectation is wrong": (
        lambda d: edit(d / "fixtures/cases.yaml", "expect: {compliant: true}", "expect: {compliant: false}"),
        "/fixtures/cases.yaml: case 'a meeting with a party member': expected compliant=False, got True",
    ),
    "a rule no case makes fire": (
        lambda d: edit(d / "fixtures/cases.yaml", "party_members: 0", "party_members: 2"),
        ": rule demo_2020.meeting.attendance: no fixture case where it fires",
    ),
    "a misspelt case key": (
        lambda d: edit(d / "fixtures/cases.yaml", "    expect: {compliant: true}", "    expected: {compliant: true}"),
        "/fixtures/cases.yaml: cases[2]: unknown key 'expected' (a case has name, request, expect, settings)",
    ),
    "a case name used twice": (
        lambda d: edit(d / "fixtures/cases.yaml", "name: mostly incompetent", "name: mostly excellent"),
        "/fixtures/cases.yaml: case 'mostly excellent': the name is used twice (also in fixtures/cases.yaml)",
    ),
    "a TODO left behind": (
        lambda d: edit(d / "pack.yaml", "source_seed: none", "source_seed: none  # TODO: the seed"),
        "/pack.yaml:8: source_seed: none  # TODO: the seed",
    ),
    "a rule citing a clause the regulation's text lacks": (
        lambda d: write_regulation(d, REGULATION_MD.replace("## 四、评议 {#四}", "## 四、评议 {#第四}")),
        "/regulation.md: rule demo_2020.ballot.grade cites clause '四', which names no clause anchor {#…} of regulation.md",
    ),
    "a clause anchor used twice": (
        lambda d: write_regulation(d, REGULATION_MD.replace("{#三}", "{#二}")),
        "/regulation.md: line 11: duplicate anchor {#二} (first on line 7)",
    ),
    "a clause heading without an anchor": (
        lambda d: write_regulation(d, REGULATION_MD.replace("## 三、会议 {#三}", "## 三、会议")),
        "/regulation.md: line 11: heading '## 三、会议' has no clause anchor {#…}",
    ),
    "a TODO left in the regulation's text": (
        lambda d: write_regulation(d, REGULATION_MD.replace("承诺书一式四份。", "TODO 原文")),
        "/regulation.md:5: TODO 原文",
    ),
    "a pyproject that does not ship the regulation's text": (
        lambda d: (write_regulation(d, REGULATION_MD), (d / "pyproject.toml").write_text(
            '[project]\nname = "x"\nversion = "1.0.0"\n[project.entry-points."policyhub.packs"]\ndemo_2020 = "x"\n'
            '[tool.setuptools.package-data]\nx = ["*.yaml", "rules/*.py", "fixtures/*.yaml"]\n')),
        "/pyproject.toml: [tool.setuptools.package-data] does not ship regulation.md",
    ),
    "a pyproject without the entry point": (
        lambda d: (d / "pyproject.toml").write_text(
            '[project]\nname = "x"\nversion = "1.0.0"\n[tool.setuptools.package-data]\nx = ["*.yaml", "rules/*.py", "fixtures/*.yaml"]\n'),
        "/pyproject.toml: no entry point in the group policyhub.packs: policyhub will not find the installed pack",
    ),
    "a pyproject that does not ship the fixtures, at another version": (
        lambda d: (d / "pyproject.toml").write_text(
            '[project]\nname = "x"\nversion = "1.0.1"\n[project.entry-points."policyhub.packs"]\ndemo_2020 = "x"\n'
            '[tool.setuptools.package-data]\nx = ["*.yaml", "rules/*.py"]\n'),
        "/pyproject.toml: [tool.setuptools.package-data] does not ship fixtures/*.yaml",
    ),
}


@pytest.mark.parametrize("wrong", WRONG, ids=list(WRONG))
def test_each_guard_catches_its_wrong_pack(pack, wrong):
    mutate, expected = WRONG[wrong]
    mutate(pack)
    findings = check([pack], installed=False)
    assert any(expected in line for line in findings), "\n".join(findings)
    assert all(line.startswith(str(pack)) for line in findings)


def test_a_pyproject_at_another_version_is_named(pack):
    WRONG["a pyproject that does not ship the fixtures, at another version"][0](pack)
    assert f"{pack}/pyproject.toml: version 1.0.1 differs from pack.yaml's 1.0.0" in check([pack], installed=False)


def another(tmp_path, pack, name, **manifest):
    directory = tmp_path / "others" / name
    shutil.copytree(pack, directory)
    text = (directory / "pack.yaml").read_text(encoding="utf-8").replace("demo_2020.", f"{manifest.get('id', 'demo_2020')}.")
    for key, value in manifest.items():
        text = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
    (directory / "pack.yaml").write_text(text, encoding="utf-8")
    rules = directory / "rules" / "all.py"
    rules.write_text(rules.read_text(encoding="utf-8").replace("demo_2020.", f"{manifest.get('id', 'demo_2020')}."), encoding="utf-8")
    shutil.rmtree(directory / "fixtures")  # its cases are not the point
    return directory


def test_two_pack_ids_of_one_locality_must_not_overlap(tmp_path, pack):
    other = another(tmp_path, pack, "demo_2021", id="demo_2021", effective_from="2020-12-01", effective_to="2021-11-30")
    findings = check([pack, other], installed=False)
    assert (f"{pack}/pack.yaml: in force 2020-01-01 … 2020-12-31, overlapping demo_2021@1.0.0 "
            "(2020-12-01 … 2021-11-30) of the same locality 'demo': which governs a request would depend on load order"
            ) in findings


def test_two_versions_of_one_pack_may_overlap(tmp_path, pack):
    newer = another(tmp_path, pack, "demo_2020_v2", version="1.1.0")
    findings = check([pack, newer], installed=False)
    assert not any("overlapping" in line for line in findings), findings
    assert check([pack, pack], installed=False)[0].endswith("is provided twice (also " + str(pack.resolve()) + ")")


def test_a_pack_overlapping_an_installed_pack_of_its_locality(tmp_path, pack):
    edit(pack / "pack.yaml", "locality: demo", "locality: yuyao")
    edit(pack / "pack.yaml", "effective_from: 2020-01-01", "effective_from: 2011-06-01")
    findings = check([pack])
    assert any("overlapping yuyao_2011@1.0.0 (2011-01-01 … 2011-12-31) of the same locality 'yuyao'" in line
               for line in findings), findings


def test_the_command_prints_one_line_per_finding_and_exits_1(pack):
    append(pack / "pack.yaml", "copies: 4\n")
    append(pack / "thresholds.yaml", "spare: 3\n")
    result = CliRunner().invoke(main, ["pack", "check", "--no-installed-packs", str(pack)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{pack}/pack.yaml: unknown key 'copies'; pack.yaml takes id, version, title, locality, issuing_body, "
        "document_number, source_seed, effective_from, effective_to, description, interpretations, uses, reads_history: "
        "numbers, dates "
        "and lists go in thresholds.yaml",
        f"{pack}/thresholds.yaml: unknown key 'spare' (no rule or derive function reads it)",
    ]
    clean = CliRunner().invoke(main, ["pack", "check", "--no-installed-packs", str(DEMO_PACK.parent / "missing")])
    assert clean.exit_code == 2  # click: the path must exist
