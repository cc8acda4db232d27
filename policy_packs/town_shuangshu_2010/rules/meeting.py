"""The measurements of the village review meeting (村述村评, 五、1) its rules (rules.yaml) compare."""

from policyhub.rules import Context, derive, extra
from policyhub.rules.extra import code, flag
from policyhub.rules.procedure import meetings_of
from policyhub.rules import CHAIR_ROLES, ORGANIZATION_TYPES, label


def village_meetings(submission: dict, ctx: Context):
    """Review meetings held in a village; one without `extra.level` counts as one (interpretation)."""
    default = ctx.thresholds.str("meeting.default_level")
    for meeting, path in meetings_of(submission, ctx.kind, "review_meeting"):
        # the level is an organization level (村, 乡镇 ...): any other text is refused, not read as "not village"
        if (code(meeting, "level", path, ORGANIZATION_TYPES) or default) == "village":
            yield meeting, path


@derive("meeting", uses=("meeting.default_level", "meeting.village_attendance"))
def village_attendance(meeting: dict, ctx: Context):
    """How many came of each kind the plan invites (an `extra.` kind is counted in `extra`)."""
    for record, path in village_meetings(meeting, ctx):
        for kind in ctx.thresholds.list("meeting.village_attendance"):
            if kind.startswith("extra."):
                # a head count in extra: a whole number (the string "7" or 2.5 is refused, not read as nobody)
                count, where = extra.count(record, kind[len("extra."):], path) or 0, f"{path}.{kind}"
            else:
                count, where = (record.get("attendance") or {}).get(kind, 0), f"{path}.attendance.{kind}"
            yield {"type": "village_attendance", "path": where, "kind": kind, "count": count}


@derive("meeting", uses=("meeting.default_level",))
def village_chair(meeting: dict, ctx: Context):
    for record, path in village_meetings(meeting, ctx):
        role = record.get("chair_role", "")
        name = label(CHAIR_ROLES, role) if role else {"zh": "未填写", "en": "none recorded"}
        yield {"type": "village_chair", "path": f"{path}.chair_role", "chair_role": role,
               "chair_zh": name["zh"], "chair_en": name["en"]}


@derive("meeting", uses=("meeting.default_level", "meeting.pledge_report_segments"))
def village_segments(meeting: dict, ctx: Context):
    """How often each segment the plan requires is recorded."""
    for record, path in village_meetings(meeting, ctx):
        segments = list(record.get("segments", []))
        for segment in ctx.thresholds.list("meeting.pledge_report_segments"):
            yield {"type": "village_segment", "path": f"{path}.segments", "segment": segment,
                   "recorded": segments.count(segment)}


@derive("meeting", uses=("meeting.default_level",))
def village_report(meeting: dict, ctx: Context):
    for record, path in village_meetings(meeting, ctx):
        # a JSON boolean: the string "true" is refused, not read as "not reviewed" (nor "false" as reviewed)
        reviewed = flag(record, "report_reviewed_by_liaison", path) is True
        yield {"type": "village_report", "path": f"{path}.extra.report_reviewed_by_liaison", "reviewed": reviewed}
