"""The measurement the theme party day rule of 鄰鄂委發〔2022〕29號 三 (rules.yaml) compares: how often
each required segment is recorded, in a meeting record or in each theme day of a ledger."""

from policyhub.rules import AGENDA_SEGMENTS, Context, derive, label
from policyhub.rules.procedure import meetings_of


@derive("meeting", "log", uses=("meeting.theme_day_segments",))
def theme_day_segments(submission: dict, ctx: Context):
    required = ctx.thresholds.list("meeting.theme_day_segments")
    for meeting, path in meetings_of(submission, ctx.kind, "theme_party_day"):
        segments = list(meeting.get("segments", []))
        for segment in required:
            name = label(AGENDA_SEGMENTS, segment)
            yield {"type": "theme_day_segment", "path": f"{path}.segments", "segment": segment,
                   "recorded": segments.count(segment), "date": meeting.get("date", ""),
                   "segment_zh": name["zh"], "segment_en": name["en"]}
