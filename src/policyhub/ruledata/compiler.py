"""Conditions (in normal form) compiled into durable_rules conditions: the engine compares.

What the engine can compare, measured (tests/test_ruledata_engine.py holds each of these):
- a fact property on the left, a constant, another property or integer arithmetic on properties
  on the right (`$add`, `$mul`, `$div`; int/int division truncates);
- inside `$iall`/`$iany` over a list, the item's fields against constants only;
- `$iall` over an empty list does not match.

So:
- a share is compared exactly by whole-number cross-multiplication, with the bar's numerator n and
  denominator d written into the condition: part/whole ≥ n/d ⟺ part ≥ ⌈whole·n/d⌉ = (whole·n + d − 1) / d,
  part/whole > n/d ⟺ part > ⌊whole·n/d⌋ = whole·n / d (whole > 0; counts are whole numbers ≥ 0);
- `all(list, …)` and `any(list, …)` over a list declared with `max: N` are unrolled over the
  first N items, sent to the engine as properties `<list>__<i>__<field>` (see `Shape`), so that
  an item's fields can be compared with each other, with the fact's fields and as shares; a list
  without `max` is quantified by the engine itself, its items' fields against constants only;
- `count(list)` and `all()` read `<list>__n`, the list's length, which `Shape` adds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from durable.lang import item, m

from .language import (
    And,
    CountOf,
    Compare,
    ConditionError,
    Constant,
    Field,
    FLIPPED,
    In,
    Literal,
    MonthDayOf,
    Node,
    Or,
    Presence,
    Quantified,
    ShareOf,
    Threshold,
)

NEVER_TYPE = "$never"  # a fact type no derive function makes: a condition that is always false


@dataclass
class Shape:
    """What one fact type needs added before the engine sees it: list lengths and unrolled items."""

    counts: set = field(default_factory=set)  # list names whose length is sent as <list>__n
    unrolled: dict = field(default_factory=dict)  # list name -> (max, set of item field paths)
    exact: set = field(default_factory=set)  # lists of exactly `max` items
    month_days: set = field(default_factory=set)  # date fields whose MM-DD is sent as <field>__md
    _plan: Any = field(default=None, repr=False, compare=False)

    def merge(self, other: "Shape") -> None:
        self._plan = None
        self.counts |= other.counts
        self.exact |= other.exact
        self.month_days |= other.month_days
        for name, (most, paths) in other.unrolled.items():
            self.unrolled.setdefault(name, (most, set()))[1].update(paths)

    def __bool__(self) -> bool:
        return bool(self.counts or self.unrolled or self.month_days)

    def apply(self, fact: dict) -> None:
        """Add the properties to `fact` (in place); a list of another length than declared is refused."""
        plan = self._plan
        if plan is None:
            plan = self._plan = self._make_plan()
        for name in self.month_days:
            value = fact.get(name)
            if value.__class__ is str and len(value) == 10:
                fact[name + "__md"] = value[5:]
        for name, most, exact, keys in plan:
            value = fact.get(name)
            if value.__class__ is not list:
                if value is None and keys is None:
                    fact[name + "__n"] = 0  # an absent list is an empty one (a request leaves empty lists out)
                continue
            count = len(value)
            if keys is None:
                fact[name + "__n"] = count
                continue
            if count > most or (exact and count != most):
                raise ValueError(f"{name} holds {count} items, {'not the' if exact else 'more than the'} "
                                 f"{most} its rules read")
            for entry, item_keys in zip(value, keys):
                for path, key in item_keys:
                    found = entry.get(path, _ABSENT) if path.__class__ is str else _get(entry, path[0])
                    if found is not _ABSENT:
                        fact[key] = found

    def _make_plan(self) -> list:
        """Per list: its name, most items, exactness and each item's (field, property name) pairs,
        worked out once (dotted fields as a 1-tuple, read through `_get`)."""
        plan: list = [(name, 0, False, None) for name in sorted(self.counts)]
        for name, (most, paths) in sorted(self.unrolled.items()):
            keys = [[(p if "." not in p else (p,), f"{name}__{i}__{p.replace('.', '__')}") for p in sorted(paths)]
                    for i in range(most)]
            plan.append((name, most, name in self.exact, keys))
        return plan


_ABSENT = object()


def _get(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def _prop(path: str):
    return functools.reduce(getattr, path.split("."), m)


def _item_prop(path: str):
    return functools.reduce(getattr, path.split("."), item)


class Compiler:
    def __init__(self) -> None:
        self.shape = Shape()

    def condition(self, fact_type: str, node: Node):
        """The durable_rules condition: the fact's type and the condition."""
        if isinstance(node, Constant):
            return (m.type == fact_type) if node.value else (m.type == NEVER_TYPE)
        return _conjunction([m.type == fact_type] + self.conjuncts(node, None))

    def conjuncts(self, node: Node, at) -> list:
        """A conjunction's parts, flat: durable_rules refuses a rule whose `and`s nest too deep
        (code 113 at eight alternatives of nested ands), and `a & b & c` written in a row stays flat."""
        if isinstance(node, And):
            return [part for p in node.parts for part in self.conjuncts(p, at)]
        if isinstance(node, Compare) and isinstance(node.left if isinstance(node.left, ShareOf) else node.right, ShareOf):
            return list(self.compare(node, at, parts=True))
        return [self.compile(node, at)]

    def compile(self, node: Node, at: tuple[str, int] | None):
        """`at`: inside an unrolled quantifier, the list and the item's index."""
        if isinstance(node, And):
            return _conjunction(self.conjuncts(node, at))
        if isinstance(node, Or):
            return functools.reduce(lambda a, b: a | b, [self.compile(p, at) for p in node.parts])
        if isinstance(node, Quantified):
            return self.quantified(node)
        if isinstance(node, Presence):
            prop = self.prop(node.field, at)
            return +prop if node.present else -prop
        if isinstance(node, Compare):
            return self.compare(node, at)
        if isinstance(node, In):
            return self.member(node, at)
        if isinstance(node, Constant):  # inside an or/and, after folding: only the trivially decided
            return (m.type != NEVER_TYPE) if node.value else (m.type == NEVER_TYPE)
        raise ConditionError(f"cannot compile {type(node).__name__}")

    def prop(self, term: Field, at: tuple[str, int] | None):
        if term.item:
            assert at is not None
            name, index = at
            self.shape.unrolled.setdefault(name, (0, set()))[1].add(term.path)
            return getattr(m, f"{name}__{index}__{term.path.replace('.', '__')}")
        return _prop(term.path)

    def month_day(self, term: MonthDayOf):
        self.shape.month_days.add(term.date.path)
        return getattr(m, f"{term.date.path}__md")

    def count(self, term: CountOf):
        self.shape.counts.add(term.list.path)
        return getattr(m, f"{term.list.path}__n")

    def value(self, term: Node, at):
        """The right-hand side: a constant, or a property reference."""
        if isinstance(term, (Literal, Threshold)):
            return term.value
        if isinstance(term, CountOf):
            return self.count(term)
        if isinstance(term, MonthDayOf):
            return self.month_day(term)
        if isinstance(term, Field):
            return self.prop(term, at)
        raise ConditionError(f"cannot compare {type(term).__name__} here")

    def compare(self, node: Compare, at, parts: bool = False):
        left, op, right = node.left, node.op, node.right
        if not isinstance(left, (Field, ShareOf, CountOf, MonthDayOf)):
            left, op, right = right, FLIPPED[op], left
        if isinstance(left, ShareOf):
            guard, test = self.share(left, op, right.value, at)
            return (guard, test) if parts else guard & test
        if isinstance(left, MonthDayOf):
            subject = self.month_day(left)
        else:
            subject = self.count(left) if isinstance(left, CountOf) else self.prop(left, at)
        return _apply(subject, op, self.value(right, at))

    def share(self, share: ShareOf, op: str, bar, at):
        part, whole = self.prop(share.part, at), self.prop(share.whole, at)
        n, d = bar.numerator, bar.denominator
        ceiling = (whole * n + (d - 1)) / d if d > 1 else whole * n
        floor = (whole * n) / d if d > 1 else whole * n
        guard = whole > 0
        if op == ">=":
            test = part >= ceiling
        elif op == ">":
            test = part > floor
        elif op == "<":
            test = part < ceiling
        elif op == "<=":
            test = part <= floor
        elif op == "==":
            test = (part >= ceiling) & (part <= floor)
        else:
            test = (part < ceiling) | (part > floor)
        return guard, test

    def member(self, node: In, at):
        if isinstance(node.collection, Field):  # a word in a list field
            target = node.collection
            if target.item:
                raise ConditionError("`in` over an item's list is not supported")
            word = node.item.value
            if node.negated:  # not in: every item differs (an empty list included)
                return (self.count(CountOf(target)) == 0) | _prop(target.path).allItems(item != word)
            return _prop(target.path).anyItem(item == word)
        subject = self.prop(node.item, at)
        words = list(node.collection.value)
        if not words:
            return (m.type == NEVER_TYPE) if not node.negated else +subject
        tests = [(subject != w) if node.negated else (subject == w) for w in words]
        return functools.reduce((lambda a, b: a & b) if node.negated else (lambda a, b: a | b), tests)

    def quantified(self, node: Quantified):
        target = node.list
        most = target.of.max if target.of else None
        # the engine's count property (durable_rules is untyped); None for an exact list, which never reads it
        count: Any = None if most is not None and target.of.exact else self.count(CountOf(target))
        if most is None:
            if _reads_more_than_item_constants(node.body):
                raise ConditionError(f"list {target.path} needs `max:` in its fact type to compare its items' "
                                     "fields with each other, with the fact's fields or as shares")
            body = self.native(node.body)
            quantifier = _prop(target.path).allItems if node.every else _prop(target.path).anyItem
            return ((count == 0) | quantifier(body)) if node.every else quantifier(body)
        self.shape.unrolled.setdefault(target.path, (most, set()))
        self.shape.unrolled[target.path] = (most, self.shape.unrolled[target.path][1])
        bodies = [self.conjuncts(node.body, (target.path, i)) for i in range(most)]
        if target.of.exact:  # every item is there: nothing to say about missing ones
            self.shape.exact.add(target.path)
            if node.every:
                return _conjunction([p for b in bodies for p in b])
            return functools.reduce(lambda a, b: a | b, [_conjunction(b) for b in bodies])
        if node.every:  # one alternative per length (n + 1, where "no more items or …" per item would make 2^n)
            alternatives = [count == 0] + [_conjunction([count == k] + [p for b in bodies[:k] for p in b])
                                           for k in range(1, most + 1)]
            return functools.reduce(lambda a, b: a | b, alternatives)
        return functools.reduce(lambda a, b: a | b, [_conjunction([count > i] + body) for i, body in enumerate(bodies)])

    def native(self, node: Node):
        """A body for the engine's own quantifier: the item's fields against constants."""
        if isinstance(node, And):
            return functools.reduce(lambda a, b: a & b, [self.native(p) for p in node.parts])
        if isinstance(node, Or):
            return functools.reduce(lambda a, b: a | b, [self.native(p) for p in node.parts])
        if isinstance(node, Compare):
            left, op, right = node.left, node.op, node.right
            if not isinstance(left, Field):
                left, op, right = right, FLIPPED[op], left
            return _apply(_item_prop(left.path), op, right.value)
        if isinstance(node, In) and isinstance(node.item, Field):
            subject = _item_prop(node.item.path)
            tests = [(subject != w) if node.negated else (subject == w) for w in node.collection.value]
            return functools.reduce((lambda a, b: a & b) if node.negated else (lambda a, b: a | b), tests)
        raise ConditionError("this list has no `max:`: inside all()/any() compare its items' fields with "
                             "constants only")


def _reads_more_than_item_constants(node: Node) -> bool:
    if isinstance(node, (And, Or)):
        return any(_reads_more_than_item_constants(p) for p in node.parts)
    if isinstance(node, Compare):
        sides = (node.left, node.right)
        fields = [s for s in sides if isinstance(s, Field)]
        return (len(fields) != 1 or not fields[0].item or any(isinstance(s, (ShareOf, CountOf)) for s in sides))
    if isinstance(node, In):
        return not (isinstance(node.item, Field) and node.item.item and not isinstance(node.collection, Field))
    return True


def _conjunction(parts: list):
    """`a & b & c`, written in a row: one flat `$and` (see Compiler.conjuncts)."""
    return functools.reduce(lambda a, b: a & b, parts)


def _apply(subject, op: str, value):
    if op == "<":
        return subject < value
    if op == "<=":
        return subject <= value
    if op == ">":
        return subject > value
    if op == ">=":
        return subject >= value
    if op == "==":
        return subject == value
    return subject != value
