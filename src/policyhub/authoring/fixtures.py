"""Fixture cases: a request and what its decision must show.

A case file (YAML or JSON) holds `cases:`, a list of
    name: a sentence saying what the case shows
    request: the canonical JSON of a request (vocabulary.md)
    settings: (optional) thresholds.yaml values by dotted key, e.g. {grade.cumulative: false}: the
              case is decided by the pack read that way (an interpretation's alternative reading)
    expect:
      compliant: true | false
      violations_include: [rule ids]    violations_exclude: [rule ids]   (the rule fired: a violation,
                                        a note, a grade or a consequence of it; or did not)
      notes_include: [rule ids]         notes_exclude: [rule ids]        (an info note of the rule, which
                                        is no violation; or none)
      grade: a grade code               (the decision's grades must include it)
      consequences_include: [codes]     consequences_exclude: [codes]
      error: a gRPC status name         (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION)

No case passes by matching nothing: naming a rule id the pack does not have, or excluding a
rule that does not run for the case's kind of submission, is a finding against the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..domain.caseio import load_file

EXPECT_KEYS = {
    "compliant",
    "violations_include",
    "violations_exclude",
    "notes_include",
    "notes_exclude",
    "grade",
    "consequences_include",
    "consequences_exclude",
    "error",
}
KINDS = ("pledge", "meeting", "log", "ballot")


@dataclass(frozen=True)
class Case:
    name: str
    request: dict[str, Any]
    expect: dict[str, Any]
    source: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        present = [k for k in KINDS if k in self.request]
        return present[0] if len(present) == 1 else None


def load_cases(path: str | Path) -> list[Case]:
    path = Path(path)
    data = load_file(path)
    raw = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: needs a top-level 'cases:' list")
    cases = []
    for i, item in enumerate(raw):
        where = f"{path}#{i}"
        if not isinstance(item, dict) or not {"name", "request", "expect"} <= set(item):
            raise ValueError(f"{where}: a case needs name, request and expect")
        settings = item.get("settings") or {}
        if not isinstance(settings, dict) or not all(isinstance(k, str) for k in settings):
            raise ValueError(f"{where}: settings must map thresholds.yaml keys to values")
        unknown = set(item["expect"] or {}) - EXPECT_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown expect key(s) {sorted(unknown)}")
        cases.append(Case(str(item["name"]), item["request"], dict(item["expect"] or {}), f"{path}:{item['name']}",
                          dict(settings)))
    return cases


CASE_SUFFIXES = {".yaml", ".yml", ".json"}


def pack_dirs(paths: Iterable[str | Path]) -> list[Path]:
    """The pack folders among `paths`: a folder holding pack.yaml, or each such folder directly inside one."""
    found: list[Path] = []
    for p in map(Path, paths):
        if (p / "pack.yaml").is_file():
            found.append(p)
        elif p.is_dir():
            found += sorted(child for child in p.iterdir() if (child / "pack.yaml").is_file())
    return found


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """The case files a path names: a file itself; a pack folder's fixtures/ (its pack.yaml and
    thresholds.yaml are no cases); a folder of packs (policy_packs/) each pack's fixtures/ and any
    other case files beside them; any other folder every YAML or JSON file below it."""
    files: list[Path] = []
    for p in map(Path, paths):
        if (p / "pack.yaml").is_file():
            fixtures = p / "fixtures"
            files += case_files([fixtures]) if fixtures.is_dir() else []
        elif p.is_dir():
            packs = pack_dirs([p])
            if packs:
                files += case_files(packs)
                files += case_files(sorted(c for c in p.iterdir() if c not in packs and
                                           (c.is_dir() or c.suffix in CASE_SUFFIXES) and not c.name.startswith(".")))
            else:
                files += sorted(f for f in p.rglob("*") if f.suffix in CASE_SUFFIXES and f.is_file())
        else:
            files.append(p)
    return files


def judge(case: Case, outcome: dict[str, Any], rules: dict[str, tuple[str, ...]]) -> list[str]:
    """What is wrong with `outcome` for `case`; empty when it passes.

    outcome: {"decision": canonical decision dict} or {"error": status name, "message": ...}.
    rules: rule id -> submission kinds of the pack the case ran against.
    """
    expect = case.expect
    problems: list[str] = []
    if "error" in expect:
        got = outcome.get("error", "a decision")
        if got != expect["error"]:
            problems.append(f"expected error {expect['error']}, got {got}: {outcome.get('message', '')}")
        return problems
    if "error" in outcome:
        return [f"expected a decision, got {outcome['error']}: {outcome.get('message', '')}"]
    decision = outcome["decision"]
    fired = {v["rule_id"] for v in decision.get("violations", [])}
    noted = {n["rule_id"] for n in decision.get("notes", [])}
    fired |= noted
    fired |= {g["rule_id"] for g in decision.get("grades", [])}
    fired |= {c["rule_id"] for c in decision.get("consequences", [])}
    consequences = {c["code"] for c in decision.get("consequences", [])}
    grades = {g["code"] for g in decision.get("grades", [])}

    named = [*expect.get("violations_include", []), *expect.get("violations_exclude", []),
             *expect.get("notes_include", []), *expect.get("notes_exclude", [])]
    for rule_id in named:
        if rule_id not in rules:
            problems.append(f"names rule {rule_id}, which the pack does not have")
    for rule_id in [*expect.get("violations_exclude", []), *expect.get("notes_exclude", [])]:
        if rule_id in rules and case.kind not in rules[rule_id]:
            problems.append(f"excludes {rule_id}, which never runs for a {case.kind}: the check proves nothing")
    if "compliant" in expect and bool(decision.get("compliant")) != bool(expect["compliant"]):
        problems.append(f"expected compliant={expect['compliant']}, got {decision.get('compliant')}")
    for rule_id in expect.get("violations_include", []):
        if rule_id in rules and rule_id not in fired:
            problems.append(f"expected {rule_id} to fire; fired: {sorted(fired) or 'none'}")
    for rule_id in expect.get("violations_exclude", []):
        if rule_id in fired:
            problems.append(f"expected {rule_id} not to fire, but it did")
    for rule_id in expect.get("notes_include", []):
        if rule_id in rules and rule_id not in noted:
            problems.append(f"expected a note of {rule_id}; notes: {sorted(noted) or 'none'}")
    for rule_id in expect.get("notes_exclude", []):
        if rule_id in noted:
            problems.append(f"expected no note of {rule_id}, but there is one")
    if "grade" in expect and expect["grade"] not in grades:
        problems.append(f"expected grade {expect['grade']}, got {sorted(grades) or 'none'}")
    for code in expect.get("consequences_include", []):
        if code not in consequences:
            problems.append(f"expected consequence {code}; got {sorted(consequences) or 'none'}")
    for code in expect.get("consequences_exclude", []):
        if code in consequences:
            problems.append(f"expected no consequence {code}, but it was given")
    return problems


def outcome_in_process(evaluator: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Evaluate a case's request in this process: {"decision": ...} or {"error": ..., "message": ...}."""
    from ..domain.caseio import request_from_dict
    from ..domain.errors import PolicyError
    from ..evaluation.evaluator import decision_to_dict

    try:
        return {"decision": decision_to_dict(evaluator.evaluate(request_from_dict(request)))}
    except PolicyError as exc:
        return {"error": exc.code.name, "message": exc.message}


