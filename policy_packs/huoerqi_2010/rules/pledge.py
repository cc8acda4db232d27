"""The two-committee cadres' pledge (《职责履行与廉洁从政承诺书》) of 霍尔奇社区's plan, 三、2."""

import datetime as dt

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day


@derive("pledge", uses=("pledge.signing_deadline", "pledge.cadre_roles", "pledge.integrity_category"))
def integrity_pledge(pledge: dict, ctx: Context):
    t = ctx.thresholds
    member = pledge.get("member") or {}
    if pledge.get("pledger", "member") != "member" or not set(member.get("roles", [])) & set(t.list("pledge.cadre_roles")):
        return  # only the two committees' cadres sign this pledge
    signed = day(pledge.get("signed_at"))
    # 年初 of the pledge's year; without `year`, of the year it was signed or submitted for.
    year = pledge.get("year") or (signed or ctx.date or dt.date.min).year
    # With no year at all the pledge is unsigned (else the signature gives it) and fires for that;
    # the deadline is then shown as the yearly day, not one of year 1.
    deadline = t.day_in_year("pledge.signing_deadline", year)
    shown = deadline.isoformat() if year > 1 else deadline.isoformat()[5:]
    category = t.str("pledge.integrity_category")
    has_integrity = any(item.get("category") == category for item in pledge.get("items", []))
    state = dict(
        member=member.get("name") or member.get("id") or "?",
        deadline=shown,
        signed=signed.isoformat() if signed else "未签/none",
        integrity="有/yes" if has_integrity else "无/no",
    )
    if not has_integrity:
        yield fact("integrity_pledge_gap", path="pledge.items", **state)
    if signed is None or signed > deadline:
        yield fact("integrity_pledge_gap", path="pledge.signed_at", **state)


INTEGRITY_PLEDGE = Rule(
    id="huoerqi_2010.pledge.integrity-pledge",
    clause="三、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "integrity_pledge_gap",
    message={
        "zh": "“两委”干部{member}须在{deadline}前签订含廉洁从政承诺的《职责履行与廉洁从政承诺书》；"
        "廉洁从政承诺：{integrity}，签订日期：{signed}",
        "en": "Two-committee cadre {member} must sign a duty-and-integrity pledge with an integrity item by "
        "{deadline}; integrity item: {integrity}, signed: {signed}",
    },
)
