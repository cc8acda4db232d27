"""The measurements the pledge rules of 余创先办发〔2011〕3号 (rules.yaml; clauses 一, 二, 三 and the forms
附件1, 附件2) compare: dates, counts, what was filled in. No verdicts."""

from policyhub.rules import Context, derive, message_field
from policyhub.rules.extra import flag
from policyhub.rules.periods import day
from policyhub.rules.pledges import normalized, present, substance
from policyhub.rules import FILING_PLACES, PREVIOUS_ITEM_STATUSES, REVIEW_LEVELS

# The boxes of 附件1 and 附件2, to name a missing one as the form does.
FIELD_LABELS = {
    "member.name": "姓名", "member.gender": "性别", "member.age|member.birth_date": "年龄",
    "member.joined_party": "入党年月", "member.unit": "单位", "member.position": "职务",
    "items": "公开承诺事项", "signed_at": "承诺人（手写签名）及日期", "supervision.phone": "监督电话",
    "supervision.email": "监督邮箱", "reviews.superior_sealed": "党组织审核（盖章）",
    "organization.name": "党（总）支部名称", "reviews.superior_approved": "上一级党组织审定意见",
}

# 二、四 and 三、6: an unfinished item must be pledged again; a cross-year one should be carried on.
CARRY_SEVERITY = {"unfinished": "error", "cross_year": "warning"}


def pledger_of(pledge: dict) -> str:
    return pledge.get("pledger", "member")


def subject_of(pledge: dict) -> str:
    holder = pledge.get("organization" if pledger_of(pledge) == "organization" else "member", {})
    return str(holder.get("id") or holder.get("name") or pledge.get("id", ""))


def item_text(item: dict) -> str:
    return " ".join(str(item.get(k, "")) for k in ("text", "target", "measures"))


def tied_to_election(pledge: dict, rural_roles: list) -> bool:
    """一: a village org or a rural member that makes its pledge with the village election.

    The flags are read as JSON booleans (extra.flag): a string "false" is refused, never taken as true.
    Every flag the form carries is read, so a mistyped one is refused whichever form it is on.
    """
    org, member = pledge.get("organization") or {}, pledge.get("member") or {}
    flagged = flag(pledge, "tied_to_election", "pledge") is True
    org_flagged = flag(org, "tied_to_election", "pledge.organization") is True
    member_flagged = flag(member, "tied_to_election", "pledge.member") is True
    rural_flag = flag(member, "rural", "pledge.member") is True
    if pledger_of(pledge) == "organization":
        return org.get("type") == "village" and (flagged or org_flagged)
    rural = rural_flag or any(r in rural_roles for r in member.get("roles", []))
    return rural and (flagged or member_flagged)


def superior_reviews(pledge: dict, levels: list) -> list[dict]:
    return [r for r in pledge.get("reviews", []) if r.get("level") in levels and r.get("approved")]


@derive("pledge", uses=("pledge.deadline", "pledge.election_tie"))
def publication(pledge: dict, ctx: Context):
    """一: the day the pledge was made public; tied to the village election it is a reminder (interpretation)."""
    published = day(pledge.get("published_at"))
    tied = tied_to_election(pledge, ctx.thresholds.list("pledge.election_tie.rural_roles"))
    lenient = tied and (published is not None or ctx.thresholds.bool("pledge.election_tie.covers_unpublished"))
    fact = {
        "type": "publication",
        "path": "pledge.published_at",
        "published": published.isoformat() if published else "未公开/not published",
        "deadline": ctx.thresholds.date("pledge.deadline").isoformat(),  # for the message
        "severity": "warning" if lenient else "error",
        "note": "（结合村级组织换届工作公开承诺，作提醒）" if lenient else "",
        "note_en": " (tied to the village election: a reminder)" if lenient else "",
    }
    if published is not None:
        fact["published_on"] = published.isoformat()
    yield fact


@derive("pledge", uses=("sector_keywords",))
def sector_focus(pledge: dict, ctx: Context):
    """二、二: how many items of an organization's pledge touch its sector's theme."""
    if pledger_of(pledge) != "organization":
        return
    sector = pledge.get("organization", {}).get("type", "")
    keywords = ctx.thresholds.get("sector_keywords").get(sector)
    if not keywords:
        return  # 二、二 names a theme for six sectors only
    texts = [normalized(item_text(item)) for item in pledge.get("items", [])]
    touched = sum(1 for t in texts if any(normalized(k) in t for k in keywords))
    yield {"type": "sector_focus", "path": "pledge.items", "sector": sector, "touched": touched,
           "keywords": "、".join(keywords)}


@derive("pledge", uses=("pledge.min_item_chars", "pledge.hollow_phrases"))
def item_substance(pledge: dict, ctx: Context):
    """二、四: each item's length and what is left of it once the stock phrases are taken out."""
    phrases = ctx.thresholds.list("pledge.hollow_phrases")
    min_chars = ctx.thresholds.int("pledge.min_item_chars")  # for the message
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        chars, left = substance(text, phrases)
        yield {"type": "item_substance", "path": f"pledge.items[{i}].text", "item_index": i, "text": text,
               "chars": chars, "left": left, "min_chars": min_chars, "subject_id": subject_of(pledge)}


