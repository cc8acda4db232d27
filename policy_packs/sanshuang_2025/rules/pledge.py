"""Pledge rules of the 2025 “三双”“四双” activity (二、1 and 二、2)."""

from __future__ import annotations

import datetime as dt

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day
from policyhub.rules.pledges import is_hollow, normalized
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


@derive("pledge", uses=("pledge.member_categories",))
def missing_categories(pledge: dict, ctx: Context):
    if pledger_of(pledge) != "member":
        return
    present = {item.get("category") for item in pledge.get("items", [])}
    for category in ctx.thresholds.list("pledge.member_categories"):
        if category not in present:
            yield fact("category_missing", path="pledge.items", category=category,
                       label=zh_labels(PLEDGE_CATEGORIES, [category]))


@derive("pledge", uses=("org_focus.org_types", "org_focus.areas"))
def org_focus(pledge: dict, ctx: Context):
    org = pledge.get("organization", {})
    if pledger_of(pledge) != "organization" or org.get("type") not in ctx.thresholds.list("org_focus.org_types"):
        return
    areas = ctx.thresholds.list("org_focus.areas")
    texts = [item.get("text", "") for item in pledge.get("items", [])]
    touched = [a["name"] for a in areas if any(k in text for text in texts for k in a["keywords"])]
    yield fact("org_focus", path="pledge.items", touched=bool(touched),
               areas="、".join(a["name"] for a in areas), areas_en=", ".join(a["en"] for a in areas))


@derive("pledge", uses=("pledge.min_item_chars", "pledge.hollow_phrases"))
def vague_items(pledge: dict, ctx: Context):
    min_chars = ctx.thresholds.int("pledge.min_item_chars")
    phrases = ctx.thresholds.list("pledge.hollow_phrases")
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        if is_hollow(text, min_chars, phrases):
            yield fact("vague_item", path=f"pledge.items[{i}].text", item=i + 1, text=text, min_chars=min_chars,
                       subject_id=pledger_id(pledge))


@derive("pledge", uses=("review.first_levels", "review.final_levels"))
def review_chain(pledge: dict, ctx: Context):
    approved = {r.get("level") for r in pledge.get("reviews", []) if r.get("approved") is True}
    for stage in ("review.first_levels", "review.final_levels"):
        levels = ctx.thresholds.list(stage)
        if not approved.intersection(levels):
            yield fact("review_stage_missing", path="pledge.reviews", stage=stage.split(".")[-1],
                       levels=zh_labels(REVIEW_LEVELS, levels, "或"), levels_en=" or ".join(levels))


@derive("pledge", uses=("pledge.review_deadline",))
def review_deadline(pledge: dict, ctx: Context):
    dates = [d for r in pledge.get("reviews", []) if (d := day(r.get("at")))]
    if not dates:
        return  # no dated review: review-chain speaks for the missing reviews
    last = max(dates)
    year = pledge_year(pledge, last)
    deadline = ctx.thresholds.day_in_year("pledge.review_deadline", year)
    yield fact("review_timing", path="pledge.reviews", last=last.isoformat(),
               deadline=deadline.isoformat(), late=last > deadline)


@derive("pledge", uses=("pledge.publish_deadline",))
def publication(pledge: dict, ctx: Context):
    published = day(pledge.get("published_at"))
    month_day = ctx.thresholds.month_day("pledge.publish_deadline")
    year = pledge_year(pledge, published)
    # no year: nothing was published either
    deadline = ctx.thresholds.day_in_year("pledge.publish_deadline", year) if year else None
    yield fact("publication", path="pledge.published_at",
               published=published.isoformat() if published else "未公示",
               published_en=published.isoformat() if published else "not published",
               deadline=deadline.isoformat() if deadline else "%02d-%02d" % month_day,
               late=published is None or deadline is None or published > deadline)


@derive("pledge")
def repeated_items(pledge: dict, ctx: Context):
    previous = {normalized(p.get("text", "")): p for p in pledge.get("previous_items", [])}
    previous.pop("", None)
    for i, item in enumerate(pledge.get("items", [])):
        earlier = previous.get(normalized(item.get("text", "")))
        if earlier is not None:
            yield fact("item_repeated", path=f"pledge.items[{i}].text", item=i + 1,
                       text=item.get("text", ""), previous=earlier.get("id", ""))


FOUR_CATEGORIES = Rule(
    id="sanshuang_2025.pledge.four-categories",
    clause="二、1",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "category_missing",
    message={
        "zh": "党员承诺须包括共性承诺、岗位承诺、实事承诺、自律承诺，缺少“{label}”",
        "en": "A member's pledge must cover the common, post, deed and discipline categories; “{category}” is missing",
    },
)

ORG_FOCUS = Rule(
    id="sanshuang_2025.pledge.org-focus",
    clause="二、1",
    kinds=("pledge",),
    severity="warning",
    when=lambda t: (m.type == "org_focus") & (m.touched == False),  # noqa: E712
    message={
        "zh": "两委会承诺未涉及任何重点方面（{areas}）",
        "en": "The two committees' pledge touches none of the focus areas ({areas_en})",
    },
)

VAGUE_ITEM = Rule(
    id="sanshuang_2025.pledge.vague-item",
    clause="二、2",
    kinds=("pledge",),
    severity="error",
    consequences=("re_pledge_required",),
    when=lambda t: m.type == "vague_item",
    message={
        "zh": "第{item}项承诺事项简单、内容不具体（“{text}”），须重新提诺",
        "en": "Item {item} is too simple or not specific (“{text}”, under {min_chars} characters or stock phrases only): pledge it again",
    },
)

REVIEW_CHAIN = Rule(
    id="sanshuang_2025.pledge.review-chain",
    clause="二、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "review_stage_missing",
    message={
        "zh": "承诺事项须经乡镇、街道党（工）委审查，再报区委组织部审定备案；缺少{levels}的审核同意",
        "en": "Pledges are reviewed by the town or street committee, then approved by the district organization department; no approval by: {levels_en}",
    },
)

REVIEW_DEADLINE = Rule(
    id="sanshuang_2025.pledge.review-deadline",
    clause="二、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "review_timing") & (m.late == True),  # noqa: E712
    message={
        "zh": "承诺事项须于{deadline}前逐级审查完毕，最后一次审查在{last}",
        "en": "Pledges must be reviewed at every level by {deadline}; the last review was on {last}",
    },
)

PUBLISH_DEADLINE = Rule(
    id="sanshuang_2025.pledge.publish-deadline",
    clause="二、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publication") & (m.late == True),  # noqa: E712
    message={
        "zh": "承诺事项须于{deadline}前在公开栏公示，实际：{published}",
        "en": "Pledges must be posted on the bulletin board by {deadline}; posted: {published_en}",
    },
)

REPLACED = Rule(
    id="sanshuang_2025.pledge.replaced",
    clause="二、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "item_repeated",
    message={
        "zh": "第{item}项承诺（“{text}”）与上年度承诺原样相同，上年度承诺内容须予以更换",
        "en": "Item {item} (“{text}”) repeats last year's item word for word; last year's pledges must be replaced",
    },
)
