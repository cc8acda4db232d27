"""The measurements the grading rules (rules.yaml, 五、3) compare: vote counts, no verdicts."""

from collections import Counter

from policyhub.rules import Context, derive
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


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds"))
def round_names(ballot: dict, ctx: Context):
    """The rounds by name against the two the plan requires (五、3: one village, one town)."""
    required = ctx.thresholds.list("ballot.rounds")
    _, options = scheme_options(ballot, ctx.thresholds)
    names = checked_rounds(ballot, options, ctx).names
    found = ", ".join(f"{n or '?'}×{c}" for n, c in sorted(Counter(names).items())) or "无/none"
    yield {
        "type": "round_names",
        "path": "ballot.rounds",
        "found": found,
        "required": ", ".join(required),
        "round_count": len(names),
        "required_count": len(required),
        "matched": sum((Counter(names) & Counter(required)).values()),  # rounds named as required
    }


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds", "ballot.share_base",
                        "grade.cumulative"))
def two_rounds(ballot: dict, ctx: Context):
    """The votes of the two rounds, as the grade's bars read them; none when the rounds cannot be graded."""
    t = ctx.thresholds
    required = t.list("ballot.rounds")
    scheme, options = scheme_options(ballot, t)
    checked = checked_rounds(ballot, options, ctx)  # shared with core.ballot's core_ballot_rounds
    if sorted(checked.names) != sorted(required) or not _GRADES.issubset(options):
        return  # not one village and one town round (rule rounds), or a scheme without the four grades
    rounds = checked.passing
    if len(rounds) != len(required):
        return  # a round failed a core check (reported by core.ballot): no grade
    rounds = sorted(rounds, key=lambda r: required.index(r.name))  # the rulebook's order
    share_base = t.str("ballot.share_base")
    bases = [r.base(share_base) for r in rounds]
    total = sum(bases)
    counted = votes_counted(rounds, options, t.bool("grade.cumulative"))
    incompetent = sum(r.tallies.get("incompetent", 0) for r in rounds)  # a vote against counts alone
    basic = sum(c["basically_competent"] for c in counted)

    def each(option: str) -> str:
        return ", ".join(f"{r.name} {percent(c[option], b)}" for r, c, b in zip(rounds, counted, bases))

    final = ballot.get("final_grade")
    yield {
        "type": "two_rounds",
        "subject_id": (ballot.get("subject") or {}).get("id", ""),
        "scheme": scheme,
        "total_base": total,
        "incompetent": incompetent,
        "basically_competent": basic,
        "rounds": [{"name": r.name, "base": b, "excellent": c["excellent"], "competent": c["competent"]}
                   for r, c, b in zip(rounds, counted, bases)],
        "committee_grade": final if final in options else "",
        "committee": final or "未给出/none",
        "basis": f"不称职 {percent(incompetent, total)}; 优秀 {each('excellent')}; "
                 f"称职 {each('competent')}; 基本称职 {percent(basic, total)}",
    }
