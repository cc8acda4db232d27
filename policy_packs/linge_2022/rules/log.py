"""A village's ledger of the activity (活動記錄簿), 鄰鄂委發〔2022〕29號 二(一)、二(二) 主要任務 and 三.

Only the whole months (quarters) of the ledger's period are checked: a ledger that starts on
2 July answers for August onward, not for July.
"""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.extra import flag
from policyhub.rules.periods import day, period, iter_dated, month_of, month_text, span_label, whole_months, whole_spans


def _period(log: dict):
    return period(log)  # the whole months and quarters are counted: a ledger without its period is refused


def _dated_meetings(log: dict, meeting_type: str):
    meetings = [mt for mt in log.get("meetings", []) if mt.get("type") == meeting_type]
    return list(iter_dated(meetings))


@derive("log")
def monthly_activity(log: dict, ctx: Context):
    period = _period(log)
    if period is None:
        return
    active = {(a.get("member_id"), month_of(d)) for a, d in iter_dated(log.get("activities", []))}
    seen = set()
    for i, member in enumerate(log.get("members", [])):
        key = member.get("id") or member.get("name")
        if key is not None and key in seen:
            continue  # a member listed twice on the roster is one member: each idle month is one finding
        seen.add(key)
        for month in whole_months(*period):
            if (key, month) not in active:
                yield fact(
                    "member_month_idle",
                    path=f"log.members[{i}]",
                    member=member.get("name") or key or f"#{i + 1}",
                    month=month_text(month),
                )


@derive("log")
def activity_photos(log: dict, ctx: Context):
    for i, activity in enumerate(log.get("activities", [])):
        if not activity.get("photos"):
            yield fact(
                "activity_without_photos",
                path=f"log.activities[{i}].photos",
                member=activity.get("member_id", ""),
                date=activity.get("date", ""),
            )


@derive("log", uses=("log.committee_on_activity",))
def quarterly_committee(log: dict, ctx: Context):
    period = _period(log)
    if period is None:
        return
    marked_only = ctx.thresholds.str("log.committee_on_activity") == "marked"

    def on_activity(meeting: dict, path: str) -> bool:
        marked = flag(meeting, "on_activity", path)  # a JSON boolean; the string "false" is refused
        return marked is True if marked_only else marked is not False

    held = {month_of(d) for i, mt in enumerate(log.get("meetings", []))
            if mt.get("type") == "branch_committee" and (d := day(mt.get("date")))
            and on_activity(mt, f"log.meetings[{i}]")}
    for quarter in whole_spans(*period, 3):
        if not held.intersection(quarter):
            yield fact("quarter_without_committee", path="log.meetings", quarter=span_label(quarter))


@derive("log")
def monthly_theme_day(log: dict, ctx: Context):
    period = _period(log)
    if period is None:
        return
    held = {month_of(d) for _, d in _dated_meetings(log, "theme_party_day")}
    for month in whole_months(*period):
        if month not in held:
            yield fact("month_without_theme_day", path="log.meetings", month=month_text(month))


@derive("log", uses=("meeting.year_end_month", "meeting.year_end_segments"))
def year_end_duty_reports(log: dict, ctx: Context):
    period = _period(log)
    if period is None:
        return
    last_month = ctx.thresholds.int("meeting.year_end_month")
    segments = set(ctx.thresholds.list("meeting.year_end_segments"))
    held = {
        month_of(d)
        for mt, d in _dated_meetings(log, "general_assembly")
        if segments <= set(mt.get("segments", []))
    }
    for month in whole_months(*period):
        if month[1] == last_month:
            yield fact(
                "year_end_assembly",
                path="log.meetings",
                month=month_text(month),
                held=month in held,
            )


@derive("log")
def grid_leaders(log: dict, ctx: Context):
    for i, grid in enumerate(log.get("grids", [])):
        # Only a ledger that says so counts: an unstated leader is not reported as a breach.
        if grid.get("leader_is_member") is False:
            yield fact("grid_leader_not_member", path=f"log.grids[{i}].leader_is_member",
                       grid=grid.get("name", f"#{i + 1}"))


MONTHLY_ACTIVITY = Rule(
    id="linge_2022.log.monthly-activity",
    clause="二(一) 主要任務3",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "member_month_idle",
    message={
        "zh": "党员{member}在{month}没有开展活动（党员每月应至少开展1次活动）",
        "en": "Member {member} has no activity in {month} (each member acts at least once a month)",
    },
)

ACTIVITY_PHOTOS = Rule(
    id="linge_2022.log.activity-photos",
    clause="二(一) 主要任務3",
    kinds=("log",),
    severity="warning",
    when=lambda t: m.type == "activity_without_photos",
    message={
        "zh": "党员{member}于{date}开展的活动没有活动照片存档",
        "en": "The activity of member {member} on {date} has no photos on file",
    },
)

QUARTERLY_COMMITTEE = Rule(
    id="linge_2022.log.quarterly-committee",
    clause="三",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "quarter_without_committee",
    message={
        "zh": "{quarter}没有召开专题研究“三亮三联五带头”活动的支委会（每季度一次）",
        "en": "{quarter}: no branch committee meeting on the activity (one each quarter)",
    },
)

MONTHLY_THEME_DAY = Rule(
    id="linge_2022.log.monthly-theme-day",
    clause="三",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "month_without_theme_day",
    message={
        "zh": "{month}没有开展“支部主题党日”活动",
        "en": "{month}: no branch theme party day",
    },
)

YEAR_END_DUTY_REPORTS = Rule(
    id="linge_2022.log.year-end-duty-reports",
    clause="三",
    kinds=("log",),
    severity="error",
    when=lambda t: (m.type == "year_end_assembly") & (m.held == False),  # noqa: E712
    message={
        "zh": "{month}没有召开党员就“三亮三联五带头”情况分别述职的年底支部党员大会",
        "en": "{month}: no year-end general assembly at which the members report on their duties",
    },
)

GRID_LEADER = Rule(
    id="linge_2022.log.grid-leader",
    clause="二(二) 主要任務1",
    kinds=("log",),
    severity="error",
    when=lambda t: m.type == "grid_leader_not_member",
    message={
        "zh": "{grid}的网格长不是党员（组长不是党员的，应另指派党员担任网格长）",
        "en": "The leader of {grid} is not a party member (a member must be appointed instead)",
    },
)
