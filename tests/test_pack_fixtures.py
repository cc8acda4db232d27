"""Every bundled pack's fixture cases, evaluated in-process (tests/integration runs them over gRPC)."""

from pathlib import Path

import pytest

from policyhub.authoring.fixtures import Variants, case_files, judge, load_cases, outcome_in_process, rules_of
from policyhub.authoring.testing import decide

PACKS_DIR = Path(__file__).resolve().parent.parent / "policy_packs"
CASES = [case for f in case_files(sorted(PACKS_DIR.glob("*/fixtures"))) for case in load_cases(f)]


def test_every_bundled_pack_has_fixtures():
    packs = {p.name for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file()}
    with_cases = {Path(c.source.split(":", 1)[0]).parent.parent.name for c in CASES}
    assert packs and packs == with_cases


@pytest.fixture(scope="session")
def variants(registry):
    return Variants(registry)


@pytest.mark.parametrize("case", CASES, ids=[c.source.split("policy_packs/")[-1] for c in CASES])
def test_fixture_case(case, evaluator, registry, variants):
    # a case with settings is decided by its pack read with them
    outcome, _ = decide(case, lambda request: outcome_in_process(evaluator, request), variants)
    assert judge(case, outcome, rules_of(registry, outcome)) == []
