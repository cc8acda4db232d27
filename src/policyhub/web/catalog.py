"""What the explorer shows of a pack: its text clause by clause, with the rules citing each clause,
the thresholds it sets, the fixture cases exercising those rules and the interpretations beside it.

Rules are shown from the GetPack answer (RuleInfo as JSON), so fields the contract gains later
show up without changes here. Fixture cases are run once per loaded pack on the same Evaluator
class the service uses (unobserved: no decision log lines), and the outcome kept with the pack.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from ..domain.caseio import load_yaml
from ..authoring.fixtures import case_files, judge, load_cases, outcome_in_process, rules_of
from ..packs.integrity import pack_files, tree_digest
from ..packs.pack import Pack
from ..authoring.regulation import Clause, Regulation, RegulationError, load_regulation
from ..packs.registry import PackRegistry
from ..api.service import pack_detail
from ..evaluation.evaluator import Evaluator


@dataclass(frozen=True)
class FixtureRef:
    file: str  # relative to the pack's fixtures/
    index: int
    name: str
    passed: bool

    @property
    def key(self) -> str:
        return f"{self.file}#{self.index}"


@dataclass
class RuleView:
    info: dict[str, Any]  # RuleInfo as JSON
    clause_ids: list[str]
    firing: list[FixtureRef] = field(default_factory=list)
    silent: list[FixtureRef] = field(default_factory=list)
    thresholds: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.info["id"]


@dataclass
class ThresholdNote:
    key: str
    value: Any
    note: str  # the comment above it in thresholds.yaml, which quotes or names its clause
    clause_ids: list[str]


@dataclass
class ClauseView:
    clause: Clause
    rules: list[RuleView] = field(default_factory=list)
    thresholds: list[ThresholdNote] = field(default_factory=list)
    interpretations: list[dict[str, Any]] = field(default_factory=list)
    cited_below: bool = False  # a sub-clause is cited, not this one

    @property
    def cited(self) -> bool:
        return bool(self.rules)


@dataclass
class PackView:
    pack: Pack
    detail: dict[str, Any]  # GetPackResponse as JSON
    digest: str
    regulation: Regulation | None
    regulation_error: list[str]
    clauses: list[ClauseView]
    rules: list[RuleView]
    unplaced_rules: list[RuleView]  # citing no clause the text has (or the pack has no text)
    unplaced_thresholds: list[ThresholdNote]
    fixtures: dict[str, list[dict[str, Any]]]  # file -> its cases (name, request, expect)
    failing: list[tuple[FixtureRef, list[str]]]
    interpretation_values: dict[str, list[Any]]  # interpretation id -> its allowed values, if listed

    @property
    def uncited(self) -> list[ClauseView]:
        return [c for c in self.clauses if not c.cited and not c.cited_below]

    @property
    def rules_without_firing_case(self) -> list[RuleView]:
        return [r for r in self.rules if not r.firing]

    def rule(self, rule_id: str) -> RuleView | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def clause_ids_for(self, citation: str) -> list[str]:
        return self.regulation.resolve(citation) if self.regulation else []


def as_json(message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)


# --- thresholds.yaml's comments: which clause sets which number ---------------------------------

_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_\-]+)\s*:(.*)$")


def threshold_comments(text: str) -> dict[str, str]:
    """Dotted key -> the comment lines right above it (or at the end of its line)."""
    notes: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    seen_key = False
    previous: tuple[tuple[int, str], str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        if not stripped:
            pending, previous = [], None
            continue
        match = _KEY_LINE.match(line)
        if not match:
            continue  # a continued flow list or a list item
        indent = len(match[1])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match[2]))
        key = ".".join(k for _, k in stack)
        trailing = match[3].split(" #", 1)[1].strip() if " #" in match[3] else ""
        if not seen_key:  # the file's own header comment speaks of the whole file, not its first key
            pending, seen_key = [], True
        comment = " ".join(pending + ([trailing] if trailing else []))
        parent = key.rpartition(".")[0]
        if not comment and previous and previous[0] == (indent, parent):
            comment = previous[1]  # a run of sibling keys under one comment ("… 3 copies, a member pledge in 4")
        if comment:
            notes[key] = comment
        previous = ((indent, parent), comment) if comment else None
        pending = []
    return notes


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict) and data:
        found = []
        for key, value in data.items():
            found += _leaves(value, f"{prefix}.{key}" if prefix else str(key))
        return found
    return [(prefix, data)]


def _lookup(data: Any, key: str) -> Any:
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _clauses_named(regulation: Regulation | None, note: str) -> list[str]:
    """The clauses a thresholds comment names: what stands before its first colon ("三、3 and 四: …")."""
    if regulation is None or ":" not in note:
        return []
    head = note.split(":", 1)[0]
    if len(head) > 40 or head.lower().startswith("interpretation"):
        return []
    return regulation.resolve(head)


# --- the view -----------------------------------------------------------------------------------


def build_view(pack: Pack, registry: PackRegistry) -> PackView:
    detail = as_json(pack_detail(pack))
    try:
        regulation, regulation_error = load_regulation(pack.directory), []
    except RegulationError as exc:
        regulation, regulation_error = None, exc.findings
    values = {rid: list(r.thresholds) for rid, r in ((r.id, r) for r in pack.rules)}
    rules = []
    for info in detail["rules"]:
        clause = info.get("citation", {}).get("clause", "")
        ids = regulation.resolve(clause) if regulation and clause else []
        thresholds = [(key, _lookup(pack.thresholds_data, key)) for key in values.get(info["id"], [])]
        rules.append(RuleView(info, ids, thresholds=thresholds))
    by_rule = {r.id: r for r in rules}

    fixtures, failing = _run_fixtures(pack, registry, by_rule)

    comments = {}
    path = pack.directory / "thresholds.yaml"
    if path.is_file():
        comments = threshold_comments(path.read_text(encoding="utf-8"))
    notes = []
    sources = getattr(pack, "threshold_sources", None) or {}
    for key, value in _leaves(pack.thresholds_data):
        parts = key.split(".")
        above = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
        # a threshold's declared source ({value, clause, quote}) first, else the nearest comment above it
        source = next((sources[k] for k in above if sources.get(k, {}).get("clause")), None)
        if source is not None:
            note = f"{source['clause']}: {source.get('quote') or ''}".rstrip(": ")
            ids = regulation.resolve(source["clause"]) if regulation else []
        else:
            note = next((comments[k] for k in above if k in comments), "")
            ids = _clauses_named(regulation, note)
        notes.append(ThresholdNote(key, value, note, ids))

    clauses: list[ClauseView] = []
    if regulation is not None:
        views = {c.id: ClauseView(c) for c in regulation.clauses}
        for rule in rules:
            for cid in rule.clause_ids:
                views[cid].rules.append(rule)
        for threshold in notes:
            for cid in threshold.clause_ids:
                views[cid].thresholds.append(threshold)
        for item in detail.get("interpretations", []):
            placed = []
            for rid in item.get("rule_ids", []):
                for cid in by_rule[rid].clause_ids if rid in by_rule else []:
                    if cid not in placed:
                        placed.append(cid)
            for cid in placed[:1] or []:  # beside the first clause its rules cite
                views[cid].interpretations.append(item)
        for view in views.values():
            parent = view.clause.parent
            if view.rules:
                while parent:
                    views[parent].cited_below = True
                    parent = views[parent].clause.parent
        clauses = [views[c.id] for c in regulation.clauses]
    placed_interpretations = {i["id"] for c in clauses for i in c.interpretations}
    unplaced_rules = [r for r in rules if not r.clause_ids]
    unplaced_thresholds = [n for n in notes if not n.clause_ids]
    manifest = load_yaml((pack.directory / "pack.yaml").read_text(encoding="utf-8")) or {}
    allowed = {str(i.get("id")): list(i["values"]) for i in manifest.get("interpretations", []) or []
               if isinstance(i, dict) and isinstance(i.get("values"), list)}
    pack_view = PackView(pack, detail, tree_digest(pack_files(pack.directory)), regulation, regulation_error, clauses,
                         rules, unplaced_rules, unplaced_thresholds, fixtures, failing, allowed)
    pack_view.detail["_unplaced_interpretations"] = [i for i in detail.get("interpretations", [])
                                                     if i["id"] not in placed_interpretations]
    return pack_view


def _run_fixtures(pack: Pack, registry: PackRegistry, by_rule: dict[str, RuleView]):
    evaluator = Evaluator(registry, observed=False)
    fixtures_dir = pack.directory / "fixtures"
    files: dict[str, list[dict[str, Any]]] = {}
    failing: list[tuple[FixtureRef, list[str]]] = []
    if not fixtures_dir.is_dir():
        return files, failing
    for path in case_files([fixtures_dir]):
        name = path.relative_to(fixtures_dir).as_posix()
        try:
            cases = load_cases(path)
        except ValueError as exc:
            failing.append((FixtureRef(name, -1, "(file)", False), [str(exc)]))
            continue
        files[name] = [{"name": c.name, "request": c.request, "expect": c.expect} for c in cases]
        for index, case in enumerate(cases):
            outcome = outcome_in_process(evaluator, case.request)
            problems = judge(case, outcome, rules_of(registry, outcome))
            ref = FixtureRef(name, index, case.name, not problems)
            if problems:
                failing.append((ref, problems))
            decision = outcome.get("decision")
            if decision is None or (decision["pack"]["id"], decision["pack"]["version"]) != (pack.id, pack.version):
                continue
            fired = {v["rule_id"] for v in decision.get("violations", [])}
            fired |= {n["rule_id"] for n in decision.get("notes", [])}
            fired |= {g["rule_id"] for g in decision.get("grades", [])}
            fired |= {c["rule_id"] for c in decision.get("consequences", [])}
            for rule in pack.rules:
                if case.kind not in rule.kinds or rule.id not in by_rule:
                    continue
                (by_rule[rule.id].firing if rule.id in fired else by_rule[rule.id].silent).append(ref)
    return files, failing


class Catalog:
    """Pack views, built on first look and kept while the same loaded pack object serves."""

    def __init__(self, limit: int = 32) -> None:
        self._views: dict[int, tuple[Pack, PackView]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def view(self, pack: Pack, registry: PackRegistry) -> PackView:
        with self._lock:
            found = self._views.get(id(pack))
            if found is not None and found[0] is pack:
                return found[1]
        view = build_view(pack, registry)
        with self._lock:
            if len(self._views) >= self._limit:
                self._views.pop(next(iter(self._views)))
            self._views[id(pack)] = (pack, view)
        return view

    def digest(self, pack: Pack) -> str:
        with self._lock:
            found = self._views.get(id(pack))
        if found is not None and found[0] is pack:
            return found[1].digest
        return tree_digest(pack_files(Path(pack.directory)))
