"""The half-yearly review of the street's “我是党员我承诺” activity (三、6: 半年一小结)."""

from __future__ import annotations

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import iter_dated, period, month_of, span_label, whole_spans
from policyhub.rules.procedure import missing_segments
from policyhub.rules import AGENDA_SEGMENTS

HALF_YEAR = 6  # months, for periods.whole_spans
REVIEW = "log.half_year_review"


@derive("log", uses=(REVIEW,))
def half_year_review(log: dict, ctx: Context):
    start, end = period(log)  # half-years are counted: a ledger without its period is refused
    types = ctx.thresholds.list(f"{REVIEW}.types")
    segments = ctx.thresholds.list(f"{REVIEW}.segments")
    for span in whole_spans(start, end, HALF_YEAR):
        attempts = [
            [f["segment"] for f in missing_segments(meeting, segments)]
            for meeting, when in iter_dated(log.get("meetings", []))
            if meeting.get("type") in types and month_of(when) in span
        ]
        if attempts and not all(attempts):
            continue  # one review had both the leaders' comments and the public evaluation
        lacks = min(attempts, key=len) if attempts else []
        yield fact("half_year_without_review", path="log.meetings", half_year=span_label(span),
                   missing="、".join(AGENDA_SEGMENTS[s][0] for s in lacks) if lacks else "未组织点评评议",
                   missing_en=", ".join(lacks) if lacks else "no review held")


HALF_YEAR_REVIEW = Rule(
    id="street_pledge_2010.log.half-year-review",
    clause="三、6",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "half_year_without_review",
    message={
        "zh": "{half_year}没有对落实承诺情况进行领导点评（评议讨论）和群众评议（民主测评）：{missing}",
        "en": "{half_year} has no review of the pledges with leaders' comments (discussion) and public evaluation (democratic evaluation): {missing_en}",
    },
)
