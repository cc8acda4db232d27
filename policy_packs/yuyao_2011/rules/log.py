"""The mid-term review of pledges in an organization's ledger, 余创先办发〔2011〕3号 三、5."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day, in_window, period


def whole_year(log: dict) -> bool:
    start, end = period(log)  # whether the ledger covers the whole year needs its period: refused without
    return (start.month, start.day) == (1, 1) and end == start.replace(month=12, day=31)


@derive("log", uses=("log.mid_year_window",))
def mid_year_review(log: dict, ctx: Context):
    if not whole_year(log):
        return  # only a ledger of the whole year must show the mid-term review
    window = ctx.thresholds.get("log.mid_year_window")
    first = ctx.thresholds.month_day("log.mid_year_window.from")
    last = ctx.thresholds.month_day("log.mid_year_window.to")
    held = any(
        meeting.get("type") == "mid_year_review" and (d := day(meeting.get("date"))) and in_window(d, first, last)
        for meeting in log.get("meetings", [])
    )
    yield fact("mid_year_review", path="log.meetings", held=held, window=f"{window['from']}…{window['to']}")


MID_YEAR_REVIEW = Rule(
    id="yuyao_2011.log.mid-year-review",
    clause="三、5",
    kinds=("log",),
    severity="error",
    when=lambda t: (m.type == "mid_year_review") & (m.held == False),  # noqa: E712
    message={
        "zh": "全年台账中没有年中（{window}）的中期评估",
        "en": "The year's ledger has no mid-term review in mid-year ({window})",
    },
)
