"""The measurements the pledge rules of the street's “我是党员我承诺” activity (rules.yaml; 一、二 and 三)
compare: items per required category, the form's signature, roles, distinct items, approvals,
channels, filing places and the day the pledge was made public. No verdicts. Each item's length is
core.pledges' `pledge_item` (pack.yaml `uses`)."""

from __future__ import annotations

import datetime as dt

from policyhub.rules import Context, derive
from policyhub.rules.periods import day
from policyhub.rules.pledges import distinct_texts
from policyhub.rules import FILING_PLACES, MEMBER_ROLES, PLEDGE_CATEGORIES, PUBLICATION_CHANNELS, REVIEW_LEVELS


def pledger_of(pledge: dict) -> str:
    """member or organization; a form that only names an organization is the organization's."""
    if pledge.get("pledger"):
        return pledge["pledger"]
    return "organization" if "organization" in pledge and "member" not in pledge else "member"


def roles_of(pledge: dict) -> list[str]:
    return list(dict.fromkeys(pledge.get("member", {}).get("roles", []))) if pledger_of(pledge) == "member" else []


def zh(codes: dict, chosen, joiner: str = "、") -> str:
    return joiner.join(codes.get(c, (c, c))[0] for c in chosen)


@derive("pledge", uses=("pledge.required_categories",))
def category_items(pledge: dict, ctx: Context):
    """二: how many of a member's items fall in each required group (a political pledge; a duty or a deed pledge)."""
    if pledger_of(pledge) != "member":
        return
    categories = [item.get("category") for item in pledge.get("items", [])]
    for alternatives in ctx.thresholds.list("pledge.required_categories"):
        yield {"type": "category_items", "path": "pledge.items", "items": sum(map(categories.count, alternatives)),
               "wanted": zh(PLEDGE_CATEGORIES, alternatives, "或"), "wanted_en": " or ".join(alternatives)}


@derive("pledge", uses=("pledge.oral_roles",))
def pledge_form(pledge: dict, ctx: Context):
    """一、3 and 三、2: oral or written, whether written ones are signed, and how many of the member's
    roles may pledge orally."""
    if pledger_of(pledge) != "member":
        return
    oral = pledge.get("oral") is True
    oral_roles = ctx.thresholds.list("pledge.oral_roles")
    yield {"type": "pledge_form", "path": "pledge.oral" if oral else "pledge.signed_at", "oral": oral,
           "signed": day(pledge.get("signed_at")) is not None,
           "oral_roles": sum(1 for role in roles_of(pledge) if role in oral_roles),
           "reason": "该党员不属于可口头承诺的人员" if oral else "书面承诺书未签名",
           "reason_en": "this member may not pledge orally" if oral else "the written pledge is not signed"}


@derive("pledge", uses=("pledge.non_party_roles",))
def non_party_roles(pledge: dict, ctx: Context):
    """一、3: how many of the pledger's roles are an activist's or non-party staff's."""
    if pledger_of(pledge) != "member":
        return
    roles = sorted(set(roles_of(pledge)).intersection(ctx.thresholds.list("pledge.non_party_roles")))
    yield {"type": "non_party_roles", "path": "pledge.member.roles", "roles": len(roles),
           "name": pledge.get("member", {}).get("name", ""),
           "roles_zh": zh(MEMBER_ROLES, roles), "roles_en": ", ".join(roles)}


@derive("pledge", uses=("pledge.leader_roles",))
def leader_items(pledge: dict, ctx: Context):
    """一、3: how many of the member's roles are a leading cadre's, and how many different items they pledge."""
    if pledger_of(pledge) != "member":
        return
    leader_roles = ctx.thresholds.list("pledge.leader_roles")
    yield {"type": "leader_items", "path": "pledge.items",
           "leader_roles": sum(1 for role in roles_of(pledge) if role in leader_roles),
           # the same item twice is one
           "count": distinct_texts(item.get("text", "") for item in pledge.get("items", []))}


@derive("pledge", uses=("review.levels",))
def review(pledge: dict, ctx: Context):
    """三、3: how many reviews at the pledger's levels approved the pledge."""
    levels = ctx.thresholds.list(f"review.levels.{pledger_of(pledge)}")
    yield {"type": "review", "path": "pledge.reviews",
           "approved": sum(1 for r in pledge.get("reviews", []) if r.get("approved") is True and r.get("level") in levels),
           "levels": zh(REVIEW_LEVELS, levels, "或"), "levels_en": " or ".join(levels)}


@derive("pledge", uses=("publicity.channels",))
def publicity(pledge: dict, ctx: Context):
    """三、4: how many of the channels used are the plan's."""
    channels = ctx.thresholds.list("publicity.channels")
    yield {"type": "publicity", "path": "pledge.publication_channels",
           "used": len(set(pledge.get("publication_channels", [])).intersection(channels)),
           "channels": zh(PUBLICATION_CHANNELS, channels), "channels_en": ", ".join(channels)}


@derive("pledge", uses=("filing.places",))
def filing(pledge: dict, ctx: Context):
    """三、4: how many of the places the pledge is filed with are the plan's."""
    places = ctx.thresholds.list("filing.places")
    yield {"type": "filing", "path": "pledge.filed_with",
           "filed": len(set(pledge.get("filed_with", [])).intersection(places)),
           "places": zh(FILING_PLACES, places, "或"), "places_en": " or ".join(places)}


@derive("pledge", uses=("pledge.first_deadline", "pledge.later_deadline"))
def publication(pledge: dict, ctx: Context):
    """三: the day the pledge was made public, its year, and the day that year began (the first
    round's deadline holds for a year begun by then, a later year's deadline is a day of it)."""
    published = day(pledge.get("published_at"))
    if published is None:
        return  # nothing published: the publicity rule speaks for it
    year = int(pledge.get("year") or published.year)
    first = ctx.thresholds.date("pledge.first_deadline")
    # for the message: the day the rule holds the pledge to
    due = first if year <= first.year else ctx.thresholds.day_in_year("pledge.later_deadline", year)
    yield {"type": "publication", "path": "pledge.published_at", "year": year,
           "year_start": dt.date(year, 1, 1).isoformat(), "published_on": published.isoformat(),
           "published_year": published.year, "published": published.isoformat(), "due": due.isoformat()}
