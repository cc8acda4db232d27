"""The measurements the ledger rules of the 2025 “三双”“四双” activity (rules.yaml; the three systems
二、3, self-inspection 三、1, award eligibility 三、2) compare: how many qualifying meetings each whole
month, quarter and half-year of the ledger's period has, and the ledger's own flags. No verdicts.

The month, quarter and half-year counts are plain functions, so that `award_eligibility` counts
the gaps itself instead of depending on which rules fired before it.
"""

from __future__ import annotations

import datetime as dt

from policyhub.rules import Context, Thresholds, derive
from policyhub.rules.periods import Month, iter_dated, month_of, month_text, period, span_label, whole_months, whole_spans
from policyhub.rules.procedure import lacking_segments
from policyhub.rules import AGENDA_SEGMENTS

MONTHLY = "log.monthly_study"
QUARTERLY = "log.quarterly_special"
SELF_INSPECTION = "log.self_inspection"
QUARTER, HALF_YEAR = 3, 6  # months per calendar span, for periods.whole_spans
LOG_KEYS = (MONTHLY, QUARTERLY, SELF_INSPECTION)


def lacking(meeting: dict, t: Thresholds, requirement: str) -> list[str]:
    """The required segments a meeting lacks."""
    return lacking_segments(meeting, t.list(f"{requirement}.segments"))


def complete_meetings(log: dict, t: Thresholds, requirement: str) -> list[Month]:
    """The month of each dated meeting of the requirement's types that has all its segments."""
    types = t.list(f"{requirement}.types")
    return [month_of(when) for meeting, when in iter_dated(log.get("meetings", []))
            if meeting.get("type") in types and not lacking(meeting, t, requirement)]


def study_months(log: dict, t: Thresholds) -> list[tuple[Month, int]]:
    """二、3: each whole month of the period, with its complete study meetings."""
    held = complete_meetings(log, t, MONTHLY)
    return [(month, held.count(month)) for month in whole_months(*period(log))]


def special_quarters(log: dict, t: Thresholds) -> list[tuple[tuple[Month, ...], int]]:
    """二、3: each whole calendar quarter of the period, with its special meetings."""
    held = complete_meetings(log, t, QUARTERLY)
    return [(span, sum(held.count(month) for month in span)) for span in whole_spans(*period(log), QUARTER)]


def inspection_half_years(log: dict, t: Thresholds) -> list[tuple[tuple[Month, ...], int, list[str] | None]]:
    """三、1: each half-year whose closing month (June, December) the period covers whole, with its
    complete self-inspections and the segments the nearest attempt lacked (None: no attempt)."""
    start, end = period(log)  # a ledger without its period is refused
    covered = set(whole_months(start, end))
    types = t.list(f"{SELF_INSPECTION}.types")
    found = []
    for year in range(start.year, end.year + 1):
        for span in whole_spans(dt.date(year, 1, 1), dt.date(year, 12, 31), HALF_YEAR):
            if span[-1] not in covered:
                continue
            attempts = [lacking(meeting, t, SELF_INSPECTION)
                        for meeting, when in iter_dated(log.get("meetings", []))
                        if meeting.get("type") in types and month_of(when) in span]
            found.append((span, sum(1 for lacks in attempts if not lacks),
                          min(attempts, key=len) if attempts else None))
    return found


@derive("log", uses=(MONTHLY,))
def monthly_study(log: dict, ctx: Context):
    for month, meetings in study_months(log, ctx.thresholds):
        yield {"type": "study_month", "path": "log.meetings", "month": month_text(month), "meetings": meetings}


@derive("log", uses=(QUARTERLY,))
def quarterly_special(log: dict, ctx: Context):
    for span, meetings in special_quarters(log, ctx.thresholds):
        yield {"type": "special_quarter", "path": "log.meetings", "quarter": span_label(span), "meetings": meetings}


@derive("log", uses=(SELF_INSPECTION,))
def self_inspection(log: dict, ctx: Context):
    for span, complete, lacks in inspection_half_years(log, ctx.thresholds):
        yield {"type": "inspection_half_year", "path": "log.meetings", "half_year": span_label(span),
               "inspections": complete,
               "missing": "、".join(AGENDA_SEGMENTS[s][0] for s in lacks) if lacks else "未开展自查",
               "missing_en": ", ".join(lacks) if lacks else "no self-inspection held"}


@derive("log", uses=LOG_KEYS)
def award_eligibility(log: dict, ctx: Context):
    """三、2: how many months, quarters and half-years lack their activity, and the ledger's flags
    (absent when the ledger does not state them)."""
    t = ctx.thresholds
    gaps = (sum(1 for _, n in study_months(log, t) if n < 1) + sum(1 for _, n in special_quarters(log, t) if n < 1)
            + sum(1 for _, n, _ in inspection_half_years(log, t) if n < 1))
    org = log.get("org", {})
    fact = {"type": "award_eligibility", "path": "log", "subject_id": org.get("id") or org.get("name", ""),
            "activity_gaps": gaps}
    for key in ("records_complete", "affairs_published"):
        if key in log:
            fact[key] = log[key] is True
    yield fact
