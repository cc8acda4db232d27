"""The measurements of the two-committee cadres' pledge (《职责履行与廉洁从政承诺书》, 三、2) its rule
(rules.yaml) compares: its integrity items, the day it was signed and its year."""

import datetime as dt

from policyhub.rules import Context, derive
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
    category = t.str("pledge.integrity_category")
    integrity_items = sum(1 for item in pledge.get("items", []) if item.get("category") == category)
    shown = dict(
        member=member.get("name") or member.get("id") or "?",
        deadline=deadline.isoformat() if year > 1 else deadline.isoformat()[5:],
        signed=signed.isoformat() if signed else "未签/none",
        integrity="有/yes" if integrity_items else "无/no",
        year=year,
    )
    yield {"type": "integrity_pledge", "path": "pledge.items", "check": "items", "integrity_items": integrity_items,
           **shown}
    made = {"type": "integrity_pledge", "path": "pledge.signed_at", "check": "signed", **shown}
    if signed is not None:
        made.update(signed_on=signed.isoformat(), signed_year=signed.year)
    yield made
