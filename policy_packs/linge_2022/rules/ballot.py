"""Evaluations and selections of 鄰鄂委發〔2022〕29號 二(一) 主要任務1 and 三 (考評機制).

Three kinds of ballot:
- the villagers' evaluation of each member's 五帶頭 (scheme `evaluation.scheme`, four levels),
  held in July and December: graded by its tallies;
- the annual democratic evaluation of members (scheme `household_sign.scheme`): its
  `final_grade` decides the household sign;
- selections (`purpose: selection`) of 共產黨員中心戶 (a share of the village's party
  households) and of the half-yearly stars (one of each per village).
"""

import datetime as dt
import math
from fractions import Fraction

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import combined_tallies, plurality, purpose_of, scheme_options, usable_rounds
from policyhub.rules.extra import pattern
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.rules import parse_month
from policyhub.rules import AWARDS, BALLOT_OPTIONS, CONSEQUENCES, label

SCHEMES = ("ballot.schemes", "ballot.default_scheme")


def _five_lead_evaluation(ballot: dict, ctx: Context) -> bool:
    scheme, _ = scheme_options(ballot, ctx.thresholds)
    return purpose_of(ballot) == "evaluation" and scheme == ctx.thresholds.str("evaluation.scheme")


def _subject_id(ballot: dict) -> str:
    return (ballot.get("subject") or {}).get("id", "")


@derive("ballot", uses=SCHEMES + ("evaluation.scheme", "evaluation.months"))
def evaluation_months(ballot: dict, ctx: Context):
    if not _five_lead_evaluation(ballot, ctx):
        return
    months = ctx.thresholds.list("evaluation.months")
    season_zh = "和".join(f"{n}月" for n in months)
    season_en = " and ".join(dt.date(2000, n, 1).strftime("%B") for n in months)
    for i, r in enumerate(ballot.get("rounds", [])):
        month = parse_month(r.get("month", ""))
        if month is not None:
            yield fact("evaluation_round", path=f"ballot.rounds[{i}].month", month=r["month"],
                       in_season=month[1] in months, season_zh=season_zh, season_en=season_en)


