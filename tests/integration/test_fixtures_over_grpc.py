"""Every bundled pack's fixture cases through the real server: the same verdicts as in-process."""

from pathlib import Path

import pytest

from policyhub.fixtures import case_files, judge, load_cases, rules_of
from policyhub.testing import grpc_runner

PACKS_DIR = Path(__file__).resolve().parents[2] / "policy_packs"
CASES = [case for f in case_files(sorted(PACKS_DIR.glob("*/fixtures"))) for case in load_cases(f)]


@pytest.fixture(scope="module")
def run_over_grpc(server):
    return grpc_runner(server.target)


@pytest.mark.parametrize("case", CASES, ids=[c.source.split("policy_packs/")[-1] for c in CASES])
def test_fixture_case_over_grpc(case, run_over_grpc, registry):
    outcome = run_over_grpc(case.request)
    assert judge(case, outcome, rules_of(registry, outcome)) == []
