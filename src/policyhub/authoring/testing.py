"""`policyhub test`: run fixture cases in-process or against a live server, with rule coverage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .fixtures import Case, case_files, judge, load_cases, rules_of
from ..packs.registry import PackRegistry


@dataclass
class CaseResult:
    case: Case
    outcome: dict[str, Any]
    problems: list[str]
    pack: Any = None  # the pack that decided it, when the case's settings made one of its own

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class RuleCoverage:
    fired: set[str] = field(default_factory=set)  # case names where the rule fired
    silent: set[str] = field(default_factory=set)  # case names of its kind where it did not


def in_process_runner(registry: PackRegistry) -> Callable[[dict], dict]:
    from ..evaluation.evaluator import Evaluator
    from .fixtures import outcome_in_process

    evaluator = Evaluator(registry)
    return lambda request: outcome_in_process(evaluator, request)


def grpc_runner(target: str) -> Callable[[dict], dict]:
    import grpc

    from ..domain.caseio import request_from_dict
    from ..domain.errors import InvalidArgument
    from ..evaluation.evaluator import decision_to_dict
    from ..v1 import policyhub_pb2_grpc

    stub = policyhub_pb2_grpc.PolicyHubStub(grpc.insecure_channel(target))

    def run(request: dict) -> dict:
        try:
            message = request_from_dict(request)
        except InvalidArgument as exc:
            return {"error": "INVALID_ARGUMENT", "message": exc.message}
        try:
            return {"decision": decision_to_dict(stub.Evaluate(message, timeout=30))}
        except grpc.RpcError as exc:
            return {"error": exc.code().name, "message": exc.details()}

    return run


def decide(case: Case, runner: Callable[[dict], dict], variants: Any) -> tuple[dict, Any]:
    """The case's outcome, and the pack that decided it when the case's settings made one: a case
    with `settings` is decided in this process by its pack read with those settings (a server
    serves each pack one way); any other through `runner`."""
    from .fixtures import outcome_in_process

    if case.settings:
        evaluator = variants.evaluator(case)
        if evaluator is not None:
            return outcome_in_process(evaluator, case.request), evaluator.registry.packs()[0]
    return runner(case.request), None


def run_cases(paths: list[Path], registry: PackRegistry, runner: Callable[[dict], dict]) -> list[CaseResult]:
    from .fixtures import Variants

    variants = Variants(registry)
    results = []
    for path in case_files(paths):
        for case in load_cases(path):
            outcome, pack = decide(case, runner, variants)
            results.append(CaseResult(case, outcome, judge(case, outcome, rules_of(registry, outcome)), pack))
    return results


def coverage(results: list[CaseResult], registry: PackRegistry) -> dict[str, dict[str, RuleCoverage]]:
    """pack ref -> rule id -> the cases where it fired and where it ran without firing."""
    report: dict[str, dict[str, RuleCoverage]] = {}
    for result in results:
        decision = result.outcome.get("decision")
        if decision is None:
            continue
        pack = registry.get(f"{decision['pack']['id']}@{decision['pack']['version']}")
        rules = report.setdefault(pack.ref, {r.id: RuleCoverage() for r in pack.rules})
        fired = {item["rule_id"] for key in ("violations", "notes", "grades", "consequences")
                 for item in decision.get(key, [])}
        for rule in pack.rules:
            if rule.id in fired:
                rules[rule.id].fired.add(result.case.name)
            elif result.case.kind in rule.kinds:
                rules[rule.id].silent.add(result.case.name)
    return report


def covered_share(report: dict[str, dict[str, RuleCoverage]]) -> float:
    cells = [c for rules in report.values() for c in rules.values()]
    if not cells:
        return 0.0
    return 100.0 * sum(1 for c in cells if c.fired and c.silent) / len(cells)


def write_json(path: Path, results: list[CaseResult], report: dict, thresholds: dict | None = None) -> None:
    data = {
        "cases": [
            {"name": r.case.name, "source": r.case.source, "passed": r.passed, "problems": r.problems}
            for r in results
        ],
        "coverage": {
            pack: {rid: {"fired": sorted(c.fired), "not_fired": sorted(c.silent)} for rid, c in rules.items()}
            for pack, rules in report.items()
        },
    }
    if thresholds is not None:
        data["threshold_coverage"] = thresholds
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def write_junit(path: Path, results: list[CaseResult]) -> None:
    suite = ET.Element(
        "testsuite", name="policyhub", tests=str(len(results)), failures=str(sum(not r.passed for r in results))
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.case.source.split(":", 1)[0], name=r.case.name)
        if not r.passed:
            ET.SubElement(case, "failure", message=r.problems[0]).text = "\n".join(r.problems)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def describe_failure(result: CaseResult) -> list[str]:
    """Expected vs actual, side by side, for a person to act on."""
    expect = result.case.expect
    decision = result.outcome.get("decision", {})
    actual = {
        "compliant": decision.get("compliant"),
        "violations": sorted({v["rule_id"] for v in decision.get("violations", [])}),
        "notes": sorted({n["rule_id"] for n in decision.get("notes", [])}),
        "grades": sorted({g["code"] for g in decision.get("grades", [])}),
        "consequences": sorted({c["code"] for c in decision.get("consequences", [])}),
        "error": result.outcome.get("error"),
    }
    lines = [f"  {'expected':40} | actual"]
    for key, value in expect.items():
        lines.append(f"  {key + ': ' + json.dumps(value, ensure_ascii=False):40} |")
    for key, value in actual.items():
        if value not in (None, []):
            lines.append(f"  {'':40} | {key}: {json.dumps(value, ensure_ascii=False)}")
    lines += [f"  ✗ {p}" for p in result.problems]
    return lines
