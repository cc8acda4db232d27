"""The measurements the ledger rules of 鄰鄂委發〔2022〕29號 二(一)、二(二) 主要任務 and 三 (rules.yaml)
compare: activities per member and month, photos per activity, meetings per whole month and quarter,
what each grid's leader is. No verdicts.

Only the whole months (quarters) of the ledger's period are measured: a ledger that starts on
2 July answers for August onward, not for July.
"""

from collections import Counter

from policyhub.rules import Context, derive
from policyhub.rules.extra import flag
from policyhub.rules.periods import day, iter_dated, month_of, month_text, period, span_label, whole_months, whole_spans


@derive("log")
def monthly_activity(log: dict, ctx: Context):
    """二(一) 主要任務3: each roster member's activities in each whole month of the period."""
    months = [(m, month_text(m)) for m in whole_months(*period(log))]  # a ledger without its period is refused
    done = Counter((a.get("member_id"), month_of(d)) for a, d in iter_dated(log.get("activities", [])))
    seen = set()
    for i, member in enumerate(log.get("members", [])):
        key = member.get("id") or member.get("name")
        if key is not None and key in seen:
            continue  # a member listed twice on the roster is one member: each idle month is one finding
        seen.add(key)
        path, name = f"log.members[{i}]", member.get("name") or key or f"#{i + 1}"
        for month, text in months:
            yield {"type": "member_month", "path": path, "member": name, "month": text,
                   "activities": done[(key, month)]}


@derive("log")
def activity_photos(log: dict, ctx: Context):
    """二(一) 主要任務3: the photos kept of each activity."""
    for i, activity in enumerate(log.get("activities", [])):
        fact = {"type": "activity", "path": f"log.activities[{i}].photos", "member": activity.get("member_id", ""),
                "date": activity.get("date", "")}
        if activity.get("photos") is not None:  # the count of photos kept, when the ledger gives it
            fact["photos"] = activity["photos"]
        yield fact


@derive("log", uses=("log.committee_on_activity",))
def quarterly_committee(log: dict, ctx: Context):
    """三: the branch committee meetings on the activity in each whole quarter of the period."""
    start, end = period(log)
    marked_only = ctx.thresholds.str("log.committee_on_activity") == "marked"

    def on_activity(meeting: dict, path: str) -> bool:
        marked = flag(meeting, "on_activity", path)  # a JSON boolean; the string "false" is refused
        return marked is True if marked_only else marked is not False

    held = Counter(month_of(d) for i, mt in enumerate(log.get("meetings", []))
                   if mt.get("type") == "branch_committee" and (d := day(mt.get("date")))
                   and on_activity(mt, f"log.meetings[{i}]"))
    for quarter in whole_spans(start, end, 3):
        yield {"type": "ledger_quarter", "path": "log.meetings", "quarter": span_label(quarter),
               "committees": sum(held[m] for m in quarter)}


@derive("log", uses=("meeting.year_end_segments",))
def monthly_meetings(log: dict, ctx: Context):
    """三: in each whole month of the period, the theme party days and the general assemblies with
    the members' duty reports."""
    months = whole_months(*period(log))
    segments = set(ctx.thresholds.list("meeting.year_end_segments"))
    theme_days, assemblies = Counter(), Counter()
    for meeting, d in iter_dated(log.get("meetings", [])):
        if meeting.get("type") == "theme_party_day":
            theme_days[month_of(d)] += 1
        elif meeting.get("type") == "general_assembly" and segments <= set(meeting.get("segments", [])):
            assemblies[month_of(d)] += 1
    for month in months:
        yield {"type": "ledger_month", "path": "log.meetings", "month": month_text(month),
               "month_number": month[1], "theme_days": theme_days[month], "duty_report_assemblies": assemblies[month]}


@derive("log")
def grid_leaders(log: dict, ctx: Context):
    """二(二) 主要任務1: whether each grid's leader is a party member, where the ledger says."""
    for i, grid in enumerate(log.get("grids", [])):
        fact = {"type": "grid", "path": f"log.grids[{i}].leader_is_member", "grid": grid.get("name", f"#{i + 1}")}
        if isinstance(grid.get("leader_is_member"), bool):  # unstated: not a breach
            fact["leader_is_member"] = grid["leader_is_member"]
        yield fact
