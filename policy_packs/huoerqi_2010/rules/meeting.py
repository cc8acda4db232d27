"""The review meeting (勤廉双述双评会议) of 霍尔奇社区's plan, 二(一)(三)(四)."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day, in_window
from policyhub.rules.pledges import normalized
from policyhub.rules.procedure import meetings_of, missing_attendance, missing_segments


@derive("meeting", uses=("meeting.attendance", "meeting.segments"))
def attendance_and_segments(meeting: dict, ctx: Context):
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        yield from missing_attendance(record, ctx.thresholds.list("meeting.attendance"), path)
        yield from missing_segments(record, ctx.thresholds.list("meeting.segments"), path)


@derive("meeting", uses=("meeting.counters", "meeting.supervisors"))
def counters(meeting: dict, ctx: Context):
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        # a person is their name word for word (normalized): the same name twice is one, a blank one nobody
        counting = {normalized(n): n.strip() for n in record.get("vote_counters", []) if normalized(n)}
        supervising = {normalized(n): n.strip() for n in record.get("vote_supervisors", []) if normalized(n)}
        both = sorted(counting[key] for key in counting.keys() & supervising.keys())
        yield fact(
            "counters",
            path=f"{path}.vote_counters",
            counters=len(counting),
            supervisors=len(supervising),
            required_counters=ctx.thresholds.int("meeting.counters"),
            required_supervisors=ctx.thresholds.int("meeting.supervisors"),
            in_both="、".join(both) or "无/none",
            overlap=bool(both),
        )


@derive("meeting")
def minutes_signatures(meeting: dict, ctx: Context):
    # Each signature is its own finding: an absent flag means the minutes were not signed.
    signers = {"minutes_signed_by_questioners": "提意见、建议或质询的人员/questioners",
               "minutes_signed_by_liaison_cadre": "包村（社区）干部/liaison cadre"}
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        for flag, signer in signers.items():
            if record.get(flag) is not True:
                yield fact("minutes_unsigned", path=f"{path}.{flag}", signer=signer)


@derive("meeting", uses=("meeting.window",))
def window(meeting: dict, ctx: Context):
    first = ctx.thresholds.month_day("meeting.window.from")
    last = ctx.thresholds.month_day("meeting.window.to")
    span = ctx.thresholds.get("meeting.window")
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        held = day(record.get("date"))
        yield fact(
            "window",
            path=f"{path}.date",
            date=held.isoformat() if held else "未填写/none",
            inside=held is not None and in_window(held, first, last),
            window=f"{span['from']}…{span['to']}",
        )


ATTENDANCE = Rule(
    id="huoerqi_2010.meeting.attendance",
    clause="二(一)",
    kinds=("meeting",),
    severity="error",
    when=lambda t: m.type == "missing_attendance",
    message={
        "zh": "述评会与会人员须包括包村（社区）领导、社区“两委”成员、居民组长、居民代表和全体党员；缺少：{kind}",
        "en": "The review meeting must have the liaison leaders, the two committees' members, residents' group "
        "leaders, residents' representatives and all party members; none present: {kind}",
    },
)

PROCEDURE = Rule(
    id="huoerqi_2010.meeting.procedure",
    clause="二(三)1–5",
    kinds=("meeting",),
    severity="error",
    when=lambda t: m.type == "missing_segment",
    message={
        "zh": "述评会缺少规定程序：{segment}（述职、述廉、质询、答复、无记名投票、当场计票、书记答复）",
        "en": "The review meeting lacks a prescribed step: {segment} (duty and integrity reports, questions, "
        "answers, secret ballot, count on the spot, the secretary's response)",
    },
)

COUNTERS = Rule(
    id="huoerqi_2010.meeting.counters",
    clause="二(三)3",
    kinds=("meeting",),
    severity="error",
    when=lambda t: (m.type == "counters")
    & ((m.counters != m.required_counters) | (m.supervisors != m.required_supervisors) | (m.overlap == True)),  # noqa: E712
    message={
        "zh": "须当场选出计票人员{required_counters}名、监督人员{required_supervisors}名且不得兼任；"
        "实际计票{counters}名、监督{supervisors}名，兼任：{in_both}",
        "en": "{required_counters} vote counters and {required_supervisors} supervisors, different people, must "
        "be chosen; found {counters} counters, {supervisors} supervisors, in both: {in_both}",
    },
)

MINUTES_SIGNED = Rule(
    id="huoerqi_2010.meeting.minutes-signed",
    clause="二(三)6",
    kinds=("meeting",),
    severity="error",
    when=lambda t: m.type == "minutes_unsigned",
    message={
        "zh": "会议记录须由提意见、建议或质询的人员签名，并由包村（社区）干部签字；未签：{signer}",
        "en": "The minutes must be signed by those who raised questions and by the liaison cadre; not signed by: "
        "{signer}",
    },
)

WINDOW = Rule(
    id="huoerqi_2010.meeting.window",
    clause="二(四)",
    kinds=("meeting",),
    severity="error",
    when=lambda t: (m.type == "window") & (m.inside == False),  # noqa: E712
    message={
        "zh": "双述双评活动须在每年{window}之间开展，述评会日期：{date}",
        "en": "The review must be held between {window} each year; the meeting's date: {date}",
    },
)