@derive("pledge")
def previous_items(pledge: dict, ctx: Context):
    """二、四, 三、6: last year's items, whether each is carried on, and this year's items that repeat a done one."""
    carried = {item.get("carried_from") for item in pledge.get("items", []) if item.get("carried_from")}
    done = {}
    for i, prev in enumerate(pledge.get("previous_items", [])):
        status = prev.get("status", "")
        yield {"type": "previous_item", "path": f"pledge.previous_items[{i}]", "item_id": prev.get("id", ""),
               "text": prev.get("text", ""), "status": status,
               "status_zh": PREVIOUS_ITEM_STATUSES.get(status, (status,))[0],
               "severity": CARRY_SEVERITY.get(status, "error"), "carried": prev.get("id") in carried}
        if status == "done" and normalized(prev.get("text", "")):
            done[normalized(prev["text"])] = prev.get("id", "")
    for i, item in enumerate(pledge.get("items", [])):
        key = normalized(item.get("text", ""))
        yield {"type": "item_repeat", "path": f"pledge.items[{i}].text", "item_index": i,
               "item_id": done.get(key, ""), "text": item.get("text", ""), "repeats_done": 1 if key in done else 0}


@derive("pledge")
def residence(pledge: dict, ctx: Context):
    """二、五: how many of a member's items are residence items."""
    if pledger_of(pledge) != "member":
        return
    items = sum(1 for item in pledge.get("items", []) if item.get("category") == "residence")
    yield {"type": "residence", "path": "pledge.items", "residence_items": items}


@derive("pledge", uses=("review.levels",))
def review(pledge: dict, ctx: Context):
    """三、2: how many reviews at the superior levels approved the pledge."""
    levels = ctx.thresholds.list(f"review.levels.{pledger_of(pledge)}")
    yield {"type": "review", "path": "pledge.reviews", "approved": len(superior_reviews(pledge, levels)),
           "levels": "/".join(levels), "levels_zh": "或".join(REVIEW_LEVELS.get(lv, (lv,))[0] for lv in levels)}


@derive("pledge", uses=("publicity.channels",))
def publicity(pledge: dict, ctx: Context):
    """三、3: how many of the channels the pledge was made public through are public ones."""
    channels = ctx.thresholds.list("publicity.channels")
    used = [c for c in pledge.get("publication_channels", []) if c in channels]
    yield {"type": "publicity", "path": "pledge.publication_channels", "used": len(used),
           "channels": ", ".join(channels)}


@derive("pledge", uses=("copies",))
def copies(pledge: dict, ctx: Context):
    """三、3: the copies made (compared with copies.<pledger>) and where each required copy is filed."""
    pledger = pledger_of(pledge)
    yield {"type": "copies", "path": "pledge.copies", "check": "count", "pledger": pledger,
           "copies": pledge.get("copies", 0), "required": ctx.thresholds.int(f"copies.{pledger}")}
    filed = set(pledge.get("filed_with", []))
    for place in ctx.thresholds.list(f"copies.filed_with.{pledger}"):
        yield {"type": "copies", "path": "pledge.filed_with", "check": "filing", "place": place,
               "filed": place in filed}


@message_field("copies", "zh")
def copies_zh(fact: dict) -> str:
    if fact["check"] == "count":
        return f"承诺书须一式{fact['required']}份，实际{fact['copies']}份"
    return f"承诺书未交{FILING_PLACES.get(fact['place'], (fact['place'],) * 2)[0]}存档"


@message_field("copies", "en")
def copies_en(fact: dict) -> str:
    if fact["check"] == "count":
        return f"{fact['required']} copies are required, not {fact['copies']}"
    return f"no copy is filed with the {FILING_PLACES.get(fact['place'], (fact['place'],) * 2)[1]}"


@derive("pledge", uses=("form_fields", "review.levels"))
def form_fields(pledge: dict, ctx: Context):
    """附件1, 附件2: whether each box of the pledger's form is filled (`a|b`: either will do)."""
    pledger = pledger_of(pledge)
    levels = ctx.thresholds.list(f"review.levels.{pledger}")
    reviews = superior_reviews(pledge, levels)
    # The forms' seal boxes are checks on `reviews`; present them as fields so one list drives all.
    form = dict(pledge, reviews={
        "superior_approved": True if reviews else None,
        "superior_sealed": True if any(r.get("seal") for r in reviews) else None,
    })
    form_name, form_en = {
        "member": ("附件2《党员公开承诺书》", "annex 2, the member's pledge form"),
        "organization": ("附件1《基层党组织公开承诺书》", "annex 1, the organization's pledge form"),
    }[pledger]
    for spec in ctx.thresholds.list(f"form_fields.{pledger}"):
        alternatives = spec.split("|")
        path = "pledge.reviews" if spec.startswith("reviews.") else f"pledge.{alternatives[0]}"
        yield {"type": "form_field", "path": path, "field": spec, "form": form_name, "form_en": form_en,
               "label": FIELD_LABELS.get(spec, spec), "filled": any(present(_get(form, a)) for a in alternatives)}


def _get(data, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
