"""Grading a village party secretary from the two rounds (五、3) and what follows from it (五、4)."""

from collections import Counter
from fractions import Fraction

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import Share, round_counts, scheme_options, usable_rounds
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.vocabulary import BALLOT_OPTIONS, label

GRADES = ("excellent", "competent", "basically_competent", "incompetent")  # 五、3's four grades
GRADE_KEYS = (
    "grade.cumulative",
    "grade.incompetent_combined",
    "grade.excellent_each_round",
    "grade.competent_each_round",
    "grade.basically_competent_combined",
)


def percent(share: Fraction) -> str:
    """A share for messages only; the decisions compare Fractions."""
    hundredths = share * 100
    return f"{hundredths.numerator}%" if hundredths.denominator == 1 else f"{float(hundredths):.2f}%"


def votes_for(option: str, options: list[str], cumulative: bool) -> list[str]:
    """The options whose votes count for `option`: itself, and with `cumulative` every higher one."""
    return options[: options.index(option) + 1] if cumulative else [option]


def decide(rounds, options: list[str], t, share_base: str) -> tuple[str | None, str]:
    """The grade by the rulebook's order of checks, and the shares that decided it."""
    cumulative = t.bool("grade.cumulative")

    def combined(option: str, cumulative: bool = cumulative) -> Fraction:
        counted = votes_for(option, options, cumulative)
        votes = sum(r.tallies.get(o, 0) for r in rounds for o in counted)
        return Share(votes, sum(r.base(share_base) for r in rounds))

    def each(option: str) -> list[Fraction]:
        return [r.share(votes_for(option, options, cumulative), share_base) for r in rounds]

    def each_text(shares: list[Fraction]) -> str:
        return ", ".join(f"{r.name} {percent(s)}" for r, s in zip(rounds, shares))

    incompetent = combined("incompetent", cumulative=False)  # a vote against counts alone
    if incompetent >= t.ratio("grade.incompetent_combined"):
        return "incompetent", f"不称职 incompetent {percent(incompetent)}"
    excellent = each("excellent")
    if all(s >= t.ratio("grade.excellent_each_round") for s in excellent):
        return "excellent", f"优秀 excellent {each_text(excellent)}"
    competent = each("competent")
    if all(s >= t.ratio("grade.competent_each_round") for s in competent):
        return "competent", f"称职 competent {each_text(competent)}"
    basic = combined("basically_competent")
    if basic >= t.ratio("grade.basically_competent_combined"):
        return "basically_competent", f"基本称职 basically competent {percent(basic)}"
    return None, (
        f"不称职 {percent(incompetent)}; 优秀 {each_text(excellent)}; 称职 {each_text(competent)}; "
        f"基本称职 {percent(basic)}"
    )


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "ballot.rounds", "ballot.share_base") + GRADE_KEYS)
def two_round_grade(ballot: dict, ctx: Context):
    t = ctx.thresholds
    subject_id = (ballot.get("subject") or {}).get("id", "")
    required = t.list("ballot.rounds")
    names = Counter(r.name for r in round_counts(ballot))
    if names != Counter(required):
        # Not exactly one village and one town round: no grade.
        found = ", ".join(f"{n or '?'}×{c}" for n, c in sorted(names.items())) or "无/none"
        yield fact("rounds_mismatch", path="ballot.rounds", found=found, required=", ".join(required))
        return
    scheme, options = scheme_options(ballot, t)
    if not set(GRADES) <= set(options):
        return  # a scheme without the four grades cannot be graded here (its tallies fail core.ballot.*)
    rounds = sorted(usable_rounds(ballot, t), key=lambda r: required.index(r.name))
    if len(rounds) != len(required):
        return  # a round failed a core check (reported by core.ballot.*): no grade
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
    yield fact(
        "grade",
        subject_id=subject_id,
        scheme=scheme,
        grade=grade,
        grade_zh=label(BALLOT_OPTIONS, grade)["zh"],
        grade_en=label(BALLOT_OPTIONS, grade)["en"],
        basis=basis,
    )


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
