"""Threshold coverage: which numeric and date thresholds the fixture cases exercise at their value,
just inside it and just outside it.

How a case is measured. After a case has run, its request goes once more through the pack's
derive functions, this time with a `TrackingThresholds` view (rules/tracked.py): every int, date,
month-day and ratio it hands out records each comparison made with it. The facts those derive
functions yield are then matched against the rules' conditions in Python, because a condition
on `m` runs inside durable_rules: a threshold baked into a condition as a literal
(`m.count < t.int("pledge.min_items")`) or carried in a fact field that a condition compares
(`m.selected != m.quota`) is classified from the fact's field, as the engine would compare it.
Only comparisons are measured: a threshold that is read but never compared in any case (a pay
ratio handed on as a consequence's parameter) is listed as not a bound and not counted. Only the
comparisons a case actually makes count: a bound skipped by an earlier `return` is not compared
(huoerqi_2010 compares every rung of its escalation ladder for that reason), and a comparison
with a constant written in a rule script counts like one with the submission's value.

Where a case lies, for a comparison `x <op> t` of the submission's value x with the threshold t:
- at: x == t;
- just inside: x is one step from t and the comparison answers as it does at t (for a deadline
  compared `published > deadline`, the day before it; for a minimum compared `count < least`, one
  more than the minimum);
- just outside: x is one step from t and the comparison answers otherwise (the day after the
  deadline; one less than the minimum). A value compared only with == or != has no inside: at
  and just outside (either neighbour) cover it.
One step is one unit for ints, one day for dates and month-days, and for a share one vote (or
household) of its own total: with 9 votes the shares next to a 1/3 bar are 2/9 and 4/9, and with
10 votes 3/10 and 4/10 are both nearest to it. A share whose total is unknown (a plain Fraction
rather than a `ballots.Share`) counts only when it equals the bar. A ratio turned into a count
(`ceil(15% × 40 households)`) is compared as a count, one household a step.

Which thresholds count: every leaf of thresholds.yaml holding a whole number, a decimal, a share
("50%", "1/3"), a date or a month-day, less those read but never compared. Lists, booleans and
words do not count. `policyhub test --min-threshold-coverage N` fails the run when fewer than
N% of the counted thresholds have all of at, just inside (when it applies) and just outside;
`--min-coverage` stays the bar for rules.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable, cast

from ..rules.thresholds import flatten
from ..rules.tracked import Comparison, Recorder, Tracked, TrackingThresholds

POSITIONS = ("at", "inside", "outside")
LABELS = {"at": "at", "inside": "just inside", "outside": "just outside"}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_ENGINE_OPS = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">=", "$neq": "!="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_DAY = re.compile(r"^\d{2}-\d{2}$")
_SHARE = re.compile(r"^\s*(\d+(\.\d+)?\s*%|\d+\s*/\s*\d+)\s*$")


@dataclass
class ThresholdCoverage:
    kind: str
    cases: dict[str, set[str]] = field(default_factory=lambda: {p: set() for p in POSITIONS})
    read: bool = False
    compared: bool = False
    ordered: bool = False  # compared with <, <=, > or >= somewhere: "just inside" applies

    @property
    def counted(self) -> bool:
        """A threshold read but never compared is a parameter, not a bound."""
        return self.compared or not self.read

    @property
    def required(self) -> tuple[str, ...]:
        return POSITIONS if self.ordered or not self.compared else ("at", "outside")

    @property
    def missing(self) -> list[str]:
        return [p for p in self.required if not self.cases[p]]


def numeric_keys(data: dict) -> dict[str, str]:
    """The thresholds that count, by kind: int, ratio, date, month_day."""
    kinds = {}
    for key, value in flatten(data).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            kinds[key] = "int"
        elif isinstance(value, float):
            kinds[key] = "ratio"
        elif isinstance(value, str):
            if _DATE.match(value):
                kinds[key] = "date"
            elif _MONTH_DAY.match(value):
                kinds[key] = "month_day"
            elif _SHARE.match(value):
                kinds[key] = "ratio"
    return kinds


def position(c: Comparison) -> str | None:
    """at, inside or outside for a comparison one step or less from its threshold; else None."""
    offset = _offset(c)
    if offset is None:
        return None
    if offset == 0:
        return "at"
    if not -1 <= offset <= 1:
        return None
    if c.op in ("==", "!="):
        return "outside"
    compare = _COMPARE[c.op]
    return "inside" if compare(offset, 0) == compare(0, 0) else "outside"


def _offset(c: Comparison) -> Fraction | int | None:
    """(x − t) in steps."""
    try:
        if c.kind == "month_day":  # within one (leap) year: 12-31 and 01-01 are not neighbours
            return (dt.date(2000, *c.x) - dt.date(2000, *c.t)).days
        if c.kind == "date":
            return (c.x - c.t).days
        if c.step is None:
            return 0 if c.x == c.t else None
        return Fraction(c.x - c.t) / c.step
    except (TypeError, ValueError):
        return None


def trace(pack: Any, request: dict) -> Recorder:
    """Run a request's derive functions with tracking thresholds and match the facts against the
    rules' conditions: every comparison of a threshold with the submission, recorded."""
    from ..domain.caseio import request_from_dict
    from ..evaluation.normalize import submission_dict
    from ..rules.model import Context
    from ..domain.validation import parse_date

    message = request_from_dict(request)
    kind = message.WhichOneof("submission")
    recorder = Recorder()
    view = TrackingThresholds(pack.thresholds_data, recorder)
    # The same context the evaluator gives a derive function.
    context = Context(kind=kind, pack_id=pack.id, locality=message.locality,
                      date=parse_date(message.date) if message.date else None, thresholds=view)
    submission = submission_dict(getattr(message, kind))
    facts: list[dict] = []
    for derive in pack.derives:
        if kind in derive.spec.kinds:
            context.thresholds = view.restricted(derive.spec.uses, f"derive {derive.name}")
            facts.extend(derive.fn(submission, context) or ())
    if kind in pack.submission_kinds:
        facts.append({**submission, "type": kind, "path": kind})
    for rule, tree in _conditions(pack):
        if kind in rule.kinds:
            if rule.spec is not None:
                _data_comparisons(rule, facts, recorder, numeric_keys(pack.thresholds_data))
                continue
            for item in facts:
                _engine_comparisons(tree, item, recorder)
    return recorder


