"""Pledge rules of the street's “我是党员我承诺” activity (一、二 and 三)."""

from __future__ import annotations

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day
from policyhub.rules.pledges import distinct_texts, normalized
from policyhub.rules import FILING_PLACES, MEMBER_ROLES, PLEDGE_CATEGORIES, PUBLICATION_CHANNELS, REVIEW_LEVELS


def pledger_of(pledge: dict) -> str:
    """member or organization; a form that only names an organization is the organization's."""
    if pledge.get("pledger"):
        return pledge["pledger"]
    return "organization" if "organization" in pledge and "member" not in pledge else "member"


def roles_of(pledge: dict) -> set[str]:
    return set(pledge.get("member", {}).get("roles", [])) if pledger_of(pledge) == "member" else set()


def zh(codes: dict, chosen, joiner: str = "、") -> str:
    return joiner.join(codes.get(c, (c, c))[0] for c in chosen)


@derive("pledge", uses=("pledge.required_categories",))
def categories(pledge: dict, ctx: Context):
    if pledger_of(pledge) != "member":
        return
    present = {item.get("category") for item in pledge.get("items", [])}
    for alternatives in ctx.thresholds.list("pledge.required_categories"):
        if not present.intersection(alternatives):
            yield fact("category_missing", path="pledge.items",
                       wanted=zh(PLEDGE_CATEGORIES, alternatives, "或"), wanted_en=" or ".join(alternatives))


@derive("pledge", uses=("pledge.oral_roles",))
def written(pledge: dict, ctx: Context):
    if pledger_of(pledge) != "member":
        return
    may_pledge_orally = bool(roles_of(pledge).intersection(ctx.thresholds.list("pledge.oral_roles")))
    oral = pledge.get("oral") is True
    signed = day(pledge.get("signed_at")) is not None
    if oral and not may_pledge_orally:
        yield fact("form_problem", path="pledge.oral", reason="该党员不属于可口头承诺的人员",
                   reason_en="this member may not pledge orally")
    elif not oral and not signed:
        yield fact("form_problem", path="pledge.signed_at", reason="书面承诺书未签名",
                   reason_en="the written pledge is not signed")


@derive("pledge", uses=("pledge.non_party_roles",))
def non_party_pledger(pledge: dict, ctx: Context):
    # 一、3 welcomes these pledges; nothing about them is a fault, so the rule only notes that
    # every member rule was applied to them unchanged.
    roles = roles_of(pledge).intersection(ctx.thresholds.list("pledge.non_party_roles"))
    if roles:
        name = pledge.get("member", {}).get("name", "")
        yield fact("non_party_pledger", path="pledge.member.roles", name=name,
                   roles_zh=zh(MEMBER_ROLES, sorted(roles)),
                   roles_en=", ".join(sorted(roles)))


@derive("pledge", uses=("pledge.leader_roles", "pledge.leader_min_items"))
def leader_items(pledge: dict, ctx: Context):
    if not roles_of(pledge).intersection(ctx.thresholds.list("pledge.leader_roles")):
        return
    count = distinct_texts(item.get("text", "") for item in pledge.get("items", []))  # the same item twice is one
    minimum = ctx.thresholds.int("pledge.leader_min_items")
    yield fact("leader_items", path="pledge.items", count=count, minimum=minimum, too_few=count < minimum)


@derive("pledge", uses=("pledge.min_item_chars", "pledge.max_item_chars"))
def item_lengths(pledge: dict, ctx: Context):
    low, high = ctx.thresholds.int("pledge.min_item_chars"), ctx.thresholds.int("pledge.max_item_chars")
    for i, item in enumerate(pledge.get("items", [])):
        length = len(normalized(item.get("text", "")))  # spaces and punctuation not counted
        if length < low or length > high:
            yield fact("item_length", path=f"pledge.items[{i}].text", item=i + 1, length=length, low=low, high=high)


@derive("pledge", uses=("review.levels",))
def review(pledge: dict, ctx: Context):
    levels = ctx.thresholds.list(f"review.levels.{pledger_of(pledge)}")
    approved = {r.get("level") for r in pledge.get("reviews", []) if r.get("approved") is True}
    if not approved.intersection(levels):
        yield fact("review_missing", path="pledge.reviews", levels=zh(REVIEW_LEVELS, levels, "或"),
                   levels_en=" or ".join(levels))


@derive("pledge", uses=("publicity.channels",))
def publicity(pledge: dict, ctx: Context):
    channels = ctx.thresholds.list("publicity.channels")
    if not set(pledge.get("publication_channels", [])).intersection(channels):
        yield fact("not_publicized", path="pledge.publication_channels",
                   channels=zh(PUBLICATION_CHANNELS, channels), channels_en=", ".join(channels))


