"""Threshold values that remember what they were compared with (for threshold coverage).

During a coverage run a derive function's `ctx.thresholds` is a `TrackingThresholds`: its typed
getters (.int, .date, .month_day, .day_in_year, .ratio) hand out values that behave exactly like
the plain ones but record, in a `Recorder`, every comparison made with them: the other operand
(the submission's value), the relation, and the key. Python gives a subclass's reflected
comparison priority, so `published > deadline` reaches the tracked `deadline` too.

What is tracked, and what is not:
- Comparisons of a tracked value with a plain value of its kind: an int with an int, a date with
  a date, a month-day with a (month, day) pair, a ratio with a number.
- A ratio multiplied, added to or divided by a plain number stays tracked (a 15% share of 40
  households is compared as 6 households), and so does its floor, ceiling or rounding (an int).
- A month-day made into a date with `Thresholds.day_in_year` stays tracked; one rebuilt by hand
  (`dt.date(year, *md)`) does not. A date moved by a timedelta does not.
- Comparing two thresholds with each other records nothing: it says nothing about a case.
"""

from __future__ import annotations

import builtins
import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from .ballots import Share
from .thresholds import Thresholds

# A comparison method called on the threshold `t` with the other operand `x`, as a relation of x to t.
_RELATION = {"__lt__": ">", "__le__": ">=", "__gt__": "<", "__ge__": "<=", "__eq__": "==", "__ne__": "!="}


@dataclass(frozen=True)
class Comparison:
    """`x <op> t`: the submission's value x compared with the threshold `key`'s value t.

    `step` is the distance to x's nearest neighbour: 1 for ints, one day for dates and month-days,
    1/total for a share of `total` votes or households; None when unknown (then only x == t counts).
    """

    key: str
    kind: str  # int | date | month_day | ratio
    op: str
    x: Any
    t: Any
    step: Any


@dataclass
class Recorder:
    """What one case's derive functions read and compared."""

    reads: dict[str, str] = field(default_factory=dict)  # key -> kind
    comparisons: list[Comparison] = field(default_factory=list)

    def read(self, key: str, kind: str) -> None:
        self.reads.setdefault(key, kind)

    def compared(self, key: str, kind: str, op: str, x: Any, t: Any) -> None:
        step = _step(kind, x)
        if step is not _NOT_COMPARABLE:
            self.comparisons.append(Comparison(key, kind, op, x, t, step))


_NOT_COMPARABLE = object()


def _step(kind: str, x: Any) -> Any:
    """x's distance to its nearest neighbour, None when unknown, or _NOT_COMPARABLE."""
    if isinstance(x, Tracked) or isinstance(x, bool):
        return _NOT_COMPARABLE
    if kind == "int":
        return 1 if isinstance(x, int) else _NOT_COMPARABLE
    if kind == "date":
        return 1 if isinstance(x, dt.date) and not isinstance(x, dt.datetime) else _NOT_COMPARABLE
    if kind == "month_day":
        ok = isinstance(x, tuple) and len(x) == 2 and all(isinstance(p, int) for p in x)
        return 1 if ok else _NOT_COMPARABLE
    if kind == "ratio":
        if isinstance(x, int):
            return 1
        if isinstance(x, Fraction):
            total = getattr(x, "total", None)
            return Fraction(1, total) if total else None
    return _NOT_COMPARABLE


class Tracked:
    """Mixin: the threshold key and the recorder a value reports its comparisons to."""

    _key: str | None = None
    _kind: str = ""
    _recorder: Recorder | None = None

    def _track(self, key: str | None, recorder: Recorder | None) -> None:
        self._key, self._recorder = key, recorder

    def _plain(self) -> Any:  # the value without tracking
        raise NotImplementedError


def _install_comparisons(cls: type, base: type) -> type:
    """Give `cls` the six comparison methods of `base`, each reporting itself before answering."""

    def make(name: str):
        compare = getattr(base, name)
        relation = _RELATION[name]

        def method(self, other):
            result = compare(self, other)
            if result is not NotImplemented and self._recorder is not None and not isinstance(other, Tracked):
                self._recorder.compared(self._key, self._kind, relation, other, self._plain())
            return result

        method.__name__ = name
        return method

    for name in _RELATION:
        setattr(cls, name, make(name))
    cls.__hash__ = base.__hash__  # type: ignore[method-assign]  # defining __eq__ would otherwise unset it
    return cls


