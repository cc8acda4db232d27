from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.core_ballot import *  # noqa: F401,F403


@derive("pledge", uses=("copies",))
def copies(pledge: dict, ctx: Context):
    yield fact("copies", copies=pledge.get("copies", 0), required=ctx.thresholds.int("copies"))
    # A fact no rule matches: it must not keep the others from firing.
    yield fact("unmatched", note="nothing reads this")


@derive("pledge")
def items(pledge: dict, ctx: Context):
    # Identical facts, told apart only by the engine's own index: both must fire.
    for i, item in enumerate(pledge.get("items", [])):
        if not item.get("text"):
            yield fact("empty_item", path=f"pledge.items[{i}].text")
        if item.get("text") == "RAISE":
            raise RuntimeError("a bug in a rule script")


@derive("meeting", "log", uses=("min_party_members",))
def attendance(sub: dict, ctx: Context):
    meetings = [sub] if ctx.kind == "meeting" else sub.get("meetings", [])
    for i, meeting in enumerate(meetings):
        count = meeting.get("attendance", {}).get("party_members", 0)
        yield fact("attendance", count=count, least=ctx.thresholds.int("min_party_members"),
                   path="meeting.attendance" if ctx.kind == "meeting" else f"log.meetings[{i}].attendance")


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme"))
def grade(ballot: dict, ctx: Context):
    from policyhub.rules.ballots import combined_tallies, plurality, scheme_options, usable_rounds

    scheme, options = scheme_options(ballot, ctx.thresholds)
    winner = plurality(combined_tallies(usable_rounds(ballot, ctx.thresholds)), options)
    if winner:
        yield fact("grade", grade=winner, scheme=scheme, subject_id=ballot.get("subject", {}).get("id", ""))


COPIES = Rule(
    id="demo_2020.pledge.copies", clause="一", kinds=("pledge",), severity="error",
    thresholds=(), path="pledge.copies",
    when=lambda t: (m.type == "copies") & (m.copies != m.required),
    message={"zh": "须{required}份，实为{copies}份", "en": "{required} copies required, got {copies}"},
)
EMPTY_ITEM = Rule(
    id="demo_2020.pledge.empty-item", clause="二", kinds=("pledge",), severity="warning",
    when=lambda t: m.type == "empty_item",
    message={"zh": "承诺事项为空", "en": "empty pledge item"},
)
ATTENDANCE = Rule(
    id="demo_2020.meeting.attendance", clause="三", kinds=("meeting", "log"), severity="error",
    when=lambda t: (m.type == "attendance") & (m.count < m.least),
    message={"zh": "无党员参加", "en": "no party members attended"},
)
GRADE = Rule(
    id="demo_2020.ballot.grade", clause="四", kinds=("ballot",), grade=True,
    when=lambda t: m.type == "grade",
)
POOR = Rule(
    id="demo_2020.ballot.incompetent", clause="四", kinds=("ballot",), severity="info",
    consequences=("admonition_talk", {"code": "pay_reduction", "params": {"ratio": 0.8}}),
    when=lambda t: (m.type == "grade") & (m.grade == "incompetent"),
    message={"zh": "不称职", "en": "incompetent"},
)