def _data_comparisons(rule: Any, facts: list[dict], recorder: Recorder, numeric: dict[str, str]) -> None:
    """A data rule's comparisons, read from its condition: each branch evaluated on each fact of its type."""
    from ..ruledata.explain import Explainer

    spec = rule.spec
    for key in spec.reads:
        if key in numeric:
            recorder.read(key, numeric[key])
    explainer = Explainer()
    for item in facts:
        if item.get("type") == spec.fact_type:
            for branch in spec.branches:
                explainer.evaluate(branch.condition, item)
    recorder.comparisons.extend(explainer.comparisons)


_condition_cache: dict[int, tuple[Any, list[tuple[Any, dict | None]]]] = {}


def _conditions(pack: Any) -> list[tuple[Any, dict | None]]:
    """Each rule with its condition as durable_rules JSON, thresholds left as tracked values
    (None for a data rule: its comparisons are read from its spec)."""
    cached = _condition_cache.get(id(pack))
    if cached is None or cached[0] is not pack:  # the pack is kept: its id() cannot name another
        view = TrackingThresholds(pack.thresholds_data, Recorder())
        trees = [(rule, None if rule.spec is not None else
                  rule.when(view.restricted(rule.thresholds, f"rule {rule.id}")).define()) for rule in pack.rules]
        cached = _condition_cache[id(pack)] = (pack, trees)
    return cached[1]