class TrackedInt(Tracked, int):
    _kind = "int"

    def __new__(cls, value: int, key: str | None = None, recorder: Recorder | None = None):
        obj = int.__new__(cls, value)
        obj._track(key, recorder)
        return obj

    def _plain(self) -> int:
        return int(self)


class TrackedDate(Tracked, dt.date):
    _kind = "date"

    def __new__(cls, year: int, month: int, day: int, key: str | None = None, recorder: Recorder | None = None):
        obj = dt.date.__new__(cls, year, month, day)
        obj._track(key, recorder)
        return obj

    def _plain(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)


class TrackedMonthDay(Tracked, tuple):
    _kind = "month_day"

    def __new__(cls, month_day: tuple[int, int], key: str | None = None, recorder: Recorder | None = None):
        obj = tuple.__new__(cls, month_day)
        obj._track(key, recorder)
        return obj

    def _plain(self) -> tuple[int, int]:
        return tuple(self)


class TrackedRatio(Tracked, Share):
    """A ratio threshold. A subclass of Share, so that `share >= bar` asks the bar first."""

    _kind = "ratio"

    def __new__(cls, value: Fraction, key: str | None = None, recorder: Recorder | None = None):
        obj = Fraction.__new__(cls, value.numerator, value.denominator)
        obj.total = None
        obj._track(key, recorder)
        return obj

    def _plain(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def __floor__(self):
        return TrackedInt(math.floor(self._plain()), self._key, self._recorder)

    def __ceil__(self):
        return TrackedInt(math.ceil(self._plain()), self._key, self._recorder)

    def __round__(self, ndigits=None):
        if ndigits is None:
            return TrackedInt(round(self._plain()), self._key, self._recorder)
        return TrackedRatio(round(self._plain(), ndigits), self._key, self._recorder)


def _install_arithmetic(name: str) -> None:
    """A ratio combined with a plain number stays tracked (a share of a count is compared as a count)."""
    operation = getattr(Fraction, name)

    def method(self, other):
        if isinstance(other, Tracked):
            return operation(self._plain(), other._plain())
        result = operation(self._plain(), other)
        return TrackedRatio(result, self._key, self._recorder) if isinstance(result, Fraction) else result

    method.__name__ = name
    setattr(TrackedRatio, name, method)


for _cls, _base in ((TrackedInt, int), (TrackedDate, dt.date), (TrackedMonthDay, tuple), (TrackedRatio, Fraction)):
    _install_comparisons(_cls, _base)
for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__"):
    _install_arithmetic(_name)


class TrackingThresholds(Thresholds):
    """A thresholds view whose numeric and date values report their comparisons to `recorder`."""

    def __init__(self, data: dict, recorder: Recorder, allowed: Iterable[str] | None = None, owner: str = "") -> None:
        super().__init__(data, allowed, owner)
        self.recorder = recorder

    def restricted(self, allowed: Iterable[str], owner: str) -> "TrackingThresholds":
        return TrackingThresholds(self._data, self.recorder, allowed, owner)

    def int(self, key: str) -> int:
        self.recorder.read(key, "int")
        return TrackedInt(super().int(key), key, self.recorder)

    def date(self, key: str) -> dt.date:
        value = super().date(key)
        self.recorder.read(key, "date")
        return TrackedDate(value.year, value.month, value.day, key, self.recorder)

    def month_day(self, key: str) -> tuple[builtins.int, builtins.int]:  # `int` is a method here
        value = super().month_day(key)
        self.recorder.read(key, "month_day")
        return TrackedMonthDay(value, key, self.recorder)

    def day_in_year(self, key: str, year: builtins.int) -> dt.date:
        value = super().day_in_year(key, year)
        return TrackedDate(value.year, value.month, value.day, key, self.recorder)

    def ratio(self, key: str) -> Fraction:
        value = super().ratio(key)
        self.recorder.read(key, "ratio")
        return TrackedRatio(value, key, self.recorder)
