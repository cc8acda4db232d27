"""The measurements the grading and escalation rules of 三、5 (rules.yaml) compare: the votes, the
committee's grade, and the run of unqualified years (`streak`). No verdicts."""

from policyhub.rules import Context, InvalidArgument, derive
from policyhub.rules.ballots import Share, combined_tallies, scheme_options, streak, usable_rounds


@derive(
    "ballot",
    uses=("ballot.schemes", "ballot.default_scheme", "ballot.share_base", "grade.unqualified_share", "escalation"),
)
def year_grade(ballot: dict, ctx: Context):
    t = ctx.thresholds
    subject = ballot.get("subject") or {}
    scheme, options = scheme_options(ballot, t)
    final = ballot.get("final_grade")
    committee = final if final in options else ""
    rounds = usable_rounds(ballot, t)
    base = sum(r.base(t.str("ballot.share_base")) for r in rounds)
    if not committee and (not rounds or base <= 0):
        return  # no round may be graded (core.ballot.* say why)
    unqualified = combined_tallies(rounds).get("unqualified", 0)
    roles = {subject.get("role")} | set(subject.get("roles", []))
    ratio = t.ratio("escalation.pay_ratio")
    made = {
        "type": "year_grade",
        "subject_id": subject.get("id", ""),
        "scheme": scheme,
        "base": base,
        "unqualified": unqualified,
        "committee_grade": committee,
        "elected": bool(roles & set(t.list("escalation.recall_roles"))),
        "pay_percent": f"{float(ratio) * 100:g}%",
    }
    history = ballot.get("history", [])
    year = ballot.get("year") or (ctx.date.year if ctx.date else None)
    if year is None:
        # Interpretation escalation-missing-year: with no year the run cannot be placed against the
        # history. Where no earlier year is unqualified it is this year's alone (1), whatever the year;
        # otherwise (or with `refuse`) an unqualified grade is refused: a guessed run could drop a
        # consequence. (Whether this year is unqualified is asked here only to refuse the request;
        # the grade itself is rules.yaml's.)
        certain = not any(h.get("grade") == "unqualified" for h in history)
        if not certain or t.str("escalation.missing_year") == "refuse":
            if committee == "unqualified" or (not committee and Share(unqualified, base) >= t.ratio("grade.unqualified_share")):
                raise InvalidArgument([("ballot.year", "required (or the request's date) to count the run of "
                                                       "unqualified years against ballot.history")])
            yield made  # qualified: nothing escalates, no run is counted
            return
        made["run_years"] = ["本年/this year"]
    else:
        # The unqualified years ending now, this year counted; a missing or qualified year breaks the run.
        run = streak(history, int(year), "unqualified", "unqualified")
        made["run_years"] = [str(y) for y in range(int(year) - run + 1, int(year) + 1)]
    made["run"] = len(made["run_years"])
    yield made
