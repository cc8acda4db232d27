"""Ledger rules of the 2025 “三双”“四双” activity: the three systems (二、3), self-inspection (三、1)
and the loss of award eligibility (三、2).

The findings are plain functions, so that `disqualification` recomputes them itself instead of
depending on which rules fired before it.
"""

from __future__ import annotations

import datetime as dt

from policyhub.rules import Context, Rule, Thresholds, derive, fact, m
from policyhub.rules.periods import (
    Month, iter_dated, period, month_of, month_text, span_label, whole_months, whole_spans,
)
from policyhub.rules.procedure import missing_segments
from policyhub.rules import AGENDA_SEGMENTS

MONTHLY = "log.monthly_study"
QUARTERLY = "log.quarterly_special"
SELF_INSPECTION = "log.self_inspection"
QUARTER, HALF_YEAR = 3, 6  # months per calendar span, for periods.whole_spans
LOG_KEYS = (MONTHLY, QUARTERLY, SELF_INSPECTION)


def period_of(log: dict) -> tuple[dt.date, dt.date]:
    return period(log)  # months, quarters and half-years are counted: a ledger without its period is refused


def lacking(meeting: dict, t: Thresholds, requirement: str) -> list[str]:
    """The required segments a meeting lacks."""
    return [f["segment"] for f in missing_segments(meeting, t.list(f"{requirement}.segments"))]


def held_months(log: dict, t: Thresholds, requirement: str) -> set[Month]:
    """Months with a meeting of the requirement's types that has all its segments."""
    types = t.list(f"{requirement}.types")
    return {
        month_of(when)
        for meeting, when in iter_dated(log.get("meetings", []))
        if meeting.get("type") in types and not lacking(meeting, t, requirement)
    }


def months_without_study(log: dict, t: Thresholds) -> list[Month]:
    period = period_of(log)
    if not period:
        return []
    held = held_months(log, t, MONTHLY)
    return [month for month in whole_months(*period) if month not in held]


def quarters_without_special(log: dict, t: Thresholds) -> list[tuple[Month, ...]]:
    period = period_of(log)
    if not period:
        return []
    held = held_months(log, t, QUARTERLY)
    return [span for span in whole_spans(*period, QUARTER) if not held.intersection(span)]


def half_years_without_inspection(log: dict, t: Thresholds) -> list[tuple[tuple[Month, ...], list[str]]]:
    """Half-years whose closing month (June, December) the ledger covers whole, yet no complete
    self-inspection was held in them; with the segments the nearest attempt lacked."""
    period = period_of(log)
    if not period:
        return []
    covered = set(whole_months(*period))
    types = t.list(f"{SELF_INSPECTION}.types")
    found = []
    for year in range(period[0].year, period[1].year + 1):
        for span in whole_spans(dt.date(year, 1, 1), dt.date(year, 12, 31), HALF_YEAR):
            if span[-1] not in covered:
                continue
            attempts = [
                lacking(meeting, t, SELF_INSPECTION)
                for meeting, when in iter_dated(log.get("meetings", []))
                if meeting.get("type") in types and month_of(when) in span
            ]
            if not attempts:
                found.append((span, []))
            elif all(attempts):
                found.append((span, min(attempts, key=len)))
    return found


def flag_failed(log: dict, key: str, t: Thresholds) -> bool:
    """records_complete / affairs_published explicitly false (or unstated, if so configured)."""
    if key in log:
        return log[key] is not True
    return t.bool("disqualification.unstated_counts_as_failure")


@derive("log", uses=(MONTHLY,))
def monthly_study(log: dict, ctx: Context):
    for month in months_without_study(log, ctx.thresholds):
        yield fact("month_without_study", path="log.meetings", month=month_text(month))


@derive("log", uses=(QUARTERLY,))
def quarterly_special(log: dict, ctx: Context):
    for span in quarters_without_special(log, ctx.thresholds):
        yield fact("quarter_without_special", path="log.meetings", quarter=span_label(span))


@derive("log", uses=(SELF_INSPECTION,))
def self_inspection(log: dict, ctx: Context):
    for span, lacks in half_years_without_inspection(log, ctx.thresholds):
        missing_zh = "、".join(AGENDA_SEGMENTS[s][0] for s in lacks) if lacks else "未开展自查"
        missing_en = ", ".join(lacks) if lacks else "no self-inspection held"
        yield fact("half_year_without_inspection", path="log.meetings", half_year=span_label(span),
                   missing=missing_zh, missing_en=missing_en)


@derive("log", uses=LOG_KEYS + ("disqualification.unstated_counts_as_failure",))
def disqualification(log: dict, ctx: Context):
    t = ctx.thresholds
    reasons = []
    if months_without_study(log, t) or quarters_without_special(log, t) or half_years_without_inspection(log, t):
        reasons.append("activity_not_carried_out")  # 活动落实不到位: the ledger's own errors
    if flag_failed(log, "records_complete", t):
        reasons.append("records_incomplete")  # 资料不齐全
    if flag_failed(log, "affairs_published", t):
        reasons.append("affairs_not_published")  # 党务村（居）务不公开
    org = log.get("org", {})
    yield fact("award_eligibility", path="log", subject_id=org.get("id") or org.get("name", ""),
               reasons=reasons, disqualified=bool(reasons))


MONTHLY_STUDY = Rule(
    id="sanshuang_2025.log.monthly-study",
    clause="二、3",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "month_without_study",
    message={
        "zh": "{month}没有组织党员汇报履诺情况的每月学习例会",
        "en": "{month} has no monthly study meeting at which members report on their pledges",
    },
)

QUARTERLY_SPECIAL = Rule(
    id="sanshuang_2025.log.quarterly-special",
    clause="二、3",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "quarter_without_special",
    message={
        "zh": "{quarter}没有召开听取活动开展情况的专题会议（每季度至少一次）",
        "en": "{quarter} has no special meeting on the activity (at least one a quarter)",
    },
)

SELF_INSPECTION_RULE = Rule(
    id="sanshuang_2025.log.self-inspection",
    clause="三、1",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "half_year_without_inspection",
    message={
        "zh": "{half_year}没有完整的半年（年终）自查：{missing}",
        "en": "{half_year} has no complete half-year (year-end) self-inspection: {missing_en}",
    },
)

DISQUALIFICATION = Rule(
    id="sanshuang_2025.log.disqualification",
    clause="三、2",
    kinds=("log",),
    consequences=("disqualified_from_awards",),
    when=lambda t: (m.type == "award_eligibility") & (m.disqualified == True),  # noqa: E712
)
