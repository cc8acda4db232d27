"""The measurements the grading rules (rules.yaml, 五、3) compare: vote counts, no verdicts."""

from collections import Counter

from policyhub.rules import Context, derive, message_field
from policyhub.rules.ballots import checked_rounds, scheme_options

GRADES = ("excellent", "competent", "basically_competent", "incompetent")  # 五、3's four grades
_GRADES = frozenset(GRADES)


def percent(votes: int, total: int) -> str:
    """votes/total for messages only; the rules compare exact shares."""
    hundredths, rest = divmod(votes * 100, total)
    return f"{hundredths}%" if not rest else f"{votes * 100 / total:.2f}%"


@message_field("round_names", "found")
def rounds_found(fact: dict) -> str:
    return ", ".join(f"{n or '?'}×{c}" for n, c in sorted(Counter(fact["names"]).items())) or "无/none"


# What `rounds` works out from its thresholds, kept for the `ballot.rounds` list and scheme options it
# was made from (a loaded pack's thresholds do not change; a reload reads new lists and makes it anew):
# (ballot.rounds, its text, sorted, the options, whether they hold the four grades).
_plan: tuple = (None, "", [], None, False)


def _rounds_plan(required: list, options: list) -> tuple:
    global _plan
    plan = _plan  # one tuple, swapped whole: threads never mix two plans' parts
    if plan[0] is not required or plan[3] != options:
        plan = _plan = (required, ", ".join(required), sorted(required), list(options), _GRADES.issubset(options))
    return plan


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds", "ballot.share_base",
                        "grade.cumulative"))
def rounds(ballot: dict, ctx: Context):
    """The rounds by name against the two the plan requires (五、3: one village, one town), and when
    they can be graded, their votes as the grade's bars read them."""
    t = ctx.thresholds
    required = t.list("ballot.rounds")
    scheme, options = scheme_options(ballot, t)
    checked = checked_rounds(ballot, options, ctx)  # shared with core.ballot's core_ballot_rounds
    _, required_text, required_sorted, _, graded_scheme = _rounds_plan(required, options)
    names = checked.names
    as_required = sorted(names) == required_sorted
    # rounds and requirements paired by name, each used once
    paired = len(names) if as_required else sum((Counter(names) & Counter(required)).values())
    yield {
        "type": "round_names",
        "path": "ballot.rounds",
        "names": names,
        "required": required_text,
        "unpaired": len(names) + len(required) - 2 * paired,  # rounds not required, required rounds missing
    }
    if not as_required or not graded_scheme:
        return  # not one village and one town round (rule rounds), or a scheme without the four grades
    rounds = checked.passing
    if len(rounds) != len(required):
        return  # a round failed a core check (reported by core.ballot): no grade
    if names != required:
        rounds = sorted(rounds, key=lambda r: required.index(r.name))  # the rulebook's order
    valid = t.str("ballot.share_base") == "valid"  # RoundCount.base: valid ballots, else all cast
    cumulative = t.bool("grade.cumulative")
    # Per round, the votes that count for each option: with `cumulative` a vote for a higher grade
    # counts for the lower ones too (options run best first). One pass adds up the fact's totals.
    listed = []
    total_base = incompetent = basically_competent = 0
    for r in rounds:
        tallies = r.tallies
        if cumulative:
            running, counts = 0, {}
            for option in options:
                running += tallies.get(option, 0)
                counts[option] = running
        else:
            counts = {option: tallies.get(option, 0) for option in options}
        base = r.valid if valid else r.cast
        listed.append({"name": r.name, "base": base, "excellent": counts["excellent"], "competent": counts["competent"]})
        total_base += base
        incompetent += tallies.get("incompetent", 0)  # a vote against counts alone
        basically_competent += counts["basically_competent"]
    final = ballot.get("final_grade")
    yield {
        "type": "two_rounds",
        "subject_id": (ballot.get("subject") or {}).get("id", ""),
        "scheme": scheme,
        "total_base": total_base,
        "incompetent": incompetent,
        "basically_competent": basically_competent,
        "rounds": listed,
        "committee_grade": final if final in options else "",
        "committee": final or "未给出/none",
    }


@message_field("two_rounds", "basis")
def basis(fact: dict) -> str:
    """Every share the bars were compared with, for the message when none is met."""
    total, rounds = fact["total_base"], fact["rounds"]

    def each(option: str) -> str:
        return ", ".join(f"{r['name']} {percent(r[option], r['base'])}" for r in rounds)

    return (f"不称职 {percent(fact['incompetent'], total)}; 优秀 {each('excellent')}; "
            f"称职 {each('competent')}; 基本称职 {percent(fact['basically_competent'], total)}")
