"""What the village “双述双评” packs share (farm_shuangshu, doushan_2019; yinchuan_2011 borrows a little).

Their documents are one template: a village review meeting (双述会) with the same attendance and
agenda, stage windows before it, a team ballot (优秀/合格/不合格) and a member ballot
(优秀/称职/不称职), “差票较多” / “不称职票较多” consequences and a committee's final grade. The
derive functions here turn a submission into facts; each pack imports the ones it needs into a
rule script and writes its own `Rule`s over those facts. Where two packs' rules differ only in
their ids (farm_shuangshu and doushan_2019), `review_meeting_rules` and `vote_rules` declare them.

Fact types made here:
    missing_attendance {kind, kind_zh, kind_en, path}           a village review meeting with nobody of a kind
    missing_segment {segment, segment_zh, segment_en, path}     … lacking an agenda segment
    review_window {date, inside, window, path}                  a review meeting and whether it is in its window
    stage_window {stage, stage_zh, stage_en, date, inside, window, path}   a stage record and its window
    team_poor_votes {subject_id, reached, rounds, bar}           a team ballot's 差票 shares
    member_incompetent_votes {subject_id, reached, rounds, bar}  a member ballot's 不称职票 shares
    shuangshu_grade {subject_id, scheme, grade, source}          the grade of a ballot's subject

Thresholds read (each pack's thresholds.yaml):
    meeting.default_level, meeting.review_levels, meeting.attendance_required,
    meeting.segments_required, meeting.window {from, to}, log.stages {<stage>: {from, to}},
    ballot.schemes, ballot.default_scheme, ballot.share_base, ballot.grade_fallback,
    team.{scheme, poor_option, poor_share}, member.{scheme, incompetent_option, incompetent_share}.
Windows are yearly ("12-01") or fixed ("2018-12-01"), each end inclusive.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

from ..domain import vocabulary
from . import extra
from .ballots import (SHARE_BASES, RoundCount, combined_tallies, plurality, purpose_of, scheme_options,
                      usable_rounds)
from durable.lang import m

from .model import Context, Rule, derive, fact
from .periods import day
from .procedure import meetings_of, missing_attendance, missing_segments
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


# --- windows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A window of days, both ends inclusive: yearly (month, day) pairs or fixed dates."""

    first: dt.date | tuple[int, int]
    last: dt.date | tuple[int, int]

    def contains(self, when: dt.date) -> bool:
        if isinstance(self.first, dt.date) and isinstance(self.last, dt.date):
            return self.first <= when <= self.last
        first = self.first if isinstance(self.first, tuple) else (self.first.month, self.first.day)
        last = self.last if isinstance(self.last, tuple) else (self.last.month, self.last.day)
        return first <= (when.month, when.day) <= last

    @property
    def text(self) -> str:
        def show(end: dt.date | tuple[int, int]) -> str:
            return end.isoformat() if isinstance(end, dt.date) else f"{end[0]:02d}-{end[1]:02d}"

        return f"{show(self.first)}…{show(self.last)}"


def _end(t: Thresholds, key: str) -> dt.date | tuple[int, int]:
    return t.date(key) if _FULL_DATE.match(str(t.get(key))) else t.month_day(key)


def window(t: Thresholds, key: str) -> Window:
    """The window at `key` ({from, to}), each end "MM-DD" (every year) or "YYYY-MM-DD"."""
    return Window(_end(t, f"{key}.from"), _end(t, f"{key}.to"))


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


def labelled_attendance(missing: dict) -> dict:
    """A `missing_attendance` fact with the kind's names, for messages."""
    zh, en = ATTENDANCE_LABELS.get(missing["kind"], (missing["kind"], missing["kind"]))
    return {**missing, "kind_zh": zh, "kind_en": en}


def labelled_segment(missing: dict) -> dict:
    """A `missing_segment` fact with the segment's names, for messages."""
    label = vocabulary.label(vocabulary.AGENDA_SEGMENTS, missing["segment"])
    return {**missing, "segment_zh": label["zh"], "segment_en": label["en"]}


LEVEL_USES = ("meeting.default_level", "meeting.review_levels")


@derive("meeting", "log", uses=LEVEL_USES + ("meeting.attendance_required",))
def review_attendance(submission: dict, ctx: Context):
    """三(三)1: 召开……党员、村民代表、村民组长参加的“双述”会 — one fact per kind nobody came from."""
    required = ctx.thresholds.list("meeting.attendance_required")
    for meeting, path in village_review_meetings(submission, ctx):
        for missing in missing_attendance(meeting, required, path):
            yield labelled_attendance(missing)


