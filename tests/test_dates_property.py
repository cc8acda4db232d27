"""Every date a request can carry gives a decision or INVALID_ARGUMENT, never INTERNAL (issue 14, item 7).

A ledger reaching December 9999 once got INTERNAL from month arithmetic ("year 10000 is out of
range"). Here hypothesis draws dates from the whole calendar (0001-01-01 … 9999-12-31, its edges
drawn often) into every date field of each kind of submission, and runs them through every
bundled pack's derive functions and rules, in process.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import InvalidArgument
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry

FIRST, LAST = dt.date.min, dt.date.max  # 0001-01-01, 9999-12-31: what YYYY-MM-DD can say
EDGES = [FIRST, dt.date(1, 1, 31), dt.date(1, 12, 31), dt.date(1899, 12, 31), dt.date(2000, 2, 29),
         dt.date(9998, 12, 31), dt.date(9999, 1, 1), dt.date(9999, 6, 30), dt.date(9999, 12, 1), LAST]
DAYS = st.one_of(st.sampled_from(EDGES), st.dates(min_value=FIRST, max_value=LAST))
YEARS = st.integers(1900, 2200)  # the vocabulary's year fields (validation.YEAR_RANGE)

_registry = PackRegistry.discover()
_evaluator = Evaluator(_registry, observed=False)
PACK_KINDS = [(pack.id, kind) for pack in _registry.packs() for kind in pack.kinds]


def iso(day: dt.date) -> str:
    return day.isoformat()


@st.composite
def periods(draw) -> dict:
    start = draw(DAYS)
    if draw(st.booleans()):  # a near end, clipped to the calendar's last day
        end = dt.date.fromordinal(min(start.toordinal() + draw(st.integers(0, 800)), LAST.toordinal()))
    else:  # anywhere: before the start, or centuries on (both refused)
        end = draw(DAYS)
    return {"start": iso(start), "end": iso(end)}


@st.composite
def submissions(draw, kind: str) -> dict:
    d = lambda: iso(draw(DAYS))  # noqa: E731 - a fresh date per field
    if kind == "pledge":
        return {
            **({"year": draw(YEARS)} if draw(st.booleans()) else {}),
            "pledger": draw(st.sampled_from(["member", "organization"])),
            "member": {"name": "张三", "roles": ["two_committees", "leader_cadre"]},
            "organization": {"name": "某村党支部", "type": "village"},
            "items": [{"category": c, "text": "每月走访困难户不少于四户并记录在册", "due": d()}
                      for c in ("service", "integrity", "residence", "political")],
            "signed_at": d(), "submitted_at": d(), "published_at": d(),
            "reviews": [{"level": lv, "approved": True, "at": d(), "seal": True}
                        for lv in ("superior", "street", "town", "district")],
            "publication_channels": ["bulletin_board"],
        }
    if kind == "meeting":
        return {"type": draw(st.sampled_from(["review_meeting", "theme_party_day", "mobilization"])),
                "date": d(), "extra": {"level": "village"},
                "rectification": {"published": True, "items": [{"content": "a", "measures": "b", "deadline": d()}]}}
    if kind == "log":
        return {"period": draw(periods()),
                "meetings": [{"type": t, "date": d(), "segments": ["grid_reports", "discussion"]}
                             for t in ("theme_party_day", "branch_committee", "monthly_study", "mid_year_review",
                                       "mobilization", "self_inspection")],
                "activities": [{"member_id": "M-1", "date": d(), "photos": 1}],
                "members": [{"id": "M-1"}],
                "rectification_ledger": [{"issue": "x", "owner": "y", "deadline": d()}],
                "records_complete": True, "affairs_published": True}
    month = draw(DAYS)
    return {"purpose": "evaluation", **({"year": draw(YEARS)} if draw(st.booleans()) else {}),
            "subject": {"id": "M-1", "role": "two_committees"},
            "rounds": [{"name": "village", "month": f"{month.year:04d}-{month.month:02d}", "cast": 10,
                        "tallies": {}}],
            "history": [{"year": draw(YEARS), "grade": "unqualified"}]}


def outcome(pack: str, kind: str, submission: dict, date: str | None) -> str:
    """DECISION or INVALID_ARGUMENT; anything else (INTERNAL, an exception) fails the test."""
    request = {"pack": pack, kind: submission, **({"date": date} if date else {})}
    try:
        _evaluator.evaluate(request_from_dict(request))
    except InvalidArgument:
        return "INVALID_ARGUMENT"
    return "DECISION"


@pytest.mark.parametrize("pack, kind", PACK_KINDS)
@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_date_gives_a_decision_or_invalid_argument(pack, kind, data):
    submission = data.draw(submissions(kind))
    date = data.draw(st.one_of(st.none(), DAYS.map(iso)))
    assert outcome(pack, kind, submission, date) in ("DECISION", "INVALID_ARGUMENT")


@pytest.mark.parametrize("pack, kind", PACK_KINDS)
@pytest.mark.parametrize("edge", [FIRST, LAST])
def test_the_calendars_ends_give_decisions(pack, kind, edge):
    """A well-formed request dated at either end of the calendar is decided, not refused."""
    first_of_month = edge.replace(day=1)
    d = iso(edge)
    submissions = {
        "pledge": {"pledger": "member", "member": {"name": "张三"}, "signed_at": d, "submitted_at": d,
                   "published_at": d, "reviews": [{"level": "superior", "approved": True, "at": d}]},
        "meeting": {"type": "review_meeting", "date": d, "extra": {"level": "village"},
                    "rectification": {"published": True, "items": [{"content": "a", "measures": "b", "deadline": d}]}},
        "log": {"period": {"start": iso(first_of_month), "end": iso(first_of_month.replace(day=28))},
                "meetings": [{"type": "theme_party_day", "date": d}], "members": [{"id": "M-1"}]},
        "ballot": {"purpose": "evaluation", "year": 2010, "subject": {"id": "M-1", "role": "two_committees"},
                   "rounds": [{"name": "village", "month": d[:7], "cast": 1, "tallies": {}}]},
    }
    if edge == LAST and kind == "log":  # the whole of December 9999: the month arithmetic's edge
        submissions["log"]["period"] = {"start": "9999-01-01", "end": "9999-12-31"}
    assert outcome(pack, kind, submissions[kind], d) == "DECISION"


@example(start="9999-12-01", end="9999-12-31")
@example(start="0001-01-01", end="0001-12-31")
@settings(derandomize=True, database=None, max_examples=200)
@given(start=DAYS.map(iso), end=DAYS.map(iso))
def test_whole_months_never_leave_the_calendar(start, end):
    from policyhub.rules.periods import whole_months, whole_spans

    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if (b - a).days > 3 * 366:
        b = dt.date.fromordinal(a.toordinal() + 3 * 366)  # keep the lists short; the edges are what matter
    months = whole_months(a, b)
    assert all(dt.date(y, m, 1) >= a for y, m in months)
    assert months == sorted(set(months))
    for span in (3, 6):
        assert all(len(s) == span for s in whole_spans(a, b, span))


@settings(derandomize=True, database=None, max_examples=200)
@given(start=DAYS.map(iso), days=st.integers(0, 4 * 366))
def test_whole_months_and_spans_kept_by_period_are_worked_out_anew(start, days):
    """whole_months and whole_spans keep their answers by period (several measures of a ledger ask):
    each answer is the one worked out afresh, by hand here, and a fresh list the caller may change."""
    from policyhub.rules import periods

    a = dt.date.fromisoformat(start)
    b = dt.date.fromordinal(min(a.toordinal() + days, dt.date.max.toordinal()))
    by_hand = [(d.year, d.month) for d in (dt.date.fromordinal(o) for o in range(a.toordinal(), b.toordinal() + 1))
               if d.day == 1 and (d + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1) <= b] \
        if b < dt.date(9999, 12, 1) else None
    for _ in range(2):  # the second answer is the kept one
        months = periods.whole_months(a, b)
        if by_hand is not None:
            assert months == by_hand
        months.append((0, 0))  # the caller's list: the next answer is not changed by it
        for span in (3, 6):
            spans = periods.whole_spans(a, b, span)
            assert spans == [tuple(months[i:i + span]) for i in range(len(months) - 1)
                             if months[i][1] % span == 1 and months[i:i + span] == [
                                 (months[i][0], m) for m in range(months[i][1], months[i][1] + span)]]
            spans.append(())
