"""The pytest plugin: `pytest <packs>` collects fixture cases as items and shows a failure as expected vs actual."""

import shutil
import subprocess
import sys

from tests.conftest import DEMO_PACK

CASES = """
cases:
  - name: three copies break the copies rule
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 3}}
    expect: {compliant: false, violations_include: [demo_2020.pledge.copies]}
  - name: deliberately wrong - expects compliance from three copies
    request: {locality: demo, date: 2020-06-01, pledge: {copies: 3}}
    expect: {compliant: true}
"""


def pytest_in(directory, *args):
    # A directory outside this repository, as a pack author's own: only the installed plugin is at work.
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=directory, capture_output=True, text=True)


def pack_with_cases(directory):
    shutil.copytree(DEMO_PACK, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "fixtures").mkdir()
    (directory / "fixtures" / "cases.yaml").write_text(CASES, encoding="utf-8")
    return directory


def test_cases_are_items_and_a_failure_shows_expected_against_actual(tmp_path):
    pack_with_cases(tmp_path / "good" / "demo_2020")
    broken = pack_with_cases(tmp_path / "broken" / "demo_2020")
    (broken / "thresholds.yaml").write_text((broken / "thresholds.yaml").read_text() + "spare: 1\n")
    (tmp_path / "notes.yaml").write_text("cases: []\n")  # not in a pack's fixtures/: not collected

    collected = pytest_in(tmp_path, "--collect-only", "-q", ".")
    assert collected.stdout.splitlines()[:5] == [
        f"{where}/demo_2020/fixtures/cases.yaml::{name}"
        for where in ("broken", "good")
        for name in ("three copies break the copies rule", "deliberately wrong - expects compliance from three copies")
    ] + [""]

    run = pytest_in(tmp_path, "-q", ".")
    assert run.returncode == 1
    assert "3 failed, 1 passed" in run.stdout
    # up to the short summary, which repeats messages in full when CI is set
    failures = run.stdout[run.stdout.index("FAILURES"):run.stdout.index("short test summary info")]
    wrong = failures[failures.index("good/demo_2020/fixtures/cases.yaml:deliberately wrong"):]
    assert "  compliant: true                          |" in wrong
    assert '                                           | violations: ["demo_2020.pledge.copies"]' in wrong
    assert "  ✗ expected compliant=True, got False" in wrong
    # a pack that does not load fails each of its cases with the loader's findings
    assert failures.count("thresholds.yaml: unknown key 'spare' (no rule or derive function reads it)") == 2