class Variants:
    """The packs as fixture cases' `settings` read them: loaded once per pack and settings."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self._evaluators: dict[tuple, Any] = {}

    def pack_directory(self, request: dict[str, Any]):
        """The directory of the pack the request is decided by (None when it names none in force)."""
        from ..domain.caseio import request_from_dict
        from ..domain.errors import PolicyError
        from ..evaluation.evaluator import Evaluator

        try:
            return Evaluator.pack_for(self.registry, request_from_dict(request)).directory
        except PolicyError:
            return None

    def evaluator(self, case: Case) -> Any:
        """An evaluator over the case's pack read with the case's settings (None without a pack)."""
        from ..evaluation.evaluator import Evaluator
        from ..packs.pack import load_pack
        from ..packs.registry import PackRegistry

        directory = self.pack_directory(case.request)
        if directory is None:
            return None
        key = (directory, tuple(sorted((k, repr(v)) for k, v in case.settings.items())))
        if key not in self._evaluators:
            self._evaluators[key] = Evaluator(PackRegistry([load_pack(directory, settings=case.settings)]),
                                              observed=False)
        return self._evaluators[key]


def rules_of(registry: Any, outcome: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Rule id -> kinds, for the pack that made the decision (empty for an error)."""
    if "decision" not in outcome:
        return {}
    ref = outcome["decision"]["pack"]
    pack = registry.get(f"{ref['id']}@{ref['version']}")
    return {rule.id: rule.kinds for rule in pack.rules}