@derive("meeting", "log", uses=LEVEL_USES + ("meeting.segments_required",))
def review_procedure(submission: dict, ctx: Context):
    """三(三)1: 述职述廉、质询、当场解答、无记名投票、当场计票并宣布结果 — one fact per missing segment."""
    required = ctx.thresholds.list("meeting.segments_required")
    for meeting, path in village_review_meetings(submission, ctx):
        for missing in missing_segments(meeting, required, path):
            yield labelled_segment(missing)


@derive("meeting", "log", uses=("meeting.window",))
def review_window(submission: dict, ctx: Context):
    """三(三) 评议阶段: every review meeting (village and farm/town level) falls in the window."""
    span = window(ctx.thresholds, "meeting.window")
    for meeting, path in review_meetings(submission, ctx.kind):
        when = day(meeting.get("date"))
        yield fact(
            "review_window",
            path=f"{path}.date",
            date=when.isoformat() if when else "未填/none",
            inside=bool(when and span.contains(when)),
            window=span.text,
        )


@derive("meeting", "log", uses=("log.stages",))
def stage_windows(submission: dict, ctx: Context):
    """三(一)(二): a record of a stage (its `extra.stage`, or a meeting of that type) within its window."""
    stages = ctx.thresholds.get("log.stages")
    for meeting, path in meetings_of(submission, ctx.kind):
        # extra is free-form JSON: a stage's name is text (other stages than the pack's are not checked)
        stage = extra.text(meeting, "stage", path) or meeting.get("type")
        if stage not in stages:
            continue
        span = window(ctx.thresholds, f"log.stages.{stage}")
        when = day(meeting.get("date"))
        zh, en = STAGE_LABELS.get(stage, (stage, stage))
        yield fact(
            "stage_window",
            path=f"{path}.date",
            stage=stage,
            stage_zh=zh,
            stage_en=en,
            date=when.isoformat() if when else "未填/none",
            inside=bool(when and span.contains(when)),
            window=span.text,
        )


# --- ballots ---------------------------------------------------------------------------------

SCHEME_USES = ("ballot.schemes", "ballot.default_scheme")


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


def percent(share: Fraction) -> str:
    """A share for messages: 33.33%."""
    return f"{float(share * 100):.2f}%"


def _share_facts(ballot: dict, ctx: Context, prefix: str, option_key: str, share_key: str, type_: str):
    """One fact for a ballot of the `<prefix>.scheme`: does `option`'s share reach the bar in any round?"""
    t = ctx.thresholds
    scheme, _ = scheme_options(ballot, t)
    if not is_evaluation(ballot) or scheme != t.str(f"{prefix}.scheme"):
        return
    option = t.str(f"{prefix}.{option_key}")
    bar = t.ratio(f"{prefix}.{share_key}")
    base = t.str("ballot.share_base")
    if base not in SHARE_BASES:
        raise ThresholdError(f"threshold 'ballot.share_base' must be one of {SHARE_BASES}, not {base!r}")
    shares: list[tuple[RoundCount, Fraction]] = []
    for r in usable_rounds(ballot, t):  # a round the core checks reject counts for nothing
        share = r.share([option], base)
        if share is not None:
            shares.append((r, share))
    if not shares:
        return
    reached = [(r, s) for r, s in shares if s >= bar]
    shown = reached or shares
    yield fact(
        type_,
        path="ballot.rounds",
        subject_id=subject_id(ballot),
        reached=bool(reached),
        rounds="; ".join(
            f"{r.name or r.index + 1}: {r.tallies.get(option, 0)}/{r.base(base)} = {percent(s)}" for r, s in shown
        ),
        bar=percent(bar),
    )


@derive("ballot", uses=SCHEME_USES + ("ballot.share_base", "team.scheme", "team.poor_option", "team.poor_share"))
def team_poor_votes(ballot: dict, ctx: Context):
    """四: 民主测评差票较多的“两委”班子 — the 不合格 share of any round reaches `team.poor_share`."""
    yield from _share_facts(ballot, ctx, "team", "poor_option", "poor_share", "team_poor_votes")


@derive(
    "ballot",
    uses=SCHEME_USES + ("ballot.share_base", "member.scheme", "member.incompetent_option", "member.incompetent_share"),
)
def member_incompetent_votes(ballot: dict, ctx: Context):
    """四: 不称职票较多的班子成员 — the 不称职 share of any round reaches `member.incompetent_share`."""
    yield from _share_facts(
        ballot, ctx, "member", "incompetent_option", "incompetent_share", "member_incompetent_votes"
    )


GRADE_USES = SCHEME_USES + ("ballot.grade_fallback",)
GRADE_FALLBACKS = ("plurality", "none")


