"""Grading a village party secretary from the two rounds (五、3) and what follows from it (五、4)."""

from collections import Counter
from fractions import Fraction

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import checked_rounds, reaches, scheme_options
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.vocabulary import BALLOT_OPTIONS, label

GRADES = ("excellent", "competent", "basically_competent", "incompetent")  # 五、3's four grades
_GRADES = frozenset(GRADES)
GRADE_KEYS = (
    "grade.cumulative",
    "grade.incompetent_combined",
    "grade.excellent_each_round",
    "grade.competent_each_round",
    "grade.basically_competent_combined",
)


def percent(votes: int, total: int) -> str:
    """votes/total for messages only; the decisions compare exact shares."""
    hundredths, rest = divmod(votes * 100, total)
    # int / int is correctly rounded, as float(Fraction) is
    return f"{hundredths}%" if not rest else f"{votes * 100 / total:.2f}%"


def decide(rounds, options: list[str], t, share_base: str) -> tuple[str | None, str]:
    """The grade by the rulebook's order of checks, and the shares that decided it.

    Every bar is compared through `reaches` (exact): under threshold coverage the bars are tracked
    values that record each comparison, so the checks stop where the rulebook's do (at the first
    round short of an each-round bar) and compare nothing more.
    """
    cumulative = t.bool("grade.cumulative")
    bases = [r.base(share_base) for r in rounds]
    total = sum(bases)
    incompetent = sum([r.tallies.get("incompetent", 0) for r in rounds])  # a vote against counts alone
    if reaches(incompetent, total, t.ratio("grade.incompetent_combined")):
        return "incompetent", f"不称职 incompetent {percent(incompetent, total)}"
    counted = votes_counted(rounds, options, cumulative)
    if each_reaches(counted, bases, "excellent", t.ratio("grade.excellent_each_round")):
        return "excellent", f"优秀 excellent {each_text(rounds, counted, bases, 'excellent')}"
    if each_reaches(counted, bases, "competent", t.ratio("grade.competent_each_round")):
        return "competent", f"称职 competent {each_text(rounds, counted, bases, 'competent')}"
    basic = sum([c["basically_competent"] for c in counted])
    if reaches(basic, total, t.ratio("grade.basically_competent_combined")):
        return "basically_competent", f"基本称职 basically competent {percent(basic, total)}"
    return None, (
        f"不称职 {percent(incompetent, total)}; 优秀 {each_text(rounds, counted, bases, 'excellent')}; "
        f"称职 {each_text(rounds, counted, bases, 'competent')}; 基本称职 {percent(basic, total)}"
    )


def votes_counted(rounds, options: list[str], cumulative: bool) -> list[dict[str, int]]:
    """Per round, the votes that count for each option: with `cumulative` a vote for a higher
    grade counts for the lower ones too (options run best first)."""
    counted = []
    for r in rounds:
        tallies, running, counts = r.tallies, 0, {}
        for option in options:
            votes = tallies.get(option, 0)
            running += votes
            counts[option] = running if cumulative else votes
        counted.append(counts)
    return counted


def each_reaches(counted: list[dict[str, int]], bases: list[int], option: str, bar: Fraction) -> bool:
    """Whether every round's share for `option` reaches `bar`, stopping at the first that does not."""
    for votes, base in zip(counted, bases):
        if not reaches(votes[option], base, bar):
            return False
    return True


def each_text(rounds, counted: list[dict[str, int]], bases: list[int], option: str) -> str:
    return ", ".join([f"{r.name} {percent(c[option], base)}" for r, c, base in zip(rounds, counted, bases)])


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds", "ballot.share_base") + GRADE_KEYS)
def two_round_grade(ballot: dict, ctx: Context):
    t = ctx.thresholds
    subject_id = (ballot.get("subject") or {}).get("id", "")
    required = t.list("ballot.rounds")
    scheme, options = scheme_options(ballot, t)
    checked = checked_rounds(ballot, options, ctx)  # shared with core_ballot_rounds
    names = checked.names
    if names != required and sorted(names) != sorted(required):
        # Not exactly one village and one town round: no grade.
        found = ", ".join(f"{n or '?'}×{c}" for n, c in sorted(Counter(names).items())) or "无/none"
        yield fact("rounds_mismatch", path="ballot.rounds", found=found, required=", ".join(required))
        return
    if not _GRADES.issubset(options):
        return  # a scheme without the four grades cannot be graded here (its tallies fail core.ballot.*)
    rounds = checked.passing
    if len(rounds) != len(required):
        return  # a round failed a core check (reported by core.ballot.*): no grade
    if names != required:  # every round is graded: put them in the rulebook's order, as the basis names them
        rounds = sorted(rounds, key=lambda r: required.index(r.name))
    grade, basis = decide(rounds, options, t, t.str("ballot.share_base"))
    final = ballot.get("final_grade")
    if grade is None:
        # The votes decide nothing: the town committee's own grade (final_grade), if any, stands.
        yield fact(
            "undecided",
            path="ballot.rounds",
            subject_id=subject_id,
            basis=basis,
            committee=final or "未给出/none",
        )
        if final not in options:
            return
        grade, basis = final, "镇党委研定 final_grade"
    grade_label = label(BALLOT_OPTIONS, grade)
    yield {  # fact("grade", ...) as a literal: every graded ballot makes one
        "type": "grade",
        "subject_id": subject_id,
        "scheme": scheme,
        "grade": grade,
        "grade_zh": grade_label["zh"],
        "grade_en": grade_label["en"],
        "basis": basis,
    }


ROUNDS = Rule(
    id="town_shuangshu_2010.ballot.rounds",
    clause="五、3",
    kinds=("ballot",),
    severity="error",
    when=lambda t: m.type == "rounds_mismatch",
    message={
        "zh": "评议须有村述村评、村述镇评各一轮测评（{required}），实际：{found}；不能确定等次",
        "en": "The evaluation needs exactly one village and one town round ({required}); found: {found}. "
        "No grade is given",
    },
)

GRADE = Rule(
    id="town_shuangshu_2010.ballot.grade",
    clause="五、3",
    kinds=("ballot",),
    grade=True,
    when=lambda t: m.type == "grade",
)

UNDECIDED = Rule(
    id="town_shuangshu_2010.ballot.undecided",
    clause="五、3",
    kinds=("ballot",),
    severity="warning",
    when=lambda t: m.type == "undecided",
    message={
        "zh": "两次测评票数未达到任何等次的标准（{basis}），等次由镇党委研定；镇党委评定：{committee}",
        "en": "The two rounds' votes meet no grade's bar ({basis}); the town committee decides the grade. "
        "Committee's grade: {committee}",
    },
)

INCOMPETENT_CONSEQUENCE = Rule(
    id="town_shuangshu_2010.ballot.incompetent-consequence",
    clause="五、4",
    kinds=("ballot",),
    when=lambda t: (m.type == "grade") & (m.grade == "incompetent"),
    consequences=("admonition_talk", "rectify_within_deadline"),
)

PAY_LINK = Rule(
    id="town_shuangshu_2010.ballot.pay-link",
    clause="五、4",
    kinds=("ballot",),
    severity="info",
    path="ballot",
    when=lambda t: m.type == "grade",
    message={
        "zh": "评议结果“{grade_zh}”须及时公布，作为村“两委”班子年终考核的主要内容，并与村干部绩效工资挂钩",
        "en": "The result “{grade_en}” is to be published, counted in the year-end review of the two committees "
        "and linked to the village cadres' performance pay",
    },
    consequences=("performance_pay_linked", "publish_results"),
)
