"""The measurements of the village “双述双评” rule library `core.shuangshu` (library/shuangshu.yaml),
which farm_shuangshu and doushan_2019 take with `uses: [core.shuangshu]`; yinchuan_2011 borrows a
few helpers (subject_id, subject_roles, ATTENDANCE_LABELS, review_meetings).

Their documents are one template: a village review meeting (双述会) with the same attendance and
agenda, stage windows before it, a team ballot (优秀/合格/不合格) and a member ballot
(优秀/称职/不称职), “差票较多” / “不称职票较多” consequences and a committee's final grade. The
rules are data (library/shuangshu.yaml): the functions here only measure — counts, dates, the
rounds' votes, the committee's grade and the most voted option — and decide nothing.

Fact types made here (declared in library/shuangshu.yaml):
    review_attendance {kind, kind_zh, kind_en, count}          per village review meeting and required kind
    review_segment {segment, segment_zh, segment_en, recorded}  per village review meeting and required segment
    review_date {held, date, window}                            per review meeting (any level)
    stage_date {stage, stage_zh, stage_en, held, date, window}  per record of a stage in log.stages
    shuangshu_ballot {subject_id, scheme, rounds, committee_grade, plurality}   per evaluation ballot

Thresholds read (each pack's thresholds.yaml):
    meeting.default_level, meeting.review_levels, meeting.attendance_required,
    meeting.segments_required, meeting.window {from, to}, log.stages {<stage>: {from, to}},
    ballot.schemes, ballot.default_scheme, ballot.share_base, ballot.grade_fallback,
    team.{scheme, poor_option, poor_share}, member.{scheme, incompetent_option, incompetent_share}.
Windows are yearly ("12-01") or fixed ("2018-12-01"), each end inclusive: the pack's rules.yaml
says how its windows read (conditions `outside_review_window`, `outside_stage_window`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from ..domain import vocabulary
from . import extra
from .ballots import SHARE_BASES, combined_tallies, plurality, purpose_of, scheme_options, usable_rounds
from .model import Context, derive
from .periods import day
from .procedure import meetings_of
from .thresholds import ThresholdError, Thresholds

REVIEW_MEETING = "review_meeting"

# Names of the stages a ledger record may carry in `extra.stage` (or as its meeting type).
STAGE_LABELS = {
    "mobilization": ("动员发动阶段", "mobilization stage"),
    "preparation": ("组织准备阶段（撰写述职材料）", "preparation stage (writing the reports)"),
}

# Attendance kinds as the documents name them (messages only).
ATTENDANCE_LABELS = {
    "party_members": ("党员", "party members"),
    "representatives": ("村民代表", "villagers' representatives"),
    "group_leaders": ("村民组长", "villager group leaders"),
    "town_leaders": ("上级领导", "leaders from the level above"),
    "supervisory_committee": ("村务监督委员会成员", "supervisory committee members"),
    "non_party": ("群众", "non-party attendees"),
}

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_DATE = "未填/none"  # a record without a date, as messages show it


# --- windows ---------------------------------------------------------------------------------


def _end(t: Thresholds, key: str) -> str:
    """A window's end as written, checked: "YYYY-MM-DD" (that day) or "MM-DD" (every year)."""
    if _FULL_DATE.match(str(t.get(key))):
        return t.date(key).isoformat()
    month, dom = t.month_day(key)
    return f"{month:02d}-{dom:02d}"


def window(t: Thresholds, key: str) -> str:
    """The window at `key` ({from, to}) as messages show it, e.g. 11-20…11-30 (the rules compare
    the days with its ends; rules.yaml `outside_review_window`, `outside_stage_window`)."""
    return f"{_end(t, f'{key}.from')}…{_end(t, f'{key}.to')}"


# --- meetings --------------------------------------------------------------------------------


def review_meetings(submission: dict, kind: str) -> Iterator[tuple[dict, str]]:
    """The review meetings of a meeting or a log submission, with their paths."""
    return meetings_of(submission, kind, REVIEW_MEETING)


def level_of(meeting: dict, t: Thresholds, path: str = "meeting") -> str:
    """The meeting's level (`extra.level`, an organization level); a meeting that does not say is a village one."""
    return extra.code(meeting, "level", path, vocabulary.ORGANIZATION_TYPES) or t.str("meeting.default_level")


def village_review_meetings(submission: dict, ctx: Context) -> Iterator[tuple[dict, str]]:
    """Review meetings whose level is one the attendance and agenda rules govern (村民评议)."""
    levels = ctx.thresholds.list("meeting.review_levels")
    for meeting, path in review_meetings(submission, ctx.kind):
        if level_of(meeting, ctx.thresholds, path) in levels:
            yield meeting, path


LEVEL_USES = ("meeting.default_level", "meeting.review_levels")


@derive("meeting", "log", uses=LEVEL_USES + ("meeting.attendance_required",))
def review_attendance(submission: dict, ctx: Context):
    """三(三)1: 召开……党员、村民代表、村民组长参加的“双述”会 — how many came of each required kind
    (an `extra.` kind is a head count in `extra`)."""
    required = ctx.thresholds.list("meeting.attendance_required")
    for meeting, path in village_review_meetings(submission, ctx):
        attendance = meeting.get("attendance") or {}
        for kind in required:
            if kind.startswith("extra."):
                # a head count in extra: a whole number (the string "7" or 2.5 is refused, not read as nobody)
                count, where = extra.count(meeting, kind[len("extra."):], path) or 0, f"{path}.{kind}"
            else:
                count, where = attendance.get(kind, 0), f"{path}.attendance.{kind}"
            zh, en = ATTENDANCE_LABELS.get(kind, (kind, kind))
            yield {"type": "review_attendance", "path": where, "kind": kind, "kind_zh": zh, "kind_en": en,
                   "count": count}


