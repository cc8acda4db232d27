"""Calendar helpers for ledgers: which months, quarters and half-years a period covers whole."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Iterable, Iterator

from ..domain.errors import InvalidArgument
from ..domain.validation import parse_date

Month = tuple[int, int]  # (year, month)


def day(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD string as a date; None for absent or invalid text."""
    return parse_date(text) if text else None


def month_of(date: dt.date) -> Month:
    return (date.year, date.month)


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _next_month(month: Month) -> Month:
    year, m = month
    return (year + 1, 1) if m == 12 else (year, m + 1)


def _last_day(month: Month) -> dt.date:
    # monthrange, not "the first of next month minus a day": December 9999 has no next month
    return dt.date(month[0], month[1], calendar.monthrange(*month)[1])


# A period's whole months and spans, kept by the period: several measures of one ledger ask for
# them, and ledgers of one year share their period. Dates only; bounded (cleared when full), and a
# period of more than ten years is worked out every time rather than kept.
_KEPT: dict[tuple, tuple] = {}
_KEPT_MOST, _KEPT_MONTHS = 1024, 120


def _keep(key: tuple, value: tuple) -> tuple:
    if len(value) <= _KEPT_MONTHS:
        if len(_KEPT) >= _KEPT_MOST:
            _KEPT.clear()
        _KEPT[key] = value
    return value


def whole_months(start: dt.date, end: dt.date) -> list[Month]:
    """The months that lie entirely within start..end (both inclusive).

    Months are compared as (year, month) pairs, so no date past the calendar's end (9999-12-31) is made.
    """
    found = _KEPT.get((start, end))
    return list(found if found is not None else _keep((start, end), _whole_months(start, end)))


def _whole_months(start: dt.date, end: dt.date) -> tuple[Month, ...]:
    months = []
    current, last = month_of(start), month_of(end)
    while current <= last:
        if dt.date(*current, 1) >= start and _last_day(current) <= end:
            months.append(current)
        current = _next_month(current)
    return tuple(months)


def period(log: dict, path: str = "log.period") -> tuple[dt.date, dt.date]:
    """The ledger's period (start, end), for a rule that counts its months, quarters or half-years.

    A ledger without one cannot be checked month by month: it is refused naming the missing end,
    never answered "compliant". (An end before the start is refused for every ledger by validation.)
    """
    given = log.get("period") or {}
    start, end = day(given.get("start")), day(given.get("end"))
    missing = [(f"{path}.{key}", "required: this pack checks the ledger month by month over its period")
               for key, value in (("start", start), ("end", end)) if value is None]
    if missing:
        raise InvalidArgument(missing)
    assert start is not None and end is not None
    if end < start:  # validation refuses it first; kept so the helper holds on its own
        raise InvalidArgument([(f"{path}.end", f"before the period's start {start.isoformat()}")])
    return start, end


def whole_spans(start: dt.date, end: dt.date, months_per_span: int) -> list[tuple[Month, ...]]:
    """Whole calendar quarters (3) or half-years (6) within start..end, as tuples of months."""
    key = (start, end, months_per_span)
    found = _KEPT.get(key)
    if found is None:
        months = set(whole_months(start, end))
        spans = []
        for year in range(start.year, end.year + 1):
            for first in range(1, 13, months_per_span):
                span = tuple((year, m) for m in range(first, first + months_per_span))
                if all(m in months for m in span):
                    spans.append(span)
        found = _keep(key, tuple(spans))
    return list(found)


def span_label(span: tuple[Month, ...]) -> str:
    """2022-Q3 for a quarter, 2022-H2 for a half-year, else first..last month."""
    year, first = span[0]
    if len(span) == 3:
        return f"{year}-Q{(first - 1) // 3 + 1}"
    if len(span) == 6:
        return f"{year}-H{(first - 1) // 6 + 1}"
    return f"{month_text(span[0])}..{month_text(span[-1])}"


def in_window(date: dt.date, first: tuple[int, int], last: tuple[int, int]) -> bool:
    """Whether date falls within the yearly window first..last, given as (month, day)."""
    return first <= (date.month, date.day) <= last


def iter_dated(items: Iterable[dict], key: str = "date") -> Iterator[tuple[dict, dt.date]]:
    """Items whose `key` is a valid date, with that date."""
    for item in items:
        text = item.get(key)
        if text:  # day() written out: a ledger's activities are hundreds
            when = parse_date(text)
            if when is not None:
                yield item, when
