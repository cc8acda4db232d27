"""Year-end evaluation and ledger rules of 余创先办发〔2011〕3号 三、5."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day, in_window

YEAR_END_ROUNDS = ("self", "peer", "org", "masses")


@derive("ballot")
def year_end_rounds(ballot: dict, ctx: Context):
    if ballot.get("purpose") != "evaluation":
        return
    present = {r.get("name") for r in ballot.get("rounds", [])}
    for name in YEAR_END_ROUNDS:
        if name not in present:
            yield fact("year_end_round_missing", path="ballot.rounds", round=name)


@derive("log", uses=("log.mid_year_window",))
def mid_year_review(log: dict, ctx: Context):
    period = log.get("period", {})
    start, end = day(period.get("start")), day(period.get("end"))
    if not (start and end and start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31):
        return  # only a ledger of the whole year must show the mid-term review
    window = ctx.thresholds.get("log.mid_year_window")
    first = ctx.thresholds.month_day("log.mid_year_window.from")
    last = ctx.thresholds.month_day("log.mid_year_window.to")
    held = any(
        meeting.get("type") == "mid_year_review" and (d := day(meeting.get("date"))) and in_window(d, first, last)
        for meeting in log.get("meetings", [])
    )
    yield fact("mid_year_review", path="log.meetings", held=held, window=f"{window['from']}…{window['to']}")


YEAR_END_COMPONENTS = Rule(
    id="yuyao_2011.ballot.year-end-components",
    clause="三、5",
    kinds=("ballot",),
    severity="error",
    when=lambda t: m.type == "year_end_round_missing",
    message={
        "zh": "年终考评缺少“{round}”环节（个人自评、党员互评、党组织考评、群众参评）",
        "en": "The year-end evaluation lacks the “{round}” round (self, peer, organization, masses)",
    },
)

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