@derive("pledge", uses=("filing.places",))
def filed(pledge: dict, ctx: Context):
    places = ctx.thresholds.list("filing.places")
    if not set(pledge.get("filed_with", [])).intersection(places):
        yield fact("not_filed", path="pledge.filed_with", places=zh(FILING_PLACES, places, "或"),
                   places_en=" or ".join(places))


@derive("pledge", uses=("pledge.first_deadline", "pledge.later_deadline"))
def deadline(pledge: dict, ctx: Context):
    published = day(pledge.get("published_at"))
    if published is None:
        return  # nothing published: the publicity rule speaks for it
    year = int(pledge.get("year") or published.year)
    first = ctx.thresholds.date("pledge.first_deadline")
    # the first round (and anything before it) by its own deadline; later rounds early in their year
    due = first if year <= first.year else ctx.thresholds.day_in_year("pledge.later_deadline", year)
    yield fact("publication", path="pledge.published_at", year=year, published=published.isoformat(),
               due=due.isoformat(), late=published > due)


CATEGORIES = Rule(
    id="street_pledge_2010.pledge.categories",
    clause="二",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "category_missing",
    message={
        "zh": "党员承诺一般包括共性的“政治承诺”和“履职承诺”“实事承诺”等内容，缺少{wanted}",
        "en": "A member's pledge comprises a political pledge and duty or deed pledges; missing: {wanted_en}",
    },
)

WRITTEN = Rule(
    id="street_pledge_2010.pledge.written",
    clause="一、3 and 三、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "form_problem",
    message={
        "zh": "党员须填写并签署公开承诺书（年老体弱、文化程度低、离退休党员可口头承诺）：{reason}",
        "en": "Members fill in and sign a pledge form (elderly, low-literacy and retired members may pledge orally): {reason_en}",
    },
)

NON_PARTY_WELCOME = Rule(
    id="street_pledge_2010.pledge.non-party-welcome",
    clause="一、3",
    kinds=("pledge",),
    severity="info",
    when=lambda t: m.type == "non_party_pledger",
    message={
        "zh": "{name}（{roles_zh}）参与承诺，受到欢迎；其承诺按党员承诺的同样要求审查，此条仅为提示，不属违规",
        "en": "{name} ({roles_en}) may take part in the pledges and is welcome; the pledge is checked like a member's. A note only, not a violation",
    },
)

LEADER_HIGHER = Rule(
    id="street_pledge_2010.pledge.leader-higher",
    clause="一、3",
    kinds=("pledge",),
    severity="warning",
    when=lambda t: (m.type == "leader_items") & (m.too_few == True),  # noqa: E712
    message={
        "zh": "党员领导干部要带头承诺、从高要求，承诺事项不宜少于{minimum}项，实际{count}项",
        "en": "Leading cadres pledge first and to a higher standard: at least {minimum} items expected, {count} given",
    },
)

SPECIFIC = Rule(
    id="street_pledge_2010.pledge.specific",
    clause="一、4",
    kinds=("pledge",),
    severity="warning",
    when=lambda t: m.type == "item_length",
    message={
        "zh": "第{item}项承诺{length}字，承诺事项要具体实在、简明扼要（{low}至{high}字）",
        "en": "Item {item} has {length} characters; items should be concrete and concise ({low} to {high} characters)",
    },
)

REVIEW = Rule(
    id="street_pledge_2010.pledge.review",
    clause="三、3",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "review_missing",
    message={
        "zh": "承诺事项未经{levels}审核同意",
        "en": "The pledge has no approved review by: {levels_en}",
    },
)

PUBLICITY = Rule(
    id="street_pledge_2010.pledge.publicity",
    clause="三、4",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "not_publicized",
    message={
        "zh": "承诺内容须通过{channels}等形式公布",
        "en": "The pledge must be made public by one of: {channels_en}",
    },
)

FILED = Rule(
    id="street_pledge_2010.pledge.filed",
    clause="三、4",
    kinds=("pledge",),
    severity="warning",
    when=lambda t: m.type == "not_filed",
    message={
        "zh": "承诺书汇集后应报{places}备案",
        "en": "The pledge should be filed with: {places_en}",
    },
)

DEADLINE = Rule(
    id="street_pledge_2010.pledge.deadline",
    clause="三",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publication") & (m.late == True),  # noqa: E712
    message={
        "zh": "{year}年度承诺须于{due}前公开，实际公开日期：{published}",
        "en": "A {year} pledge must be made public by {due}; published: {published}",
    },
)
