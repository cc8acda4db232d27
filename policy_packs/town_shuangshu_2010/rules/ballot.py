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


def votes_counted(rounds, options: list[str], cumulative: bool) -> list[dict[str, int]]:
    """Per round, the votes that count for each option: with `cumulative` a vote for a higher
    grade counts for the lower ones too (options run best first)."""
    counted = []
    for r in rounds:
        running, counts = 0, {}
        for option in options:
            votes = r.tallies.get(option, 0)
            running += votes
            counts[option] = running if cumulative else votes
        counted.append(counts)
    return counted


@message_field("round_names", "found")
def rounds_found(fact: dict) -> str:
    return ", ".join(f"{n or '?'}×{c}" for n, c in sorted(Counter(fact["names"]).items())) or "无/none"


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds", "ballot.share_base",
                        "grade.cumulative"))
def rounds(ballot: dict, ctx: Context):
    """The rounds by name against the two the plan requires (五、3: one village, one town), and when
    they can be graded, their votes as the grade's bars read them."""
    t = ctx.thresholds
    required = t.list("ballot.rounds")
    scheme, options = scheme_options(ballot, t)
    checked = checked_rounds(ballot, options, ctx)  # shared with core.ballot's core_ballot_rounds
    names = checked.names
    as_required = sorted(names) == sorted(required)
    # rounds and requirements paired by name, each used once
    paired = len(names) if as_required else sum((Counter(names) & Counter(required)).values())
    yield {
        "type": "round_names",
        "path": "ballot.rounds",
        "names": names,
        "required": ", ".join(required),
        "unpaired": len(names) + len(required) - 2 * paired,  # rounds not required, required rounds missing
    }
    if not as_required or not _GRADES.issubset(options):
        return  # not one village and one town round (rule rounds), or a scheme without the four grades
    rounds = checked.passing
    if len(rounds) != len(required):
        return  # a round failed a core check (reported by core.ballot): no grade
    if names != required:
        rounds = sorted(rounds, key=lambda r: required.index(r.name))  # the rulebook's order
    share_base = t.str("ballot.share_base")
    counted = votes_counted(rounds, options, t.bool("grade.cumulative"))
    listed = [{"name": r.name, "base": r.base(share_base), "excellent": c["excellent"], "competent": c["competent"]}
              for r, c in zip(rounds, counted)]
    final = ballot.get("final_grade")
    yield {
        "type": "two_rounds",
        "subject_id": (ballot.get("subject") or {}).get("id", ""),
        "scheme": scheme,
        "total_base": sum(item["base"] for item in listed),
        "incompetent": sum(r.tallies.get("incompetent", 0) for r in rounds),  # a vote against counts alone
        "basically_competent": sum(c["basically_competent"] for c in counted),
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
