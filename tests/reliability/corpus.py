"""Valid requests to start from: every bundled pack's fixture cases and the examples.

Mutating a request that already reaches a pack's derive functions and rules explores far
deeper code than a random message, which the first field check would refuse.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from policyhub.domain.caseio import load_file, request_from_dict
from policyhub.domain.errors import InvalidArgument
from policyhub.authoring.fixtures import case_files, load_cases
from policyhub.v1 import policyhub_pb2 as pb

ROOT = Path(__file__).resolve().parents[2]
DEMO_PACK = ROOT / "tests" / "packs" / "demo_2020"
FAULTY_PACK = ROOT / "tests" / "packs" / "faulty_2020"


@lru_cache(maxsize=None)
def _fixture_requests() -> tuple[tuple[str, dict], ...]:
    found = []
    for path in case_files(sorted((ROOT / "policy_packs").glob("*/fixtures"))):
        for case in load_cases(path):
            found.append((case.source, case.request))
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        data = load_file(path)
        if isinstance(data, dict) and any(k in data for k in ("pledge", "meeting", "log", "ballot")):
            found.append((str(path), data))
    return tuple(found)


def fixture_requests() -> list[tuple[str, dict[str, Any]]]:
    """(where it comes from, request dict) for every bundled case and example; fresh copies."""
    return [(source, copy.deepcopy(request)) for source, request in _fixture_requests()]


def fixture_count() -> int:
    return len(_fixture_requests())


def fixture_request(index: int) -> dict[str, Any]:
    """A fresh copy of the index-th bundled request as canonical JSON."""
    return copy.deepcopy(_fixture_requests()[index][1])


@lru_cache(maxsize=None)
def _messages() -> tuple[bytes, ...]:
    serialized = []
    for _, request in _fixture_requests():
        try:
            serialized.append(request_from_dict(request).SerializeToString())
        except InvalidArgument:  # a case whose point is a malformed shape
            continue
    return tuple(serialized)


def size() -> int:
    return len(_messages())


def message(index: int) -> pb.EvaluateRequest:
    """A fresh copy of the index-th corpus request as a message."""
    return pb.EvaluateRequest.FromString(_messages()[index])
