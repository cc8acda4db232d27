"""The measurements of the Yinchuan branch's review meeting, 双述双评活动实施方案 三(四) and 三(五),
that its rules (rules.yaml) compare.

Only the review meeting (述评会议) is measured; the members' organizational-life meeting has no rule.
The 06-15 and 06-30 thresholds are days of the meeting's own year.
"""

from policyhub.rules import InvalidArgument
from policyhub.rules import Context, derive, extra, message_field
from policyhub.rules.periods import day
from policyhub.rules.pledges import present
from policyhub.rules.shuangshu import ATTENDANCE_LABELS, review_meetings
from policyhub.rules import AGENDA_SEGMENTS, label

# The agenda as this plan words it, where it differs from the vocabulary's names (messages only).
SEGMENT_NAMES = {
    "duty_report": ("支部书记述职汇报", "the secretary's duty report"),
    "member_duty_reports": ("支部委员逐个述职", "each committee member's own report"),
    "discussion": ("评议和讨论", "discussion"),
    "questions": ("询问", "questions"),
    "answers": ("解答", "answers"),
    "democratic_evaluation": ("民主测评", "democratic evaluation"),
    "feedback": ("向被评议人反馈", "feedback to the evaluated"),
}
ITEM_FIELDS = (("content", "整改内容", "content"), ("measures", "整改措施", "measures"), ("deadline", "整改时限", "deadline"))


def _year(meeting: dict, ctx: Context) -> int | None:
    held = day(meeting.get("date")) or ctx.date
    return held.year if held else None


@derive("meeting", "log", uses=("meeting.segments_required",))
def agenda(submission: dict, ctx: Context):
    """三(四): how often each segment of the agenda is recorded."""
    for meeting, path in review_meetings(submission, ctx.kind):
        segments = list(meeting.get("segments", []))
        for segment in ctx.thresholds.list("meeting.segments_required"):
            names = label(AGENDA_SEGMENTS, segment)
            zh, en = SEGMENT_NAMES.get(segment, (names["zh"], names["en"]))
            yield {"type": "agenda_segment", "path": f"{path}.segments", "segment": segment,
                   "segment_zh": zh, "segment_en": en, "recorded": segments.count(segment)}


@derive("meeting", "log", uses=("meeting.date",))
def held_on(submission: dict, ctx: Context):
    """三(四): 6月15日，召开机关党支部述评会议 — the day the review meeting was held."""
    month, dom = ctx.thresholds.month_day("meeting.date")
    for meeting, path in review_meetings(submission, ctx.kind):
        held = day(meeting.get("date"))
        year = _year(meeting, ctx)
        fact = {"type": "meeting_held", "path": f"{path}.date", "date": held.isoformat() if held else "未填/none",
                # the plan's day in the meeting's year, for the message
                "day": f"{year:04d}-{month:02d}-{dom:02d}" if year else f"{month:02d}-{dom:02d}"}
        if held:
            fact["held"] = held.isoformat()
        yield fact


@derive("meeting", "log", uses=("meeting.superior_kinds",))
def superior_attendance(submission: dict, ctx: Context):
    """三(四): 并邀请机关工委有关领导参加 — how many came of each superior kind."""
    for meeting, path in review_meetings(submission, ctx.kind):
        attendance = meeting.get("attendance", {})
        for kind in ctx.thresholds.list("meeting.superior_kinds"):
            zh, en = ATTENDANCE_LABELS.get(kind, (kind, kind))
            if kind.startswith("extra."):  # a head count in extra: a whole number, else refused
                count, where = extra.count(meeting, kind[len("extra."):], path) or 0, f"{path}.{kind}"
            else:
                count, where = attendance.get(kind, 0), f"{path}.attendance.{kind}"
            yield {"type": "superior_attendance", "path": where, "kind": kind,
                   "kind_zh": zh, "kind_en": en, "count": count}


@derive("meeting", "log", uses=("meeting.rectification_deadline",))
def rectification(submission: dict, ctx: Context):
    """三(五): the rectification plan, its publication, each item's content, measures and deadline (整改内容、
    整改措施和整改时限), each deadline with the meeting's year (the end of the rectification stage is in it)."""
    for meeting, path in review_meetings(submission, ctx.kind):
        plan = meeting.get("rectification") or {}
        where = f"{path}.rectification"
        items = plan.get("items") or []
        yield {"type": "rectification_check", "path": where, "check": "plan", "items": len(items)}
        if not items:
            continue
        yield {"type": "rectification_check", "path": f"{where}.published", "check": "published",
               "published": bool(plan.get("published"))}
        year = _year(meeting, ctx)
        if year is None and any(day(item.get("deadline")) for item in items):
            # the stage ends on 06-30 of the meeting's year: without a year the deadlines cannot be checked
            raise InvalidArgument([(f"{path}.date", "required (or the request's date) to check the rectification "
                                                    "deadlines against the end of the rectification stage")])
        stage_end = ctx.thresholds.day_in_year("meeting.rectification_deadline", year).isoformat() if year else ""
        for i, item in enumerate(items):
            item_path = f"{where}.items[{i}]"
            for field, zh, en in ITEM_FIELDS:
                # blank text (spaces, U+3000, zero-width) is no content
                yield {"type": "rectification_check", "path": f"{item_path}.{field}", "check": "field",
                       "item": i + 1, "field_zh": zh, "field_en": en, "given": present(item.get(field))}
            due = day(item.get("deadline"))
            if due and year:
                yield {"type": "rectification_check", "path": f"{item_path}.deadline", "check": "deadline",
                       "item": i + 1, "due": due.isoformat(), "due_year": due.year, "year": year,
                       "stage_end": stage_end}


@message_field("rectification_check", "problem_zh")
def problem_zh(fact: dict) -> str:
    check = fact["check"]
    if check == "plan":
        return "没有整改方案（或方案无整改事项）"
    if check == "published":
        return "整改方案未通过公告栏向干部群众通报"
    if check == "field":
        return f"第{fact['item']}项缺少{fact['field_zh']}"
    return f"第{fact['item']}项整改时限{fact['due']}晚于{fact['stage_end']}"


@message_field("rectification_check", "problem_en")
def problem_en(fact: dict) -> str:
    check = fact["check"]
    if check == "plan":
        return "there is no rectification plan (or it has no items)"
    if check == "published":
        return "the plan was not published on the bulletin board"
    if check == "field":
        return f"item {fact['item']} has no {fact['field_en']}"
    return f"item {fact['item']} is due {fact['due']}, after {fact['stage_end']}"
