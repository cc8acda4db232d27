"""The condition language of rule data: small and total.

    condition := condition 'or' condition | condition 'and' condition | 'not' condition
               | '(' condition ')' | all(LIST, condition) | any(LIST, condition)
               | missing(FIELD) | present(FIELD) | FLAG | NAMED_CONDITION
               | term OP term | term ['not'] 'in' term
    term      := FIELD | THRESHOLD.KEY | share(FIELD, FIELD) | count(LIST) | month_day(DATE)
               | 12 | 70% | 7/10 | 'text' | '2011-03-31' | '06-30' | true | false | [term, ...]
    OP        := < <= > >= == !=

`x in list` looks for a word, or a number in a written list or threshold of whole numbers
(`month in evaluation.months`). A comparison of a threshold with a written value reads the pack's
settings only (`grade.method == 'median'`, a flag threshold alone): it is decided when the pack
loads, so an interpretation's alternative reading can be part of a condition.

Every condition is a finite formula over one fact: it always answers true or false. A comparison
that reads a field the fact does not have is false, and so is its negation (`not` is pushed down
to the comparisons before anything is evaluated, so both the engine and the explanation answer
the same). An absent list is an empty one. Names are resolved (and type-checked) against the fact type's fields, the pack's
thresholds and its named conditions when the pack loads; `resolve` does that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Union, cast

OPS = ("<", "<=", ">", ">=", "==", "!=")
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
WORDS = {"<": "is less than", "<=": "is at most", ">": "is more than", ">=": "is at least",
         "==": "is", "!=": "is not"}
SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}
RESERVED = {"and", "or", "not", "in"}  # never a name; share, count, all, any, missing, present are
# functions only when followed by "(", so a field may be called `count`
KEYWORDS = {"and", "or", "not", "in", "all", "any", "share", "count", "missing", "present", "true", "false"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w.]))
  | (?P<percent>\d+(?:\.\d+)?%)
  | (?P<fraction>\d+/\d+)
  | (?P<number>\d+(?!\.?\w))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<punct>[(),\[\]])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
""", re.VERBOSE)


class ConditionError(ValueError):
    """A condition that does not parse or does not check; the message names what and where."""


# --- the syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any  # int, Fraction (a share), str, bool, or a tuple of literals
    type: str  # number | share | text | date | flag | list
    text: str  # as written


@dataclass(frozen=True)
class Name:
    path: str  # as written: a field, a threshold key, a flag or a named condition


@dataclass(frozen=True)
class ShareOf:
    part: Any  # a term of type number
    whole: Any


@dataclass(frozen=True)
class CountOf:
    list: Any  # a Field of type list


@dataclass(frozen=True)
class MonthDayOf:
    date: Any  # a Field of type date: its day of the year, compared with a yearly day ('06-30')


@dataclass(frozen=True)
class Compare:
    left: Any
    op: str
    right: Any


@dataclass(frozen=True)
class In:
    item: Any
    collection: Any
    negated: bool = False


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: Any


@dataclass(frozen=True)
class Quantified:
    every: bool  # all() when True, any() when False
    list: Any  # a Name, then a Field of type list
    body: Any


@dataclass(frozen=True)
class Presence:
    field: Any
    present: bool


# Resolved leaves (what `resolve` puts in place of Names).


@dataclass(frozen=True)
class Field:
    path: str  # the fact's property ("rounds" for a list); inside a quantifier, the item's field
    type: str
    item: bool = False  # a field of the quantified item, not of the fact
    of: "FieldType | None" = field(default=None, compare=False, repr=False)  # its declared type


@dataclass(frozen=True)
class Threshold:
    key: str
    value: Any
    type: str
    text: str  # the value as written in thresholds.yaml


@dataclass(frozen=True)
class Constant:
    value: bool  # a condition folded to true or false when the pack loads


Node = Union[Literal, Name, ShareOf, CountOf, MonthDayOf, Compare, In, And, Or, Not, Quantified, Presence, Field, Threshold, Constant]


