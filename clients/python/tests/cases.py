"""Requests and their expected outcomes from the repository's pack fixtures and examples."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

from live_server import REPO, server_command

from policyhub_client import load_requests, load_yaml


def fixture_cases(pack: str, file: str) -> list[dict[str, Any]]:
    """The cases ({name, request, expect}) of policy_packs/<pack>/fixtures/<file>."""
    path = REPO / "policy_packs" / pack / "fixtures" / file
    return load_yaml(path.read_text(encoding="utf-8"))["cases"]


def example(path: str) -> dict[str, Any]:
    [(_, request)] = load_requests(REPO / path)
    return copy.deepcopy(request)


def evaluated_in_process(request: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The decision `policyhub eval` (the engine, no server) gives for the same request."""
    file = tmp_path / "request.json"
    file.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([server_command(), "eval", str(file)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def without_id(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision minus its decision_id, which is new for every evaluation."""
    return {k: v for k, v in decision.items() if k != "decision_id"}


def fired(decision: dict[str, Any]) -> set[str]:
    return ({v["rule_id"] for v in decision["violations"]} | {g["rule_id"] for g in decision["grades"]}
            | {c["rule_id"] for c in decision["consequences"]} | {n["rule_id"] for n in decision["notes"]})