def _median(tallies: dict[str, int], options: list[str]) -> str | None:
    """The grade of the middle voter, best first; of two middles, the lower."""
    voters = [o for o in options for _ in range(tallies.get(o, 0))]
    return voters[len(voters) // 2] if voters else None


@derive("ballot", uses=SCHEMES + ("evaluation.scheme", "grade.method"))
def five_lead_grade(ballot: dict, ctx: Context):
    if not _five_lead_evaluation(ballot, ctx):
        return
    scheme, options = scheme_options(ballot, ctx.thresholds)
    tallies = combined_tallies(usable_rounds(ballot, ctx.thresholds))  # rounds the core checks pass
    method = ctx.thresholds.str("grade.method")
    grade = {"plurality": plurality, "median": _median}[method](tallies, options)
    if grade is not None:
        votes = ", ".join(f"{o} {tallies.get(o, 0)}" for o in options)
        yield fact("five_lead_grade", path="ballot.rounds", grade=grade, scheme=scheme,
                   subject_id=_subject_id(ballot), votes=votes)


@derive("ballot", uses=("household_sign.scheme", "household_sign.signs", "ballot.schemes"))
def household_sign(ballot: dict, ctx: Context):
    t = ctx.thresholds
    annual = t.get("ballot.schemes")[t.str("household_sign.scheme")]
    final = ballot.get("final_grade")
    if purpose_of(ballot) != "evaluation" or final not in annual:
        return
    sign = t.get("household_sign.signs").get(final)
    named = label(CONSEQUENCES, sign) if sign else {"zh": "不挂标识牌", "en": "no sign"}
    if sign:
        named["en"] = f"hang the {named['en']}"
    grade = label(BALLOT_OPTIONS, final)
    # A sign is the consequence, and says enough; with no sign (unqualified) the rulebook wants an
    # info note, so only that match speaks (severity "": no note for this match).
    yield fact("household_sign", path="ballot.final_grade", subject_id=_subject_id(ballot),
               grade_zh=grade["zh"], grade_en=grade["en"], sign_zh=named["zh"], sign_en=named["en"],
               consequences=[sign] if sign else [], **({"severity": ""} if sign else {}))


def _whole(share: Fraction, base: int, rounding: str, bound: str) -> int:
    households = share * base
    if rounding == "nearest":
        return math.floor(households + Fraction(1, 2))
    return math.ceil(households) if bound == "min" else math.floor(households)


@derive("ballot", uses=("central_household.min_share", "central_household.max_share",
                        "central_household.rounding"))
def central_household_quota(ballot: dict, ctx: Context):
    if purpose_of(ballot) != "selection" or ballot.get("award") != "central_household":
        return
    t = ctx.thresholds
    low, high = t.ratio("central_household.min_share"), t.ratio("central_household.max_share")
    base, selected = ballot.get("base_count"), ballot.get("selected", 0)
    shares = f"{float(low * 100):g}%–{float(high * 100):g}%"
    if not base:  # no party households given: the quota cannot be met or checked
        yield fact("central_household_quota", path="ballot.base_count", ok=False, shares=shares,
                   selected=selected, range_zh="未填写共产党员户总数，无法核定",
                   range_en="the number of party households is not given")
        return
    rounding = t.str("central_household.rounding")
    least, most = _whole(low, base, rounding, "min"), _whole(high, base, rounding, "max")
    yield fact("central_household_quota", path="ballot.selected", ok=least <= selected <= most,
               shares=shares, selected=selected,
               range_zh=f"{base}户中评选{least}—{most}户", range_en=f"{least} to {most} of {base}")


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
def star_quota(ballot: dict, ctx: Context):
    award = ballot.get("award")
    stars = ctx.thresholds.get("star.awards")  # code -> the seed's name of the star
    if purpose_of(ballot) != "selection" or award not in stars:
        return
    yield fact("star_selection", path="ballot.selected", award_zh=stars[award],
               award_en=label(AWARDS, award)["en"], half_year=_half_year(ballot), selected=ballot.get("selected", 0),
               quota=ctx.thresholds.int("star.per_half_year"))


@derive("ballot")
def evaluation_held(ballot: dict, ctx: Context):
    if purpose_of(ballot) == "evaluation":
        yield fact("evaluation_held", path="ballot", subject_id=_subject_id(ballot))


EVALUATION_MONTH = Rule(
    id="linge_2022.ballot.evaluation-month",
    clause="三",
    kinds=("ballot",),
    severity="warning",
    when=lambda t: (m.type == "evaluation_round") & (m.in_season == False),  # noqa: E712
    message={
        "zh": "群众对党员“五带头”表现的评价应在每年{season_zh}进行，本次在{month}",
        "en": "The villagers' evaluation of the five leads is held in {season_en}; this one in {month}",
    },
)

GRADE = Rule(
    id="linge_2022.ballot.grade",
    clause="三",
    kinds=("ballot",),
    grade=True,
    when=lambda t: m.type == "five_lead_grade",
)

POOR_REMINDER = Rule(
    id="linge_2022.ballot.poor-reminder",
    clause="三",
    kinds=("ballot",),
    consequences=("reminder_talk",),
    when=lambda t: (m.type == "five_lead_grade") & (m.grade == "poor"),
)

HOUSEHOLD_SIGN = Rule(
    id="linge_2022.ballot.household-sign",
    clause="二(一) 主要任務1",
    kinds=("ballot",),
    # the sign is the consequence (excellent, qualified); an unqualified member hangs none, which
    # the note says (info: not a violation)
    fact_consequences=("central_household_sign", "party_household_sign"),
    severity="info",
    when=lambda t: m.type == "household_sign",
    message={
        "zh": "年度民主评议结果为“{grade_zh}”：{sign_zh}",
        "en": "Annual democratic evaluation “{grade_en}”: {sign_en}",
    },
)

CENTRAL_HOUSEHOLD_QUOTA = Rule(
    id="linge_2022.ballot.central-household-quota",
    clause="三",
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "central_household_quota") & (m.ok == False),  # noqa: E712
    message={
        "zh": "“共产党员中心户”应按共产党员户总数{shares}的比例评选（{range_zh}）；实际评选{selected}户",
        "en": "Central party households are {shares} of the party households ({range_en}); {selected} selected",
    },
)

STAR_QUOTA = Rule(
    id="linge_2022.ballot.star-quota",
    clause="三",
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "star_selection") & (m.selected != m.quota),
    message={
        "zh": "各村（社区）每半年评选“{award_zh}”{quota}名；{half_year}评选了{selected}名",
        "en": "Each village selects {quota} “{award_en}” per half-year; {half_year}: {selected} selected",
    },
)

PUBLISH_RESULTS = Rule(
    id="linge_2022.ballot.publish-results",
    clause="三",
    kinds=("ballot",),
    severity="info",
    consequences=("publish_results",),
    when=lambda t: m.type == "evaluation_held",
    message={
        "zh": "评价结果应及时进行公示",
        "en": "The results of the evaluation are to be published promptly",
    },
)