# --- parsing ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found:
            raise ConditionError(f"cannot read {text[pos:pos + 12]!r} (position {pos + 1})")
        if found.lastgroup != "space":
            out.append((cast(str, found.lastgroup), found.group()))  # every alternative of _TOKEN is named
        pos = found.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self, value: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        kind, token = self.tokens[self.pos]
        return value is None or (token == value and (kind != "string"))

    def take(self, value: str | None = None) -> str:
        if self.pos >= len(self.tokens):
            raise ConditionError(f"unexpected end of condition{f', expected {value!r}' if value else ''}")
        kind, token = self.tokens[self.pos]
        if value is not None and (token != value or kind == "string"):
            raise ConditionError(f"expected {value!r}, found {token!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise ConditionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def disjunction(self) -> Node:
        parts = [self.conjunction()]
        while self.peek("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.peek("and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def negation(self) -> Node:
        if self.peek("not"):
            self.take()
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Node:
        if self.peek("("):
            self.take("(")
            node = self.disjunction()
            self.take(")")
            return node
        for word, every in (("all", True), ("any", False)):
            if self.peek(word) and self._call_follows():
                self.take()
                self.take("(")
                target = Name(self._name())
                self.take(",")
                body = self.disjunction()
                self.take(")")
                return Quantified(every, target, body)
        for word, present in (("missing", False), ("present", True)):
            if self.peek(word) and self._call_follows():
                self.take()
                self.take("(")
                target = Name(self._name())
                self.take(")")
                return Presence(target, present)
        left = self.term()
        if self.peek("not"):
            self.take()
            self.take("in")
            return In(left, self.term(), negated=True)
        if self.peek("in"):
            self.take()
            return In(left, self.term())
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "op":
            op = self.take()
            return Compare(left, op, self.term())
        if isinstance(left, Name):
            return left  # a flag or a named condition
        raise ConditionError(f"{_written(left)} is not a condition: compare it with something")

    def _call_follows(self) -> bool:
        return self.pos + 1 < len(self.tokens) and self.tokens[self.pos + 1][1] == "("

    def _name(self) -> str:
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] != "name":
            raise ConditionError("expected a name")
        return self.take()

    def term(self) -> Node:
        if self.pos >= len(self.tokens):
            raise ConditionError("unexpected end of condition")
        kind, token = self.tokens[self.pos]
        if kind == "name" and token in ("share", "count", "month_day") and self._call_follows():
            self.take()
            self.take("(")
            if token == "count":
                node: Node = CountOf(Name(self._name()))
            elif token == "month_day":
                node = MonthDayOf(Name(self._name()))
            else:
                part = self.term()
                self.take(",")
                node = ShareOf(part, self.term())
            self.take(")")
            return node
        if token == "[" and kind == "punct":
            self.take()
            items = []
            while not self.peek("]"):
                items.append(self.term())
                if not self.peek("]"):
                    self.take(",")
            self.take("]")
            literals = [i for i in items if isinstance(i, Literal)]
            if len(literals) != len(items):
                raise ConditionError("a list written in a condition holds literals only")
            return Literal(tuple(i.value for i in literals), "list", "[" + ", ".join(i.text for i in literals) + "]")
        self.take()
        if kind == "name":
            if token in ("true", "false"):
                return Literal(token == "true", "flag", token)
            if token in RESERVED:
                raise ConditionError(f"{token!r} cannot stand here")
            return Name(token)
        if kind == "number":
            return Literal(int(token), "number", token)
        if kind in ("percent", "fraction"):
            return Literal(parse_share(token), "share", token)
        if kind == "date":
            return Literal(token, "date", token)
        if kind == "string":
            value = token[1:-1]
            return Literal(value, "date" if _DATE.match(value) else "month_day" if _month_day(value) else "text", token)
        raise ConditionError(f"unexpected {token!r}")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def _month_day(text: str) -> bool:
    """A yearly day, MM-DD (02-29 included)."""
    import datetime as dt

    found = _MONTH_DAY.match(text)
    if not found:
        return False
    try:
        dt.date(2000, int(found[1]), int(found[2]))
    except ValueError:
        return False
    return True


def parse_share(text: str) -> Fraction:
    text = text.strip()
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


def parse(text: str) -> Node:
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be non-empty text")
    return _Parser(text).parse()


# --- names and types -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldType:
    """The type of a fact's field: number, share? no: number | date | text | flag | list | object."""

    type: str
    item: "FactSchema | None" = None  # a list of objects: its items' fields; None: a list of text
    max: int | None = None  # the most items a list may hold (needed to compare items' fields with each other)
    fields: "FactSchema | None" = None  # an object's fields (None: any key, all of `value_type`)
    value_type: str = ""
    exact: bool = False  # a list always of `max` items (declared `size:`)


@dataclass(frozen=True)
class FactSchema:
    name: str
    fields: dict = field(default_factory=dict)  # name -> FieldType

    def lookup(self, path: str) -> FieldType | None:
        schema: FactSchema | None = self
        parts = path.split(".")
        for i, part in enumerate(parts):
            if schema is None:
                return None
            found = schema.fields.get(part)
            if found is None:
                return None
            if i == len(parts) - 1:
                return found
            if found.type != "object":
                return None
            if found.fields is None:  # a map: any key, of one type
                return FieldType(found.value_type) if i == len(parts) - 2 else None
            schema = found.fields
        return None


def threshold_type(value: Any) -> str:
    from ..rules.thresholds import parse_ratio

    if isinstance(value, bool):
        return "flag"
    if isinstance(value, int):
        return "number"
    if isinstance(value, float):
        return "share"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        if _DATE.match(value):
            return "date"
        if _month_day(value):
            return "month_day"
        if re.match(r"^\s*(\d+(\.\d+)?\s*%|\d+\s*/\s*\d+)\s*$", value):
            parse_ratio(value)
            return "share"
        return "text"
    return "object"


@dataclass
class Scope:
    """What names mean in one rule's condition."""

    schema: FactSchema
    thresholds: dict  # flattened key -> value (sources stripped)
    named: dict  # name -> parsed condition (a pack's `conditions:`)
    reads: set = field(default_factory=set)  # threshold keys read
    item: FactSchema | None = None  # inside all()/any(): the item's fields
    item_list: str = ""
    expanding: tuple = ()

    def threshold(self, key: str) -> Threshold:
        from ..rules.thresholds import parse_ratio

        value = self.thresholds[key]
        kind = threshold_type(value)
        self.reads.add(key)
        if kind == "share":
            return Threshold(key, parse_ratio(value, key), "share", str(value))
        if kind == "list":
            if not (all(isinstance(v, str) for v in value) or all(_whole(v) for v in value)):
                raise ConditionError(f"threshold {key!r} is a list of something other than words or whole numbers")
            return Threshold(key, tuple(value), "list", ", ".join(map(str, value)))
        return Threshold(key, value, kind, str(value).lower() if isinstance(value, bool) else str(value))


def resolve(node: Node, scope: Scope) -> Node:
    """The condition with every name resolved and every comparison type-checked (ConditionError)."""
    if isinstance(node, Name):
        return _resolve_bare(node, scope)
    if isinstance(node, And):
        return And(tuple(resolve(p, scope) for p in node.parts))
    if isinstance(node, Or):
        return Or(tuple(resolve(p, scope) for p in node.parts))
    if isinstance(node, Not):
        return Not(resolve(node.part, scope))
    if isinstance(node, Presence):
        target = _term(node.field, scope)
        if not isinstance(target, Field):
            raise ConditionError(f"missing()/present() take a field of {scope.schema.name}")
        return Presence(target, node.present)
    if isinstance(node, Quantified):
        target = _term(node.list, scope)
        if not isinstance(target, Field) or target.type != "list" or target.item:
            raise ConditionError(f"all()/any() go over a list field of {scope.schema.name}, "
                                 f"not {_written(node.list)}")
        if scope.item is not None:
            raise ConditionError("all()/any() cannot be nested")
        if target.of is None or target.of.item is None:
            raise ConditionError(f"{target.path} is a list of words: use `'word' in {target.path}`")
        inner = Scope(scope.schema, scope.thresholds, scope.named, scope.reads, target.of.item, target.path,
                      scope.expanding)
        return Quantified(node.every, target, resolve(node.body, inner))
    if isinstance(node, Compare):
        left, right = _term(node.left, scope), _term(node.right, scope)
        _check_compare(left, node.op, right)
        return Compare(left, node.op, right)
    if isinstance(node, In):
        item, collection = _term(node.item, scope), _term(node.collection, scope)
        _check_in(item, collection)
        return In(item, collection, node.negated)
    raise ConditionError(f"{_written(node)} is not a condition")


def _resolve_bare(node: Name, scope: Scope) -> Node:
    if node.path in scope.named:
        if node.path in scope.expanding:
            raise ConditionError(f"condition {node.path!r} refers to itself")
        inner = Scope(scope.schema, scope.thresholds, scope.named, scope.reads, scope.item, scope.item_list,
                      scope.expanding + (node.path,))
        return resolve(scope.named[node.path], inner)
    term = _term(node, scope)
    if _type(term) != "flag":
        raise ConditionError(f"{node.path} is a {_type(term)}, not a condition: compare it with something")
    return Compare(term, "==", Literal(True, "flag", "true"))


def _term(node: Node, scope: Scope) -> Node:
    if isinstance(node, Literal):
        return node
    if isinstance(node, ShareOf):
        part, whole = _term(node.part, scope), _term(node.whole, scope)
        for side in (part, whole):
            if not isinstance(side, Field) or side.type != "number":
                raise ConditionError(f"share() takes two number fields, not {_written(side)}")
        return ShareOf(part, whole)
    if isinstance(node, CountOf):
        target = _term(node.list, scope)
        if not isinstance(target, Field) or target.type != "list" or target.item:
            raise ConditionError(f"count() takes a list field of {scope.schema.name}")
        return CountOf(target)
    if isinstance(node, MonthDayOf):
        target = _term(node.date, scope)
        if not isinstance(target, Field) or target.type != "date" or target.item:
            raise ConditionError(f"month_day() takes a date field of {scope.schema.name}")
        return MonthDayOf(target)
    if isinstance(node, Name):
        path = node.path
        found = []
        if scope.item is not None:
            item_type = scope.item.lookup(path)
            if item_type is not None:
                found.append(Field(path, item_type.type, item=True, of=item_type))
        own = scope.schema.lookup(path)
        if own is not None and not found:
            found.append(Field(path, own.type, of=own))
        if path in scope.thresholds:
            if found:
                raise ConditionError(f"{path!r} is both a field of {scope.schema.name} and a threshold key: rename one")
            return scope.threshold(path)
        if found:
            if found[0].type == "message":
                raise ConditionError(f"{path!r} is a message field (made when a message is written): "
                                     "a condition cannot read it")
            return found[0]
        if any(k.startswith(path + ".") for k in scope.thresholds):
            raise ConditionError(f"{path!r} is a group of thresholds, not one: name a key below it")
        if "." in path and path.split(".", 1)[0] in _THRESHOLD_GROUPS:
            raise ConditionError(f"unknown threshold key {path!r}")
        where = f"{scope.schema.name} or its {scope.item_list} items" if scope.item else scope.schema.name
        raise ConditionError(f"{path!r} is not a field of {where} nor a threshold key")
    raise ConditionError(f"{_written(node)} is not a value")


_THRESHOLD_GROUPS = {"pledge", "meeting", "log", "ballot", "grade", "team", "member", "period", "selection"}


def _type(term: Node) -> str:
    if isinstance(term, (Field, Threshold, Literal)):
        return term.type
    if isinstance(term, ShareOf):
        return "share"
    if isinstance(term, CountOf):
        return "number"
    if isinstance(term, MonthDayOf):
        return "month_day"
    return "?"


_ORDERED = {"number", "share", "date", "month_day"}


def _check_compare(left: Node, op: str, right: Node) -> None:
    lt, rt = _type(left), _type(right)
    if lt != rt:
        raise ConditionError(f"type mismatch: {_written(left)} is a {lt}, {_written(right)} is a {rt}")
    if op not in ("==", "!=") and lt not in _ORDERED:
        raise ConditionError(f"{op} compares numbers, shares and dates, not {lt}s ({_written(left)})")
    if lt in ("list", "object"):
        raise ConditionError(f"{_written(left)} is a {lt}: compare its items or count() it")
    fact_sides = [s for s in (left, right) if _reads_fact(s)]
    if not fact_sides and not any(isinstance(s, Threshold) for s in (left, right)):
        raise ConditionError(f"{_written(left)} {op} {_written(right)} reads nothing of the fact")
    # A setting compared with a written value (`grade.method == 'median'`, a flag threshold alone) is
    # decided when the pack loads: `normal` folds it, so the engine never sees it.
    if lt == "share":
        share, bar = (left, right) if isinstance(left, ShareOf) else (right, left)
        if not isinstance(share, ShareOf) or isinstance(bar, ShareOf):
            raise ConditionError("a share() is compared with a threshold or a written share (70%, 2/3), "
                                 "not with another share()")
        if isinstance(bar, Field):
            raise ConditionError("a share() is compared with a threshold or a written share, not a field")
        bar = cast(Threshold | Literal, bar)  # share-typed (_type) and neither share() nor a field
        if bar.value < 0 or bar.value.numerator > 2 ** 20 or bar.value.denominator > 2 ** 20:
            raise ConditionError(f"share {_written(bar)} is out of range")


def _check_in(item: Node, collection: Node) -> None:
    it, ct = _type(item), _type(collection)
    if ct != "list":
        raise ConditionError(f"`in` needs a list on its right, {_written(collection)} is a {ct}")
    if it not in ("text", "number") or (it == "number" and isinstance(collection, Field)):
        raise ConditionError(f"`in` looks for words (or a number in a written list or threshold of numbers), "
                             f"{_written(item)} is a {it}")
    if isinstance(collection, Field):
        if collection.of is None or collection.of.item is not None:
            raise ConditionError(f"{collection.path} is a list of records, not of words")
        if not isinstance(item, (Literal, Threshold)):
            raise ConditionError(f"`in {collection.path}` looks for a written word or a text threshold")
    elif not isinstance(item, Field):
        raise ConditionError(f"`{_written(item)} in {_written(collection)}` reads nothing of the fact")
    if isinstance(collection, (Literal, Threshold)):
        numbers = it == "number"
        if not all(_whole(v) if numbers else isinstance(v, str) for v in collection.value):
            raise ConditionError(f"{_written(collection)} must hold {'whole numbers' if numbers else 'words'}, "
                                 f"as {_written(item)} is a {it}")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _reads_fact(term: Node) -> bool:
    return isinstance(term, (Field, ShareOf, CountOf, MonthDayOf))


def _written(node: Node) -> str:
    if isinstance(node, Name):
        return node.path
    if isinstance(node, Literal):
        return node.text
    if isinstance(node, Field):
        return node.path
    if isinstance(node, Threshold):
        return node.key
    if isinstance(node, ShareOf):
        return f"share({_written(node.part)}, {_written(node.whole)})"
    if isinstance(node, CountOf):
        return f"count({_written(node.list)})"
    if isinstance(node, MonthDayOf):
        return f"month_day({_written(node.date)})"
    return type(node).__name__


written = _written


# --- normal form -----------------------------------------------------------------------------


def normal(node: Node, negate: bool = False) -> Node:
    """`not` pushed down to the comparisons (negation normal form); constants folded away."""
    if isinstance(node, Not):
        return normal(node.part, not negate)
    if isinstance(node, (And, Or)):
        conjunction = isinstance(node, And) != negate
        parts = [normal(p, negate) for p in node.parts]
        flat: list[Node] = []
        for p in parts:
            if isinstance(p, Constant):
                if p.value != conjunction:  # false in an and, true in an or: decides it
                    return Constant(not conjunction)
                continue
            if isinstance(p, And if conjunction else Or):
                flat.extend(p.parts)
            else:
                flat.append(p)
        seen: set[str] = set()
        unique = []
        for p in flat:  # a part said twice once
            key = repr(p)
            if key not in seen:
                seen.add(key)
                unique.append(p)
        flat = unique
        if not flat:
            return Constant(conjunction)
        if len(flat) == 1:
            return flat[0]
        return And(tuple(flat)) if conjunction else Or(tuple(flat))
    if isinstance(node, Quantified):
        body = normal(node.body, negate)
        return Quantified(node.every != negate, node.list, body)
    if isinstance(node, Presence):
        return Presence(node.field, node.present != negate)
    if isinstance(node, Compare):
        op = NEGATED[node.op] if negate else node.op
        if not _reads_fact(node.left) and not _reads_fact(node.right):
            return Constant(_constant_compare(node.left.value, op, node.right.value))
        return Compare(node.left, op, node.right)
    if isinstance(node, In):
        negated = node.negated != negate
        if not _reads_fact(node.item) and not _reads_fact(node.collection):
            return Constant((node.item.value in node.collection.value) != negated)
        return In(node.item, node.collection, negated)
    if isinstance(node, Constant):
        return Constant(node.value != negate)
    raise ConditionError(f"{_written(node)} is not a condition")


def _constant_compare(a: Any, op: str, b: Any) -> bool:
    import operator

    return {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}[op](a, b)


# --- words -----------------------------------------------------------------------------------


def words(node: Node, sources: dict | None = None) -> str:
    """A resolved condition in words, each threshold with its value and clause."""
    sources = sources or {}
    if isinstance(node, And):
        return " and ".join(_grouped(p, sources) for p in node.parts)
    if isinstance(node, Or):
        return " or ".join(_grouped(p, sources) for p in node.parts)
    if isinstance(node, Not):
        return f"not ({words(node.part, sources)})"
    if isinstance(node, Quantified):
        return f"{'in every' if node.every else 'in some'} one of {node.list.path}: {words(node.body, sources)}"
    if isinstance(node, Presence):
        return f"{node.field.path} is {'given' if node.present else 'not given'}"
    if isinstance(node, Compare):
        if node.op == "==" and isinstance(node.right, Literal) and node.right.value is True and node.left.type == "flag":
            return f"{term_words(node.left, sources)}"
        return f"{term_words(node.left, sources)} {WORDS[node.op]} {term_words(node.right, sources)}"
    if isinstance(node, In):
        return f"{term_words(node.item, sources)} is {'not ' if node.negated else ''}one of {term_words(node.collection, sources)}"
    if isinstance(node, Constant):
        return "always" if node.value else "never"
    return _written(node)


def _grouped(node: Node, sources: dict) -> str:
    text = words(node, sources)
    return f"({text})" if isinstance(node, (And, Or)) else text


def term_words(term: Node, sources: dict) -> str:
    if isinstance(term, Threshold):
        clause = (sources.get(term.key) or {}).get("clause")
        return f"{term.key} ({term.text}{', ' + clause if clause else ''})"
    if isinstance(term, ShareOf):
        return f"the share {_written(term.part)}/{_written(term.whole)}"
    if isinstance(term, CountOf):
        return f"the number of {_written(term.list)}"
    if isinstance(term, MonthDayOf):
        return f"the day of the year of {_written(term.date)}"
    return _written(term)
