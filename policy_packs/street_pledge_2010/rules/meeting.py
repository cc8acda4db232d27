"""Mobilization meetings of the street's “我是党员我承诺” activity (三、1)."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.procedure import meetings_of, missing_attendance
from policyhub.rules import label

ATTENDANCE_LABELS = {"representatives": ("居民代表", "residents' representatives"),
                     "group_leaders": ("居民小组长", "residents' group leaders")}


@derive("meeting", "log", uses=("meeting.mobilization_org_types", "meeting.mobilization_attendance"))
def community_mobilization(submission: dict, ctx: Context):
    org_types = ctx.thresholds.list("meeting.mobilization_org_types")
    required = ctx.thresholds.list("meeting.mobilization_attendance")
    ledger_org = submission.get("org", {}) if ctx.kind == "log" else {}
    for meeting, path in meetings_of(submission, ctx.kind, "mobilization"):
        # a meeting in a ledger belongs to the ledger's organization unless it names its own
        if meeting.get("org", ledger_org).get("type") not in org_types:
            continue
        for missing in missing_attendance(meeting, required, path):
            names = label(ATTENDANCE_LABELS, missing["kind"])
            yield fact("mobilization_without", path=missing["path"], date=meeting.get("date", ""),
                       who=names["zh"], who_en=names["en"])


COMMUNITY_MOBILIZATION = Rule(
    id="street_pledge_2010.meeting.community-mobilization",
    clause="三、1",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "mobilization_without",
    message={
        "zh": "社区党支部召开活动动员会（{date}）须邀请居民代表和居民小组长等非党人士参加，缺少{who}",
        "en": "A community branch's mobilization meeting ({date}) must invite residents' representatives and group leaders; none of the {who_en} attended",
    },
)
