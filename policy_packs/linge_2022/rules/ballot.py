"""The measurements the ballot rules of 鄰鄂委發〔2022〕29號 二(一) 主要任務1 and 三 (考評機制) compare
(rules.yaml): the villagers' votes and the months their evaluation was held, selections and their
bases. The core vote-count checks come from the `core.ballot` library (pack.yaml `uses:`).

Three kinds of ballot:
- the villagers' evaluation of each member's 五帶頭 (scheme `evaluation.scheme`, four levels),
  held in July and December: graded by its tallies;
- the annual democratic evaluation of members (scheme `household_sign.scheme`): its
  `final_grade` decides the household sign (rules.yaml);
- selections (`purpose: selection`) of 共產黨員中心戶 (a share of the village's party
  households) and of the half-yearly stars (one of each per village).
"""

import datetime as dt
import math
from fractions import Fraction

from policyhub.rules import AWARDS, BALLOT_OPTIONS, Context, derive, label, parse_month
from policyhub.rules.ballots import checked_rounds, combined_tallies, purpose_of, scheme_options
from policyhub.rules.extra import pattern

FOUR_LEVELS = ("good", "fairly_good", "average", "poor")  # 三: 好、較好、一般、差, best first


def _subject_id(ballot: dict) -> str:
    return (ballot.get("subject") or {}).get("id", "")


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme", "evaluation.months"))
def evaluation_rounds(ballot: dict, ctx: Context):
    """三: the month each round was held in (the season, for the message)."""
    scheme, _ = scheme_options(ballot, ctx.thresholds)
    months = ctx.thresholds.list("evaluation.months")
    season_zh = "和".join(f"{n}月" for n in months)
    season_en = " and ".join(dt.date(2000, n, 1).strftime("%B") for n in months)
    for i, r in enumerate(ballot.get("rounds", [])):
        month = parse_month(r.get("month", ""))
        if month is not None:
            yield {"type": "evaluation_round", "path": f"ballot.rounds[{i}].month", "purpose": purpose_of(ballot),
                   "scheme": scheme, "month": r["month"], "month_number": month[1],
                   "season_zh": season_zh, "season_en": season_en}


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme"))
def villagers_votes(ballot: dict, ctx: Context):
    """三: the votes for each of the four levels, the rounds the core checks pass added up, and
    how many voted at least fairly good, at least average (for the middle voter's grade)."""
    scheme, options = scheme_options(ballot, ctx.thresholds)
    tallies = combined_tallies(checked_rounds(ballot, options, ctx).passing)
    votes = {o: tallies.get(o, 0) for o in FOUR_LEVELS}
    yield {"type": "ballot_votes", "path": "ballot", "purpose": purpose_of(ballot), "scheme": scheme,
           "subject_id": _subject_id(ballot), **votes, "votes": sum(votes.values()),
           "fairly_good_or_better": votes["good"] + votes["fairly_good"],
           "average_or_better": votes["good"] + votes["fairly_good"] + votes["average"]}


@derive("ballot", uses=("household_sign.scheme", "ballot.schemes"))
def annual_evaluation(ballot: dict, ctx: Context):
    """二(一) 主要任務1: an evaluation's final grade in the annual scheme (優秀 / 合格 / 不合格) and its names."""
    t = ctx.thresholds
    final = ballot.get("final_grade")
    if purpose_of(ballot) != "evaluation" or final not in t.get("ballot.schemes")[t.str("household_sign.scheme")]:
        return
    grade = label(BALLOT_OPTIONS, final)
    yield {"type": "annual_evaluation", "path": "ballot.final_grade", "subject_id": _subject_id(ballot),
           "final_grade": final, "grade_zh": grade["zh"], "grade_en": grade["en"]}


def _whole(share: Fraction, base: int, rounding: str, bound: str) -> int:
    households = share * base
    if rounding == "nearest":
        return math.floor(households + Fraction(1, 2))
    return math.ceil(households) if bound == "min" else math.floor(households)


@derive("ballot", uses=("central_household.min_share", "central_household.max_share",
                        "central_household.rounding"))
def central_household_selection(ballot: dict, ctx: Context):
    """三: how many central party households were selected of how many party households, and the
    bounds in whole households (rounded as `central_household.rounding` says)."""
    if purpose_of(ballot) != "selection" or ballot.get("award") != "central_household":
        return
    t = ctx.thresholds
    low, high = t.ratio("central_household.min_share"), t.ratio("central_household.max_share")
    base, selected = ballot.get("base_count"), ballot.get("selected", 0)
    found = {"type": "central_household_selection", "path": "ballot.selected", "selected": selected,
             "shares": f"{float(low * 100):g}%–{float(high * 100):g}%"}
    if not base:  # no party households given: the quota cannot be met or checked
        found.update(path="ballot.base_count", range_zh="未填写共产党员户总数，无法核定",
                     range_en="the number of party households is not given")
        if base is not None:
            found["base_count"] = base
        yield found
        return
    rounding = t.str("central_household.rounding")
    least, most = _whole(low, base, rounding, "min"), _whole(high, base, rounding, "max")
    yield {**found, "base_count": base, "least": int(least), "most": int(most),
           "range_zh": f"{base}户中评选{least}—{most}户", "range_en": f"{least} to {most} of {base}"}


def _half_year(ballot: dict) -> str:
    """extra.half_year ("2022-H2") when given; else from the rounds' month; else the year."""
    given = pattern(ballot, "half_year", "ballot", r"[0-9]{4}-H[12]", "a half-year YYYY-H1 or YYYY-H2")
    if given:
        return given
    for r in ballot.get("rounds", []):
        month = parse_month(r.get("month", ""))
        if month:
            return f"{month[0]}-H{1 if month[1] <= 6 else 2}"
    return str(ballot.get("year", ""))


@derive("ballot", uses=("star.awards", "star.per_half_year"))
def star_selection(ballot: dict, ctx: Context):
    """三: how many of one star a village selected in a half-year (the quota, for the message)."""
    award = ballot.get("award")
    stars = ctx.thresholds.get("star.awards")  # code -> the seed's name of the star
    if purpose_of(ballot) != "selection" or award not in stars:
        return
    yield {"type": "star_selection", "path": "ballot.selected", "award_zh": stars[award],
           "award_en": label(AWARDS, award)["en"], "half_year": _half_year(ballot),
           "selected": ballot.get("selected", 0), "quota": ctx.thresholds.int("star.per_half_year")}