@derive("meeting", "log", uses=LEVEL_USES + ("meeting.segments_required",))
def review_segments(submission: dict, ctx: Context):
    """三(三)1: 述职述廉、质询、当场解答、无记名投票、当场计票并宣布结果 — how often each is recorded."""
    required = ctx.thresholds.list("meeting.segments_required")
    for meeting, path in village_review_meetings(submission, ctx):
        segments = list(meeting.get("segments") or [])
        for segment in required:
            names = vocabulary.label(vocabulary.AGENDA_SEGMENTS, segment)
            yield {"type": "review_segment", "path": f"{path}.segments", "segment": segment,
                   "segment_zh": names["zh"], "segment_en": names["en"], "recorded": segments.count(segment)}


def _dated(fact: dict, when: dt.date | None) -> dict:
    """The fact with the day held (`held`, absent without one) and the date as messages show it."""
    fact["date"] = when.isoformat() if when else NO_DATE
    if when:
        fact["held"] = when.isoformat()
    return fact


@derive("meeting", "log", uses=("meeting.window",))
def review_dates(submission: dict, ctx: Context):
    """三(三) 评议阶段: the day each review meeting (village and farm/town level) was held."""
    shown = window(ctx.thresholds, "meeting.window")
    for meeting, path in review_meetings(submission, ctx.kind):
        yield _dated({"type": "review_date", "path": f"{path}.date", "window": shown}, day(meeting.get("date")))


@derive("meeting", "log", uses=("log.stages",))
def stage_dates(submission: dict, ctx: Context):
    """三(一)(二): the day of each record of a stage (its `extra.stage`, or a meeting of that type)."""
    stages = ctx.thresholds.get("log.stages")
    for meeting, path in meetings_of(submission, ctx.kind):
        # extra is free-form JSON: a stage's name is text (other stages than the pack's are not measured)
        stage = extra.text(meeting, "stage", path) or meeting.get("type")
        if stage is None or stage not in stages:  # None is no stage's name either
            continue
        zh, en = STAGE_LABELS.get(stage, (stage, stage))
        fact = {"type": "stage_date", "path": f"{path}.date", "stage": stage, "stage_zh": zh, "stage_en": en,
                "window": window(ctx.thresholds, f"log.stages.{stage}")}
        yield _dated(fact, day(meeting.get("date")))


# --- ballots ---------------------------------------------------------------------------------

SCHEME_USES = ("ballot.schemes", "ballot.default_scheme")
GRADE_USES = SCHEME_USES + ("ballot.grade_fallback",)
GRADE_FALLBACKS = ("plurality", "none")


def subject_id(ballot: dict) -> str:
    subject = ballot.get("subject") or {}
    return str(subject.get("id") or subject.get("name") or "")


def subject_roles(ballot: dict) -> list[str]:
    """The subject's `role` and `roles` together."""
    subject = ballot.get("subject") or {}
    roles = list(subject.get("roles") or [])
    if subject.get("role"):
        roles.insert(0, subject["role"])
    return roles


def role_names(roles: list[str]) -> tuple[str, str]:
    """Roles by their zh and en names, for messages."""
    labels = [vocabulary.label(vocabulary.MEMBER_ROLES, r) for r in roles]
    return "、".join(x["zh"] for x in labels), ", ".join(x["en"] for x in labels)


def is_evaluation(ballot: dict) -> bool:
    return purpose_of(ballot) == "evaluation"


def grades_given(ballot: dict, t: Thresholds) -> tuple[str, str]:
    """(committee_grade, plurality): the committee's `final_grade` (综合评定) when it is of the ballot's
    scheme, else ''; and the most voted option over all usable rounds together, a tie going to the
    lower grade ('' without votes). Which of them grades (ballot.grade_fallback) is the rules' to say."""
    _, options = scheme_options(ballot, t)
    final = ballot.get("final_grade")
    fallback = t.str("ballot.grade_fallback")
    if fallback not in GRADE_FALLBACKS:
        raise ThresholdError(f"threshold 'ballot.grade_fallback' must be one of {GRADE_FALLBACKS}, not {fallback!r}")
    most = plurality(combined_tallies(usable_rounds(ballot, t)), options)
    return (final if final and final in options else ""), most or ""


@derive("ballot", uses=GRADE_USES + ("ballot.share_base", "team.poor_option", "member.incompetent_option"))
def ballot_votes(ballot: dict, ctx: Context):
    """三(三)3 and 四: an evaluation ballot's usable rounds (a round the core checks reject counts for
    nothing) with their base and their 差票 (`team.poor_option`) and 不称职票
    (`member.incompetent_option`) votes, the committee's grade and the rounds' plurality."""
    if not is_evaluation(ballot):
        return
    t = ctx.thresholds
    base = t.str("ballot.share_base")
    if base not in SHARE_BASES:
        raise ThresholdError(f"threshold 'ballot.share_base' must be one of {SHARE_BASES}, not {base!r}")
    poor, incompetent = t.str("team.poor_option"), t.str("member.incompetent_option")
    scheme, _ = scheme_options(ballot, t)
    committee_grade, most = grades_given(ballot, t)
    yield {
        "type": "shuangshu_ballot",
        "path": "ballot.rounds",
        "subject_id": subject_id(ballot),
        "scheme": scheme,
        "rounds": [{"name": r.name or str(r.index + 1), "base": r.base(base), "poor": r.tallies.get(poor, 0),
                    "incompetent": r.tallies.get(incompetent, 0)} for r in usable_rounds(ballot, t)],
        "committee_grade": committee_grade,
        "plurality": most,
    }
