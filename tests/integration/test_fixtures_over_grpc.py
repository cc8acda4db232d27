"""Every bundled pack's fixture cases through the real server: the same verdicts as in-process."""

from pathlib import Path

import grpc
import pytest

from policyhub.caseio import request_from_dict
from policyhub.errors import InvalidArgument
from policyhub.evaluator import decision_to_dict
from policyhub.fixtures import case_files, judge, load_cases, rules_of

PACKS_DIR = Path(__file__).resolve().parents[2] / "policy_packs"
CASES = [case for f in case_files(sorted(PACKS_DIR.glob("*/fixtures"))) for case in load_cases(f)]


def outcome_over_grpc(stub, request: dict) -> dict:
    try:
        message = request_from_dict(request)
    except InvalidArgument as exc:  # not even a well-formed message: the client refuses it
        return {"error": "INVALID_ARGUMENT", "message": exc.message}
    try:
        return {"decision": decision_to_dict(stub.Evaluate(message, timeout=30))}
    except grpc.RpcError as exc:
        return {"error": exc.code().name, "message": exc.details()}


@pytest.mark.parametrize("case", CASES, ids=[c.source.split("policy_packs/")[-1] for c in CASES])
def test_fixture_case_over_grpc(case, stub, registry):
    outcome = outcome_over_grpc(stub, case.request)
    assert judge(case, outcome, rules_of(registry, outcome)) == []