def grade_of(ballot: dict, t: Thresholds) -> tuple[str | None, str]:
    """(grade, source): the committee's `final_grade` (综合评定) when it is of the scheme; else,
    with `ballot.grade_fallback: plurality`, the most voted option over all usable rounds together,
    a tie going to the lower grade; with `none`, no grade until the committee gives one."""
    _, options = scheme_options(ballot, t)
    final = ballot.get("final_grade")
    if final and final in options:
        return final, "final_grade"
    fallback = t.str("ballot.grade_fallback")
    if fallback not in GRADE_FALLBACKS:
        raise ThresholdError(f"threshold 'ballot.grade_fallback' must be one of {GRADE_FALLBACKS}, not {fallback!r}")
    if fallback == "none":
        return None, ""
    return plurality(combined_tallies(usable_rounds(ballot, t)), options), "plurality"


@derive("ballot", uses=GRADE_USES)
def shuangshu_grade(ballot: dict, ctx: Context):
    """三(三)3 综合评定: the subject's grade in its scheme."""
    if not is_evaluation(ballot):
        return
    grade, source = grade_of(ballot, ctx.thresholds)
    if grade is None:
        return
    scheme, _ = scheme_options(ballot, ctx.thresholds)
    yield fact(
        "shuangshu_grade",
        path="ballot.final_grade" if source == "final_grade" else "ballot.rounds",
        subject_id=subject_id(ballot),
        scheme=scheme,
        grade=grade,
        source=source,
    )


def in_scheme(ballot: dict, t: Thresholds, key: str) -> bool:
    """Whether the ballot's scheme is the one named at `key` (team.scheme, member.scheme)."""
    scheme, _ = scheme_options(ballot, t)
    return scheme == t.str(key)


def stage_window_rule(pack_id: str) -> Rule:
    """A stage recorded outside its window (三(一)(二)), with `pack_id`'s id; pairs with `stage_windows`."""
    return Rule(
        id=f"{pack_id}.log.stage-windows",
        clause="三(一)(二)",
        kinds=("log", "meeting"),
        severity="warning",
        when=lambda t: (m.type == "stage_window") & (m.inside == False),  # noqa: E712
        message={
            "zh": "{stage_zh}应在{window}进行，该记录日期为{date}",
            "en": "The {stage_en} runs {window}; this record is dated {date}",
        },
    )


def review_meeting_rules(pack_id: str) -> tuple[Rule, Rule, Rule]:
    """The village review meeting's attendance, procedure and window rules (三(三)), with `pack_id`'s ids."""
    attendance = Rule(
        id=f"{pack_id}.meeting.attendance",
        clause="三(三)1",
        kinds=("meeting", "log"),
        severity="error",
        when=lambda t: m.type == "missing_attendance",
        message={
            "zh": "村民评议“双述”会须有{kind_zh}参加，记录中无{kind_zh}出席",
            "en": "The villagers' review meeting must be attended by {kind_en}; none are recorded",
        },
    )

    procedure = Rule(
        id=f"{pack_id}.meeting.procedure",
        clause="三(三)1",
        kinds=("meeting", "log"),
        severity="error",
        when=lambda t: m.type == "missing_segment",
        message={
            "zh": "“双述”会缺少“{segment_zh}”环节（述职述廉、质询、当场解答、无记名投票、当场计票并宣布结果）",
            "en": "The review meeting lacks the “{segment_en}” segment (reports, questions, answers, anonymous vote, "
            "count and announcement on the spot)",
        },
    )

    window = Rule(
        id=f"{pack_id}.meeting.window",
        clause="三(三)",
        kinds=("meeting", "log"),
        severity="error",
        when=lambda t: (m.type == "review_window") & (m.inside == False),  # noqa: E712
        message={
            "zh": "评议阶段为{window}，述评会于{date}召开，不在评议阶段内",
            "en": "The evaluation stage runs {window}; the review meeting held on {date} falls outside it",
        },
    )
    return attendance, procedure, window


def vote_rules(pack_id: str) -> tuple[Rule, Rule, Rule]:
    """The 差票/不称职票 consequences (四) and the grade (三(三)3), with `pack_id`'s ids."""
    team_poor_votes = Rule(
        id=f"{pack_id}.ballot.team-poor-votes",
        clause="四",
        kinds=("ballot",),
        when=lambda t: (m.type == "team_poor_votes") & (m.reached == True),  # noqa: E712
        consequences=("rectify_within_deadline", "team_adjustment"),
    )

    member_incompetent_votes = Rule(
        id=f"{pack_id}.ballot.member-incompetent-votes",
        clause="四",
        kinds=("ballot",),
        when=lambda t: (m.type == "member_incompetent_votes") & (m.reached == True),  # noqa: E712
        consequences=("admonition_talk",),
    )

    grade = Rule(
        id=f"{pack_id}.ballot.grade",
        clause="三(三)3",
        kinds=("ballot",),
        when=lambda t: m.type == "shuangshu_grade",
        grade=True,
    )
    return team_poor_votes, member_incompetent_votes, grade
