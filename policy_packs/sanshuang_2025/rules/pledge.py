"""The measurements the pledge rules of the 2025 “三双”“四双” activity (rules.yaml; 二、1 and 二、2)
compare: items per category, areas touched, what is left of an item once its stock phrases are
taken out, approvals per stage, the days of the last review and of publication. No verdicts.
Each item's repeats of last year's items are core.pledges' `pledge_item` (pack.yaml `uses`)."""

from __future__ import annotations

import datetime as dt

from policyhub.rules import Context, derive
from policyhub.rules.periods import day
from policyhub.rules.pledges import substance
from policyhub.rules import PLEDGE_CATEGORIES, REVIEW_LEVELS


def pledger_of(pledge: dict) -> str:
    """member or organization; a form that only names an organization is the organization's."""
    if pledge.get("pledger"):
        return pledge["pledger"]
    return "organization" if "organization" in pledge and "member" not in pledge else "member"


def pledge_year(pledge: dict, fallback: dt.date | None) -> int | None:
    """The pledge's year: its own `year`, else the year of the date being checked."""
    if pledge.get("year"):
        return int(pledge["year"])
    return fallback.year if fallback else None


def zh_labels(codes: dict, chosen, joiner: str = "、") -> str:
    return joiner.join(codes.get(c, (c, c))[0] for c in chosen)


def pledger_id(pledge: dict) -> str:
    """Who a consequence falls on: the member or the organization that pledged."""
    who = pledge.get(pledger_of(pledge), {})
    return who.get("id") or who.get("name", "")


def dated(fact: dict, name: str, year_name: str, when: dt.date | None, year: int | None) -> dict:
    """The fact with a date and its year when there is one, and the pledge's year: a deadline is a
    day of the pledge's year, so a rule compares the years, then the day of the year."""
    if when is not None:
        fact[name] = when.isoformat()
        fact[year_name] = when.year
    if year is not None:
        fact["year"] = year
    return fact


@derive("pledge", uses=("pledge.member_categories",))
def category_items(pledge: dict, ctx: Context):
    """二、1: how many of a member's items fall in each of the four categories."""
    if pledger_of(pledge) != "member":
        return
    categories = [item.get("category") for item in pledge.get("items", [])]
    for category in ctx.thresholds.list("pledge.member_categories"):
        yield {"type": "category_items", "path": "pledge.items", "category": category,
               "label": zh_labels(PLEDGE_CATEGORIES, [category]), "items": categories.count(category)}


@derive("pledge", uses=("org_focus.areas",))
def org_focus(pledge: dict, ctx: Context):
    """二、1: how many focus areas the two committees' items touch (an item touches an area when its
    text holds one of the area's keywords)."""
    if pledger_of(pledge) != "organization":
        return
    areas = ctx.thresholds.list("org_focus.areas")
    texts = [item.get("text", "") for item in pledge.get("items", [])]
    touched = sum(1 for a in areas if any(k in text for text in texts for k in a["keywords"]))
    yield {"type": "org_focus", "path": "pledge.items", "org_type": pledge.get("organization", {}).get("type", ""),
           "touched": touched, "areas": "、".join(a["name"] for a in areas),
           "areas_en": ", ".join(a["en"] for a in areas)}


@derive("pledge", uses=("pledge.hollow_phrases",))
def item_substance(pledge: dict, ctx: Context):
    """二、2: each item's characters and what is left of it once the stock phrases are taken out."""
    phrases = ctx.thresholds.list("pledge.hollow_phrases")
    subject = pledger_id(pledge)
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        chars, left = substance(text, phrases)
        yield {"type": "item_substance", "path": f"pledge.items[{i}].text", "item": i + 1, "text": text,
               "chars": chars, "left": left, "subject_id": subject}


@derive("pledge", uses=("review.first_levels", "review.final_levels"))
def review_stages(pledge: dict, ctx: Context):
    """二、2: how many approving reviews each stage (town or street, then the district) has."""
    approved = [r.get("level") for r in pledge.get("reviews", []) if r.get("approved") is True]
    for stage in ("review.first_levels", "review.final_levels"):
        levels = ctx.thresholds.list(stage)
        yield {"type": "review_stage", "path": "pledge.reviews", "stage": stage.split(".")[-1],
               "approved": sum(1 for level in approved if level in levels),
               "levels": zh_labels(REVIEW_LEVELS, levels, "或"), "levels_en": " or ".join(levels)}


@derive("pledge", uses=("pledge.review_deadline",))
def review_timing(pledge: dict, ctx: Context):
    """二、2: the day of the last dated review, and the pledge's year the deadline falls in."""
    dates = [d for r in pledge.get("reviews", []) if (d := day(r.get("at")))]
    if not dates:
        return  # no dated review: review-chain speaks for the missing reviews
    last = max(dates)
    year = pledge_year(pledge, last)
    deadline = ctx.thresholds.day_in_year("pledge.review_deadline", year)  # for the message
    yield dated({"type": "review_timing", "path": "pledge.reviews", "deadline": deadline.isoformat()},
                "last", "last_year", last, year)


@derive("pledge", uses=("pledge.publish_deadline",))
def publication(pledge: dict, ctx: Context):
    """二、2: the day the pledge was posted (absent when it was not), and the pledge's year."""
    published = day(pledge.get("published_at"))
    year = pledge_year(pledge, published)
    if year:  # for the message
        deadline = ctx.thresholds.day_in_year("pledge.publish_deadline", year).isoformat()
    else:  # no year: nothing was published either
        deadline = "%02d-%02d" % ctx.thresholds.month_day("pledge.publish_deadline")
    yield dated({"type": "publication", "path": "pledge.published_at", "deadline": deadline,
                 "published": published.isoformat() if published else "未公示",
                 "published_en": published.isoformat() if published else "not published"},
                "published_on", "published_year", published, year)

