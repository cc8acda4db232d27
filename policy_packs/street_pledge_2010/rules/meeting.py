"""The measurement the mobilization rule of the street's “我是党员我承诺” activity (rules.yaml; 三、1)
compares: how many came of each kind a mobilization meeting must invite."""

from policyhub.rules import Context, derive
from policyhub.rules.procedure import attendance_counts, meetings_of
from policyhub.rules import label

ATTENDANCE_LABELS = {"representatives": ("居民代表", "residents' representatives"),
                     "group_leaders": ("居民小组长", "residents' group leaders")}


@derive("meeting", "log", uses=("meeting.mobilization_attendance",))
def mobilization_attendance(submission: dict, ctx: Context):
    """三、1: per mobilization meeting, its organization's type and the head count of each invited kind."""
    required = ctx.thresholds.list("meeting.mobilization_attendance")
    ledger_org = submission.get("org", {}) if ctx.kind == "log" else {}
    for meeting, path in meetings_of(submission, ctx.kind, "mobilization"):
        # a meeting in a ledger belongs to the ledger's organization unless it names its own
        org_type = meeting.get("org", ledger_org).get("type") or ""
        for kind, count, where in attendance_counts(meeting, required, path):
            names = label(ATTENDANCE_LABELS, kind)
            yield {"type": "mobilization_attendance", "path": where, "org_type": org_type, "kind": kind,
                   "count": count, "date": meeting.get("date", ""), "who": names["zh"], "who_en": names["en"]}
