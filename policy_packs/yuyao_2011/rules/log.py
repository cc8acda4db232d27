"""The measurement the mid-term review rule of 余创先办发〔2011〕3号 三、5 (rules.yaml) compares: how many
mid-term reviews a whole year's ledger holds inside the mid-year window.

Counted here, not compared item by item in rules.yaml: "no review inside the window" over a list of
any length is a negation over its items, which the engine would need 2^n alternatives to express.
"""

from policyhub.rules import Context, derive
from policyhub.rules.periods import day, in_window, period


def whole_year(log: dict) -> bool:
    start, end = period(log)  # whether the ledger covers the whole year needs its period: refused without
    return (start.month, start.day) == (1, 1) and end == start.replace(month=12, day=31)


@derive("log", uses=("log.mid_year_window",))
def mid_year_reviews(log: dict, ctx: Context):
    if not whole_year(log):
        return  # only a ledger of the whole year must show the mid-term review
    window = ctx.thresholds.get("log.mid_year_window")
    first = ctx.thresholds.month_day("log.mid_year_window.from")
    last = ctx.thresholds.month_day("log.mid_year_window.to")
    held = [d for meeting in log.get("meetings", [])
            if meeting.get("type") == "mid_year_review" and (d := day(meeting.get("date"))) is not None]
    yield {"type": "mid_year_reviews", "path": "log.meetings", "window": f"{window['from']}…{window['to']}",
           "held_on": [d.isoformat() for d in held],  # every mid-term review's day, for the trace
           "in_window": sum(1 for d in held if in_window(d, first, last))}
