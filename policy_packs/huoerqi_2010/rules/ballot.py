"""Grading the community's cadres and escalating repeated “unqualified” grades, 三、5."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import Share, combined_tallies, scheme_options, streak, usable_rounds
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.rules import InvalidArgument


def grade_of(ballot: dict, t) -> tuple[str | None, str]:
    """The committee's final_grade when given, else unqualified at the share bar (interpretation)."""
    _, options = scheme_options(ballot, t)
    final = ballot.get("final_grade")
    if final in options:
        return final, "final_grade"
    rounds = usable_rounds(ballot, t)
    base = sum(r.base(t.str("ballot.share_base")) for r in rounds)
    if not rounds or base <= 0:
        return None, ""  # no round may be graded (core.ballot.* say why)
    share = Share(combined_tallies(rounds).get("unqualified", 0), base)
    grade = "unqualified" if share >= t.ratio("grade.unqualified_share") else "qualified"
    return grade, f"unqualified {float(share) * 100:.2f}%"


def measures(run: int, subject: dict, t) -> tuple[list, str, str]:
    """三、5: the consequences of `run` unqualified years in a row, with their zh and en wording."""
    # Every rung is compared with the run (not only until one matches), so each bound is seen from both sides.
    reached = {rung: run >= t.int(f"escalation.{rung}_run") for rung in ("removal", "admonition", "warning")}
    if reached["removal"]:
        # Elected residents' committee members are recalled by the residents; others are dismissed.
        roles = {subject.get("role")} | set(subject.get("roles", []))
        if roles & set(t.list("escalation.recall_roles")):
            return ["recall_recommended"], "建议社区居民大会按程序罢免", "recall by the residents' assembly recommended"
        return ["dismissal"], "按有关组织程序予以免职", "dismissal through the party's procedure"
    if reached["admonition"]:
        ratio = float(t.ratio("escalation.pay_ratio"))
        return (
            ["admonition_talk", {"code": "pay_reduction", "params": {"ratio": ratio}}],
            f"由街道诫勉谈话，工资按原工资的{ratio * 100:g}%发放",
            f"admonition talk by the street office; pay at {ratio * 100:g}% of the former pay",
        )
    if reached["warning"]:
        return ["warning_talk"], "予以警示谈话", "warning talk"
    return [], "", ""


@derive(
    "ballot",
    uses=("ballot.schemes", "ballot.default_scheme", "ballot.share_base", "grade.unqualified_share", "escalation"),
)
def grade_and_escalation(ballot: dict, ctx: Context):
    t = ctx.thresholds
    subject = ballot.get("subject") or {}
    grade, basis = grade_of(ballot, t)
    if grade is None:
        return
    scheme, _ = scheme_options(ballot, t)
    yield fact("grade", subject_id=subject.get("id", ""), scheme=scheme, grade=grade, basis=basis)

    history = ballot.get("history", [])
    year = ballot.get("year") or (ctx.date.year if ctx.date else None)
    if year is None:
        # Interpretation escalation-missing-year: with no year the run cannot be placed against the
        # history. Where no earlier year is unqualified it is this year's alone (1), whatever the year;
        # otherwise (or with `refuse`) the request is refused: a guessed run could drop a consequence.
        certain = not any(h.get("grade") == "unqualified" for h in history)
        if grade == "unqualified" and (not certain or t.str("escalation.missing_year") == "refuse"):
            raise InvalidArgument([("ballot.year", "required (or the request's date) to count the run of "
                                                   "unqualified years against ballot.history")])
        year = 1 + max((int(h["year"]) for h in history if "year" in h), default=0)  # any year after the history
    # The run of unqualified years ending now; a missing or qualified year breaks it (0 when qualified now).
    run = streak(history, int(year), grade, "unqualified")
    consequences, measures_zh, measures_en = measures(run, subject, t)
    if consequences:
        yield fact(
            "escalation",
            path="ballot.history",
            subject_id=subject.get("id", ""),
            run=run,
            measures_zh=measures_zh,
            measures_en=measures_en,
            consequences=consequences,
        )


GRADE = Rule(
    id="huoerqi_2010.ballot.grade",
    clause="三、5",
    kinds=("ballot",),
    grade=True,
    when=lambda t: m.type == "grade",
)

ESCALATION = Rule(
    id="huoerqi_2010.ballot.escalation",
    clause="三、5",
    kinds=("ballot",),
    # The consequences come from the fact: they depend on the run. The note (info: not a violation)
    # says which run it is, the reason for them.
    fact_consequences=("warning_talk", "admonition_talk", "pay_reduction", "dismissal", "recall_recommended"),
    severity="info",
    when=lambda t: m.type == "escalation",
    message={
        "zh": "连续第{run}年被评为不合格：{measures_zh}",
        "en": "Unqualified for {run} year(s) in a row: {measures_en}",
    },
)