def _engine_comparisons(node: Any, item: dict, recorder: Recorder) -> None:
    """Record the comparisons of a condition (on one fact) between a threshold and the fact."""
    if not isinstance(node, dict) or len(node) != 1:
        return
    (name, value), = node.items()
    if name == "$and":
        # A fact of another type is not compared by this rule at all.
        if any(isinstance(part, dict) and "type" in part and part["type"] != item.get("type") for part in value):
            return
        for part in value:
            _engine_comparisons(part, item, recorder)
        return
    if name == "$or":
        for part in value:
            _engine_comparisons(part, item, recorder)
        return
    if name in _ENGINE_OPS and isinstance(value, dict) and len(value) == 1:
        op = _ENGINE_OPS[name]
        (fact_field, other), = value.items()
    elif not name.startswith("$"):
        op, fact_field, other = "==", name, value
        if name == "type":
            return
    else:
        return  # existence, patterns and the like compare no threshold
    if fact_field not in item:
        return
    left = item[fact_field]
    if isinstance(other, dict):
        if set(other) != {"$m"} or other["$m"] not in item:
            return  # arithmetic on the right: not classified
        right = item[other["$m"]]
    else:
        right = other
    if isinstance(right, Tracked) and not isinstance(left, Tracked):
        recorder.compared(cast(str, right._key), right._kind, op, left, right._plain())  # read from thresholds: keyed
    elif isinstance(left, Tracked) and not isinstance(right, Tracked):
        recorder.compared(cast(str, left._key), left._kind, _FLIPPED[op], right, left._plain())  # read from thresholds: keyed


def threshold_coverage(results: Iterable[Any], registry: Any) -> tuple[dict[str, dict[str, ThresholdCoverage]], list[str]]:
    """pack ref -> threshold key -> where the cases lie; and the cases that could not be traced.

    results: testing.CaseResult; only cases answered with a decision are traced.
    """
    report: dict[str, dict[str, ThresholdCoverage]] = {}
    untraced: list[str] = []
    for result in results:
        decision = result.outcome.get("decision")
        if decision is None:
            continue
        pack = getattr(result, "pack", None) or registry.get(f"{decision['pack']['id']}@{decision['pack']['version']}")
        keys = report.get(pack.ref)
        if keys is None:
            keys = report[pack.ref] = {k: ThresholdCoverage(kind) for k, kind in numeric_keys(pack.thresholds_data).items()}
        try:
            recorder = trace(pack, result.case.request)
        except Exception as exc:  # a derive function that fails only when traced: say so, count nothing
            untraced.append(f"{result.case.source}: {type(exc).__name__}: {exc}")
            continue
        for key, kind in recorder.reads.items():
            keys.setdefault(key, ThresholdCoverage(kind)).read = True
        for c in recorder.comparisons:
            entry = keys.setdefault(c.key, ThresholdCoverage(c.kind))
            entry.compared = True
            entry.ordered = entry.ordered or c.op not in ("==", "!=")
            where = position(c)
            if where:
                entry.cases[where].add(result.case.name)
    return report, untraced


def covered_share(report: dict[str, dict[str, ThresholdCoverage]]) -> float:
    counted = [c for keys in report.values() for c in keys.values() if c.counted]
    if not counted:  # packs without numeric thresholds have nothing to miss; no pack at all, no coverage
        return 100.0 if report else 0.0
    return 100.0 * sum(1 for c in counted if not c.missing) / len(counted)


def summary_lines(report: dict[str, dict[str, ThresholdCoverage]]) -> list[str]:
    lines = []
    for ref, keys in sorted(report.items()):
        counted = {k: c for k, c in keys.items() if c.counted}
        full = sum(1 for c in counted.values() if not c.missing)
        lines.append(f"thresholds {ref}: {full}/{len(counted)} exercised at, just inside and just outside their value")
        for key, c in sorted(counted.items()):
            if not c.read and not c.compared:
                lines.append(f"  missing: {key} ({c.kind}): no case reads it")
            elif c.missing:
                lines.append(f"  missing: {key} ({c.kind}): no case {', '.join(LABELS[p] for p in c.missing)}")
        for key in sorted(k for k, c in keys.items() if not c.counted):
            lines.append(f"  not counted: {key}: read but never compared (a parameter, not a bound)")
    return lines


def to_json(report: dict[str, dict[str, ThresholdCoverage]]) -> dict:
    return {
        ref: {
            key: {"kind": c.kind, "counted": c.counted, "missing": c.missing,
                  **{p: sorted(c.cases[p]) for p in POSITIONS}}
            for key, c in sorted(keys.items())
        }
        for ref, keys in sorted(report.items())
    }
