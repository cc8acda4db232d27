"""The measurements of the review meeting (勤廉双述双评会议, 二(一)(三)(四)) its rules (rules.yaml) compare."""

from policyhub.rules import Context, derive, extra
from policyhub.rules.periods import day
from policyhub.rules.pledges import normalized
from policyhub.rules.procedure import meetings_of

# 二(三)6: who signs the minutes, by the record's flag.
SIGNERS = {"minutes_signed_by_questioners": "提意见、建议或质询的人员/questioners",
           "minutes_signed_by_liaison_cadre": "包村（社区）干部/liaison cadre"}


@derive("meeting", uses=("meeting.attendance",))
def review_attendance(meeting: dict, ctx: Context):
    """How many came of each kind the plan names (an `extra.` kind is counted in `extra`)."""
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        for kind in ctx.thresholds.list("meeting.attendance"):
            if kind.startswith("extra."):
                # a head count in extra: a whole number (the string "7" or 2.5 is refused, not read as nobody)
                count, where = extra.count(record, kind[len("extra."):], path) or 0, f"{path}.{kind}"
            else:
                count, where = (record.get("attendance") or {}).get(kind, 0), f"{path}.attendance.{kind}"
            yield {"type": "review_attendance", "path": where, "kind": kind, "count": count}


@derive("meeting", uses=("meeting.segments",))
def review_segments(meeting: dict, ctx: Context):
    """How often each segment the plan prescribes is recorded."""
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        segments = list(record.get("segments", []))
        for segment in ctx.thresholds.list("meeting.segments"):
            yield {"type": "review_segment", "path": f"{path}.segments", "segment": segment,
                   "recorded": segments.count(segment)}


@derive("meeting", uses=("meeting.counters", "meeting.supervisors"))
def review_counters(meeting: dict, ctx: Context):
    """The vote counters and supervisors chosen, as people, and who is in both lists."""
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        # a person is their name word for word (normalized): the same name twice is one, a blank one nobody
        counting = {normalized(n): n.strip() for n in record.get("vote_counters", []) if normalized(n)}
        supervising = {normalized(n): n.strip() for n in record.get("vote_supervisors", []) if normalized(n)}
        both = sorted(counting[key] for key in counting.keys() & supervising.keys())
        yield {
            "type": "review_counters",
            "path": f"{path}.vote_counters",
            "counters": len(counting),
            "supervisors": len(supervising),
            "in_both": "、".join(both) or "无/none",
            "both": len(both),
            "required_counters": str(ctx.thresholds.get("meeting.counters")),
            "required_supervisors": str(ctx.thresholds.get("meeting.supervisors")),
        }


@derive("meeting")
def minutes_signatures(meeting: dict, ctx: Context):
    # Each signature is its own finding: an absent flag means the minutes were not signed.
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        for flag, signer in SIGNERS.items():
            yield {"type": "minutes_signature", "path": f"{path}.{flag}", "signer": signer,
                   "signed": record.get(flag) is True}


@derive("meeting", uses=("meeting.window",))
def review_date(meeting: dict, ctx: Context):
    """The day the meeting was held, against the yearly window (for the message)."""
    span = ctx.thresholds.get("meeting.window")
    for record, path in meetings_of(meeting, ctx.kind, "review_meeting"):
        held = day(record.get("date"))
        made = {"type": "review_date", "path": f"{path}.date", "date": held.isoformat() if held else "未填写/none",
                "window": f"{span['from']}…{span['to']}"}
        if held is not None:
            made["held"] = held.isoformat()
        yield made
