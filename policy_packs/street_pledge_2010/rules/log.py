"""The measurement the half-yearly review rule of the street's “我是党员我承诺” activity (rules.yaml;
三、6: 半年一小结) compares: the complete reviews in each whole half-year of the ledger's period."""

from __future__ import annotations

from policyhub.rules import Context, derive
from policyhub.rules.periods import iter_dated, month_of, period, span_label, whole_spans
from policyhub.rules.procedure import lacking_segments
from policyhub.rules import AGENDA_SEGMENTS

HALF_YEAR = 6  # months, for periods.whole_spans
REVIEW = "log.half_year_review"


@derive("log", uses=(REVIEW,))
def half_year_reviews(log: dict, ctx: Context):
    """Per whole half-year: reviews with both the leaders' comments and the public evaluation, and what
    the nearest attempt lacked (for the message)."""
    start, end = period(log)  # half-years are counted: a ledger without its period is refused
    types = ctx.thresholds.list(f"{REVIEW}.types")
    segments = ctx.thresholds.list(f"{REVIEW}.segments")
    for span in whole_spans(start, end, HALF_YEAR):
        attempts = [lacking_segments(meeting, segments) for meeting, when in iter_dated(log.get("meetings", []))
                    if meeting.get("type") in types and month_of(when) in span]
        lacks = min(attempts, key=len) if attempts else []
        yield {"type": "review_half_year", "path": "log.meetings", "half_year": span_label(span),
               "reviews": sum(1 for lacking in attempts if not lacking),
               "missing": "、".join(AGENDA_SEGMENTS[s][0] for s in lacks) if lacks else "未组织点评评议",
               "missing_en": ", ".join(lacks) if lacks else "no review held"}
