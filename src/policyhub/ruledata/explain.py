"""A condition evaluated in Python on one fact, with every comparison it made and its values.

The engine decides; this explains (a decision's trace) and measures (threshold coverage). It
evaluates the same normal form the engine was given, with the same rules: a comparison reading a
field the fact does not have is false, shares are compared by cross-multiplying whole numbers.
tests/test_ruledata_engine.py holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..rules.ballots import Share
from ..rules.tracked import Comparison
from .language import (
    SYMBOLS,
    And,
    Compare,
    Constant,
    CountOf,
    Field,
    In,
    Literal,
    MonthDayOf,
    Node,
    Or,
    Presence,
    Quantified,
    ShareOf,
    Threshold,
    FLIPPED,
    written,
)

_ABSENT = object()


@dataclass(frozen=True)
class Step:
    """One comparison made: in words with the values, whether it held, and what it compared."""

    text: str
    holds: bool
    left: str  # the fact's side, as written, and its value
    left_value: str
    op: str
    right: str
    right_value: str
    threshold: str  # the threshold key compared, if any
    clause: str  # that threshold's clause, if it has one
    item: str  # the list item it was made on ("rounds[1] village"), if any


class Explainer:
    def __init__(self, sources: dict | None = None, item_label: dict | None = None) -> None:
        self.sources = sources or {}
        self.steps: list[Step] = []
        self.comparisons: list[Comparison] = []  # threshold comparisons, for threshold coverage
        self.item_label = item_label or {}  # list name -> the item field that names an item

    def evaluate(self, node: Node, fact: dict, entry: dict | None = None, where: str = "") -> bool:
        """Every part is evaluated (no short cut), so that an explanation shows every comparison."""
        if isinstance(node, And):
            results = [self.evaluate(p, fact, entry, where) for p in node.parts]
            return all(results)
        if isinstance(node, Or):
            results = [self.evaluate(p, fact, entry, where) for p in node.parts]
            return any(results)
        if isinstance(node, Constant):
            return node.value
        if isinstance(node, Quantified):
            items = _get(fact, node.list.path)
            if items is _ABSENT:
                items = []  # an absent list is an empty one (a request leaves empty lists out)
            if not isinstance(items, list):
                return False
            results = []
            label_field = self.item_label.get(node.list.path)
            for i, entry_value in enumerate(items):
                name = entry_value.get(label_field, "") if label_field and isinstance(entry_value, dict) else ""
                results.append(self.evaluate(node.body, fact, entry_value, f"{node.list.path}[{i}]{' ' + str(name) if name else ''}"))
            return all(results) if node.every else any(results)
        if isinstance(node, Presence):
            present = self.read(node.field, fact, entry) is not _ABSENT
            holds = present == node.present
            self._step(f"{node.field.path} is {'given' if present else 'not given'}", holds,
                       node.field.path, "given" if present else "not given", "", "", "", "", where)
            return holds
        if isinstance(node, Compare):
            return self.compare(node, fact, entry, where)
        if isinstance(node, In):
            return self.member(node, fact, entry, where)
        raise TypeError(type(node).__name__)

    def read(self, term: Node, fact: dict, entry: dict | None) -> Any:
        if isinstance(term, (Literal, Threshold)):
            return term.value
        if isinstance(term, Field):
            return _get(entry if term.item else fact, term.path)
        if isinstance(term, CountOf):
            value = _get(fact, term.list.path)
            return len(value) if isinstance(value, list) else (0 if value is _ABSENT else _ABSENT)
        if isinstance(term, MonthDayOf):
            value = self.read(term.date, fact, entry)
            return value[5:] if isinstance(value, str) and len(value) == 10 else _ABSENT
        if isinstance(term, ShareOf):
            part, whole = self.read(term.part, fact, entry), self.read(term.whole, fact, entry)
            if not _whole_number(part) or not _whole_number(whole):
                return _ABSENT
            return (part, whole)
        return _ABSENT

    def compare(self, node: Compare, fact: dict, entry, where: str) -> bool:
        left, op, right = node.left, node.op, node.right
        if not isinstance(left, (Field, ShareOf, CountOf, MonthDayOf)):
            left, op, right = right, FLIPPED[op], left
        x, t = self.read(left, fact, entry), self.read(right, fact, entry)
        if x is _ABSENT or t is _ABSENT:
            holds = False
            shown_x = "not given" if x is _ABSENT else _show(x)
        elif isinstance(left, ShareOf):
            part, whole = x
            if whole <= 0:
                holds, shown_x = False, f"{part}/{whole} (no share of nothing)"
            else:
                holds = _OPS[op](part * t.denominator, t.numerator * whole)
                shown_x = f"{part}/{whole} = {_percent(Fraction(part, whole))}"
                if isinstance(right, Threshold):
                    self.comparisons.append(Comparison(right.key, "ratio", op, Share(part, whole), t, Fraction(1, whole)))
        else:
            try:
                holds = _OPS[op](x, t)
            except TypeError:
                holds = False
            shown_x = _show(x)
            if isinstance(left, CountOf):
                shown_x += _items(_get(fact, left.list.path))  # what was counted: the years of a run, say
            if isinstance(right, Threshold):
                self._record(right, op, x, t)
        shown_t = "not given" if t is _ABSENT else _percent(t) if isinstance(t, Fraction) else _show(t)
        threshold = right.key if isinstance(right, Threshold) else ""
        clause = (self.sources.get(threshold) or {}).get("clause", "") if threshold else ""
        right_text = written(right)
        if threshold:
            text = f"{_side(left)} = {shown_x} {SYMBOLS[op]} {threshold} = {shown_t}"
        elif isinstance(right, Field) or isinstance(right, CountOf):
            text = f"{_side(left)} = {shown_x} {SYMBOLS[op]} {right_text} = {shown_t}"
        else:
            text = f"{_side(left)} = {shown_x} {SYMBOLS[op]} {shown_t}"
        if clause:
            text += f" ({clause})"
        text += ": yes" if holds else ": no"
        if where:
            text = f"{where}: {text}"
        self._step(text, holds, _side(left), shown_x, op, right_text, shown_t, threshold, where, clause)
        return holds

    def member(self, node: In, fact: dict, entry, where: str) -> bool:
        if isinstance(node.collection, Field):
            values = self.read(node.collection, fact, entry)
            word = node.item.value
            if values is _ABSENT:
                values = []
            if not isinstance(values, list):
                holds, shown = False, "not given"
            else:
                holds, shown = (word in values) != node.negated, "[" + ", ".join(map(str, values)) + "]"
            text = f"{written(node.item)} {'not ' if node.negated else ''}in {node.collection.path} = {shown}"
            left, right = node.collection.path, written(node.item)
        else:
            value = self.read(node.item, fact, entry)
            words = node.collection.value
            holds = value is not _ABSENT and (value in words) != node.negated
            shown = "not given" if value is _ABSENT else _show(value)
            text = (f"{node.item.path} = {shown} {'not ' if node.negated else ''}in "
                    f"{written(node.collection)} = [{', '.join(map(str, words))}]")
            left, right = node.item.path, written(node.collection)
            if isinstance(node.collection, Threshold) and value is not _ABSENT:
                pass  # a list of words is not a bound: nothing for threshold coverage
        threshold = node.collection.key if isinstance(node.collection, Threshold) else (
            node.item.key if isinstance(node.item, Threshold) else "")
        clause = (self.sources.get(threshold) or {}).get("clause", "") if threshold else ""
        if clause:
            text += f" ({clause})"
        text += ": yes" if holds else ": no"
        if where:
            text = f"{where}: {text}"
        self._step(text, holds, left, shown, "not in" if node.negated else "in", right, "", threshold, where, clause)
        return holds

    def _record(self, threshold: Threshold, op: str, x: Any, t: Any) -> None:
        if threshold.type == "number" and _whole_number(x):
            self.comparisons.append(Comparison(threshold.key, "int", op, x, t, 1))
        elif threshold.type == "month_day" and isinstance(x, str):
            try:
                self.comparisons.append(Comparison(threshold.key, "month_day", op, (int(x[:2]), int(x[3:])),
                                                   (int(t[:2]), int(t[3:])), 1))
            except ValueError:
                pass
        elif threshold.type == "date" and isinstance(x, str):
            try:
                self.comparisons.append(Comparison(threshold.key, "date", op, dt.date.fromisoformat(x),
                                                   dt.date.fromisoformat(t), 1))
            except ValueError:
                pass

    def _step(self, text, holds, left, left_value, op, right, right_value, threshold, where, clause="") -> None:
        self.steps.append(Step(text, holds, left, left_value, op, right, right_value, threshold, clause, where))


def _whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(value: Any, path: str) -> Any:
    if value is None:
        return _ABSENT
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def _side(term: Node) -> str:
    return written(term)


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, str):
        return value if value else "''"
    return str(value)


def _items(values: Any) -> str:
    """A counted list of words or numbers as the explanation shows it after its count: " (2011, 2012)"."""
    if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
        return ""
    return " (" + ", ".join(map(str, values)) + ")"


def _percent(share: Fraction) -> str:
    hundredths = share * 100
    if hundredths.denominator == 1:
        return f"{hundredths.numerator}%"
    return f"{float(hundredths):.2f}%"


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
