"""Review-meeting rules of the Yinchuan branch's 双述双评活动实施方案 三(四) and 三(五).

Only the review meeting (述评会议) is checked; the members' organizational-life meeting has no rule.
The 06-15 and 06-30 thresholds are days of the meeting's own year.
"""

import datetime as dt

from policyhub.errors import InvalidArgument
from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day
from policyhub.rules.pledges import present
from policyhub.rules.procedure import missing_attendance, missing_segments
from policyhub.rules.shuangshu import labelled_attendance, labelled_segment, review_meetings


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


def _year(meeting: dict, ctx: Context) -> int | None:
    held = day(meeting.get("date")) or ctx.date
    return held.year if held else None


@derive("meeting", "log", uses=("meeting.segments_required",))
def procedure(submission: dict, ctx: Context):
    """三(四): the agenda of the branch's review meeting, one fact per missing segment."""
    required = ctx.thresholds.list("meeting.segments_required")
    for meeting, path in review_meetings(submission, ctx.kind):
        for missing in missing_segments(meeting, required, path):
            named = labelled_segment(missing)
            zh, en = SEGMENT_NAMES.get(named["segment"], (named["segment_zh"], named["segment_en"]))
            yield {**named, "segment_zh": zh, "segment_en": en}


@derive("meeting", "log", uses=("meeting.date",))
def meeting_date(submission: dict, ctx: Context):
    """三(四): 6月15日，召开机关党支部述评会议."""
    the_day = ctx.thresholds.month_day("meeting.date")
    month, dom = the_day
    for meeting, path in review_meetings(submission, ctx.kind):
        held = day(meeting.get("date"))
        year = _year(meeting, ctx)
        yield fact(
            "meeting_date",
            path=f"{path}.date",
            date=held.isoformat() if held else "未填/none",
            on_day=bool(held and (held.month, held.day) == the_day),
            day=dt.date(year, month, dom).isoformat() if year else f"{month:02d}-{dom:02d}",
        )


@derive("meeting", "log", uses=("meeting.superior_kinds",))
def superior_present(submission: dict, ctx: Context):
    """三(四): 并邀请机关工委有关领导参加 — one fact per superior kind with nobody present."""
    kinds = ctx.thresholds.list("meeting.superior_kinds")
    for meeting, path in review_meetings(submission, ctx.kind):
        for missing in missing_attendance(meeting, kinds, path):
            yield {**labelled_attendance(missing), "type": "superior_absent"}


def _problem(path: str, zh: str, en: str) -> dict:
    return fact("rectification_problem", path=path, problem_zh=zh, problem_en=en)


@derive("meeting", "log", uses=("meeting.rectification_deadline",))
def rectification(submission: dict, ctx: Context):
    """三(五): a rectification plan, published (公告栏通报), each item with content, measures and a
    deadline (整改内容、整改措施和整改时限), none due after the end of the rectification stage."""
    for meeting, path in review_meetings(submission, ctx.kind):
        plan = meeting.get("rectification") or {}
        where = f"{path}.rectification"
        items = plan.get("items") or []
        if not items:
            yield _problem(where, "没有整改方案（或方案无整改事项）", "there is no rectification plan (or it has no items)")
            continue
        if not plan.get("published"):
            yield _problem(f"{where}.published", "整改方案未通过公告栏向干部群众通报",
                           "the plan was not published on the bulletin board")
        year = _year(meeting, ctx)
        if year is None and any(day(item.get("deadline")) for item in items):
            # the stage ends on 06-30 of the meeting's year: without a year the deadlines cannot be checked
            raise InvalidArgument([(f"{path}.date", "required (or the request's date) to check the rectification "
                                                    "deadlines against the end of the rectification stage")])
        last = ctx.thresholds.day_in_year("meeting.rectification_deadline", year) if year else None
        for i, item in enumerate(items):
            item_path = f"{where}.items[{i}]"
            for field, zh, en in (("content", "整改内容", "content"), ("measures", "整改措施", "measures"),
                                  ("deadline", "整改时限", "deadline")):
                if not present(item.get(field)):  # blank text (spaces, U+3000, zero-width) is no content
                    yield _problem(f"{item_path}.{field}", f"第{i + 1}项缺少{zh}", f"item {i + 1} has no {en}")
            due = day(item.get("deadline"))
            if due and last and due > last:
                yield _problem(f"{item_path}.deadline", f"第{i + 1}项整改时限{due.isoformat()}晚于{last.isoformat()}",
                               f"item {i + 1} is due {due.isoformat()}, after {last.isoformat()}")


PROCEDURE = Rule(
    id="yinchuan_2011.meeting.procedure",
    clause="三(四)",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "missing_segment",
    message={
        "zh": "党支部述评会议缺少“{segment_zh}”环节（书记述职、委员逐个述职、评议讨论、询问解答、民主测评、结果反馈）",
        "en": "The branch review meeting lacks the “{segment_en}” segment (secretary's report, each committee "
        "member's report, discussion, questions, answers, democratic evaluation, feedback)",
    },
)

DATE = Rule(
    id="yinchuan_2011.meeting.date",
    clause="三(四)",
    kinds=("meeting", "log"),
    severity="warning",
    when=lambda t: (m.type == "meeting_date") & (m.on_day == False),  # noqa: E712
    message={
        "zh": "述评会议应于{day}召开，实际召开日期：{date}",
        "en": "The review meeting is to be held on {day}; it was held on {date}",
    },
)

SUPERIOR_PRESENT = Rule(
    id="yinchuan_2011.meeting.superior-present",
    clause="三(四)",
    kinds=("meeting", "log"),
    severity="warning",
    when=lambda t: m.type == "superior_absent",
    message={
        "zh": "述评会议应邀请机关工委有关领导参加，记录中无{kind_zh}出席",
        "en": "The review meeting should have leaders of the agencies' working committee present; no {kind_en} "
        "are recorded",
    },
)

RECTIFICATION = Rule(
    id="yinchuan_2011.meeting.rectification",
    clause="三(五)",
    kinds=("meeting", "log"),
    severity="error",
    when=lambda t: m.type == "rectification_problem",
    message={
        "zh": "整改方案不符合要求：{problem_zh}",
        "en": "The rectification plan falls short: {problem_en}",
    },
)
