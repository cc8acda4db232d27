"""The village review meeting (村述村评) of the town's plan, 五、1."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.procedure import meetings_of, missing_attendance, missing_segments
from policyhub.rules.extra import code, flag
from policyhub.vocabulary import CHAIR_ROLES, ORGANIZATION_TYPES, label


def village_meetings(submission: dict, ctx: Context):
    """Review meetings held in a village; one without `extra.level` counts as one (interpretation)."""
    default = ctx.thresholds.str("meeting.default_level")
    for meeting, path in meetings_of(submission, ctx.kind, "review_meeting"):
        # the level is an organization level (村, 乡镇 ...): any other text is refused, not read as "not village"
        if (code(meeting, "level", path, ORGANIZATION_TYPES) or default) == "village":
            yield meeting, path


@derive("meeting", uses=("meeting.default_level", "meeting.village_attendance"))
def village_attendance(meeting: dict, ctx: Context):
    for record, path in village_meetings(meeting, ctx):
        yield from missing_attendance(record, ctx.thresholds.list("meeting.village_attendance"), path)


@derive("meeting", uses=("meeting.default_level", "meeting.chair_roles"))
def chair(meeting: dict, ctx: Context):
    allowed = ctx.thresholds.list("meeting.chair_roles")
    for record, path in village_meetings(meeting, ctx):
        role = record.get("chair_role", "")
        name = label(CHAIR_ROLES, role) if role else {"zh": "未填写", "en": "none recorded"}
        yield fact("chair", path=f"{path}.chair_role", chair_zh=name["zh"], chair_en=name["en"], allowed=role in allowed)


@derive("meeting", uses=("meeting.default_level", "meeting.pledge_report_segments"))
def pledge_report(meeting: dict, ctx: Context):
    for record, path in village_meetings(meeting, ctx):
        yield from missing_segments(record, ctx.thresholds.list("meeting.pledge_report_segments"), path)


@derive("meeting", uses=("meeting.default_level",))
def report_review(meeting: dict, ctx: Context):
    for record, path in village_meetings(meeting, ctx):
        # a JSON boolean: the string "true" is refused, not read as "not reviewed" (nor "false" as reviewed)
        reviewed = flag(record, "report_reviewed_by_liaison", path) is True
        yield fact("report_review", path=f"{path}.extra.report_reviewed_by_liaison", reviewed=reviewed)


VILLAGE_ATTENDANCE = Rule(
    id="town_shuangshu_2010.meeting.village-attendance",
    clause="五、1",
    kinds=("meeting",),
    severity="error",
    when=lambda t: m.type == "missing_attendance",
    message={
        "zh": "村述村评会议须邀请村监委会成员、全体党员、村民代表、村民小组长及联系村的乡镇党政领导参加；缺少：{kind}",
        "en": "The village review meeting must have the supervisory committee, all party members, villagers' "
        "representatives, group leaders and the town leaders in charge of the village; none present: {kind}",
    },
)

CHAIR = Rule(
    id="town_shuangshu_2010.meeting.chair",
    clause="五、1",
    kinds=("meeting",),
    severity="error",
    when=lambda t: (m.type == "chair") & (m.allowed == False),  # noqa: E712
    message={
        "zh": "村述村评会议须由包片领导或包村干部主持，实际主持人：{chair_zh}",
        "en": "The village review meeting must be chaired by the area leader or the liaison cadre, not: {chair_en}",
    },
)

PLEDGE_REPORT = Rule(
    id="town_shuangshu_2010.meeting.pledge-report",
    clause="五、1",
    kinds=("meeting",),
    severity="error",
    when=lambda t: m.type == "missing_segment",
    message={
        "zh": "村党组织书记述职述廉须含履行公开承诺情况，并由参会人员提出质询；缺少环节：{segment}",
        "en": "The secretary's report must cover how the public pledge was kept, followed by the attendees' "
        "questions; missing segment: {segment}",
    },
)

REPORT_REVIEWED = Rule(
    id="town_shuangshu_2010.meeting.report-reviewed",
    clause="五、1",
    kinds=("meeting",),
    severity="error",
    when=lambda t: (m.type == "report_review") & (m.reviewed == False),  # noqa: E712
    message={
        "zh": "述职报告须经包村干部审核后再召开述评会，记录未显示已审核",
        "en": "The report must be reviewed by the liaison cadre before the meeting; the record does not show it was",
    },
)
