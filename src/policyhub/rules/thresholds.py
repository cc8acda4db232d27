"""Typed, declared access to a pack's thresholds.yaml.

Rules and derive functions declare the keys they read; a view restricted to those keys is all
they get, so a key read without being declared fails the pack at load, not a request later.
Ratios are exact Fractions ("70%", "1/3", 0.7 all parse exactly), never floats.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from fractions import Fraction
from typing import Any, Iterable


class ThresholdError(ValueError):
    """A threshold is missing, undeclared, or not of the type asked for."""


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    """Dotted leaf keys of a nested mapping: {"a": {"b": 1}} -> {"a.b": 1}."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def lookup(data: dict, key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ThresholdError(f"threshold {key!r} is not defined")
        node = node[part]
    return node


def covers(declared: str, key: str) -> bool:
    """True when reading `declared` gives access to `key` (itself or a key below it)."""
    return key == declared or key.startswith(declared + ".")


# Caches for the hot path (each derive function reads its thresholds on every request); both
# are keyed by values alone, so they cannot go stale, and are bounded.
_CACHE_LIMIT = 65536
_declared_cache: dict[tuple[tuple[str, ...], str], bool] = {}
_ratio_cache: dict[tuple[type, Any], Fraction] = {}


_UNREAD = object()  # a threshold's value may be None (`key:` left empty in YAML)


def _declared(allowed: tuple[str, ...], key: str) -> bool:
    """Whether any of the `allowed` keys covers `key`."""
    found = _declared_cache.get((allowed, key))
    if found is None:
        found = any(covers(a, key) for a in allowed)
        if len(_declared_cache) < _CACHE_LIMIT:
            _declared_cache[(allowed, key)] = found
    return found


class Thresholds:
    """A read-only view of thresholds.yaml, limited to the declared keys."""

    def __init__(self, data: dict, allowed: Iterable[str] | None = None, owner: str = "") -> None:
        self._data = data
        self._allowed = None if allowed is None else tuple(allowed)
        self._owner = owner
        # A pack builds its views once at load and reads them on every request, and thresholds.yaml
        # does not change under a loaded pack: a key checked and found once is remembered.
        self._values: dict[str, Any] = {}
        self._ratios: dict[str, Fraction] = {}

    def restricted(self, allowed: Iterable[str], owner: str) -> "Thresholds":
        return Thresholds(self._data, allowed, owner)

    def get(self, key: str) -> Any:
        value = self._values.get(key, _UNREAD)
        if value is _UNREAD:
            if self._allowed is not None and not _declared(self._allowed, key):
                raise ThresholdError(f"{self._owner} reads threshold {key!r} without declaring it")
            value = self._values[key] = lookup(self._data, key)
        return value

    def __contains__(self, key: str) -> bool:
        try:
            lookup(self._data, key)
        except ThresholdError:
            return False
        return True

    def int(self, key: str) -> int:
        value = self._values.get(key, _UNREAD)  # read on every request: the remembered value, without a call
        if value is _UNREAD:
            value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ThresholdError(f"threshold {key!r} must be a whole number, not {value!r}")
        return value

    def bool(self, key: str) -> bool:
        value = self._values.get(key, _UNREAD)  # read on every request: the remembered value, without a call
        if value is _UNREAD:
            value = self.get(key)
        if not isinstance(value, bool):
            raise ThresholdError(f"threshold {key!r} must be true or false, not {value!r}")
        return value

    def str(self, key: str) -> str:
        value = self._values.get(key, _UNREAD)  # read on every request: the remembered value, without a call
        if value is _UNREAD:
            value = self.get(key)
        if not isinstance(value, str):
            raise ThresholdError(f"threshold {key!r} must be text, not {value!r}")
        return value

    # from here on `str` and `int` in annotations would name the methods above: builtins.str/int
    def list(self, key: builtins.str) -> list:
        value = self._values.get(key, _UNREAD)  # read on every request: the remembered value, without a call
        if value is _UNREAD:
            value = self.get(key)
        if not isinstance(value, list):
            raise ThresholdError(f"threshold {key!r} must be a list, not {value!r}")
        return value

    def date(self, key: builtins.str) -> dt.date:
        value = self.get(key)
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ThresholdError(f"threshold {key!r} must be a date YYYY-MM-DD, not {value!r}") from None

    def month_day(self, key: builtins.str) -> tuple[builtins.int, builtins.int]:
        """A yearly recurring day written "MM-DD" (e.g. "03-31")."""
        value = str(self.get(key))
        match = _MONTH_DAY.match(value)
        if not match:
            raise ThresholdError(f"threshold {key!r} must be a day MM-DD, not {value!r}")
        month, day = int(match[1]), int(match[2])
        try:
            dt.date(2000, month, day)  # a leap year admits 02-29
        except ValueError:
            raise ThresholdError(f"threshold {key!r} is not a day of the year: {value!r}") from None
        return month, day

    def day_in_year(self, key: builtins.str, year: builtins.int) -> dt.date:
        """The yearly day at `key` ("MM-DD") in `year`: a yearly deadline in the submission's year."""
        month, day = self.month_day(key)
        return dt.date(year, month, day)

    def ratio(self, key: builtins.str) -> Fraction:
        """An exact share: 0.7, "70%", "1/3"."""
        ratio = self._ratios.get(key)
        if ratio is None:
            ratio = self._ratios[key] = parse_ratio(self.get(key), key)
        return ratio


def parse_ratio(value: Any, key: str = "") -> Fraction:
    """An exact share from 0.7, "70%" or "1/3" (Fractions are immutable: a parsed one is reused)."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        cache_key = (type(value), value)  # 1 == 1.0 == True: the type keeps them apart
        ratio = _ratio_cache.get(cache_key)
        if ratio is None:
            ratio = _parse_ratio(value, key)
            if len(_ratio_cache) < _CACHE_LIMIT:
                _ratio_cache[cache_key] = ratio
        return ratio
    return _parse_ratio(value, key)


def _parse_ratio(value: Any, key: str) -> Fraction:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str) and value.strip().endswith("%"):
            return Fraction(value.strip()[:-1]) / 100
        # str() first so that 0.7 becomes exactly 7/10, not the float's binary value
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ThresholdError(f"threshold {key!r} must be a share (0.7, 70% or 7/10), not {value!r}") from None
