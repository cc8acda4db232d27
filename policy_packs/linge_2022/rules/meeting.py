"""The theme party day, 鄰鄂委發〔2022〕29號 三: a meeting record, or each one in a ledger."""

from policyhub.rules import Context, Rule, derive, m
from policyhub.rules.procedure import meetings_of, missing_segments
from policyhub.rules import AGENDA_SEGMENTS, label


@derive("meeting", "log", uses=("meeting.theme_day_segments",))
def theme_day_segments(submission: dict, ctx: Context):
    required = ctx.thresholds.list("meeting.theme_day_segments")
    for meeting, path in meetings_of(submission, ctx.kind, "theme_party_day"):
        for missing in missing_segments(meeting, required, path):
            name = label(AGENDA_SEGMENTS, missing["segment"])
            yield {**missing, "date": meeting.get("date", ""),
                   "segment_zh": name["zh"], "segment_en": name["en"]}


THEME_DAY_REPORTS = Rule(
    id="linge_2022.meeting.theme-day-reports",
    clause="三",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "missing_segment",
    message={
        "zh": "{date}的支部主题党日缺少“{segment_zh}”环节",
        "en": "The theme party day of {date} lacks the segment “{segment_en}”",
    },
)
