"""Pledge rules of 余创先办发〔2011〕3号 (clauses 一, 二, 三 and the forms 附件1, 附件2)."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.extra import flag
from policyhub.rules.periods import day
from policyhub.rules.pledges import is_hollow, missing_fields, normalized
from policyhub.vocabulary import FILING_PLACES, PREVIOUS_ITEM_STATUSES, REVIEW_LEVELS

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
    deadline = ctx.thresholds.date("pledge.deadline")
    published = day(pledge.get("published_at"))
    tied = tied_to_election(pledge, ctx.thresholds.list("pledge.election_tie.rural_roles"))
    lenient = tied and (published is not None or ctx.thresholds.bool("pledge.election_tie.covers_unpublished"))
    yield fact(
        "publication",
        path="pledge.published_at",
        published=published.isoformat() if published else "未公开/not published",
        late=published is None or published > deadline,
        deadline=deadline.isoformat(),
        severity="warning" if lenient else "error",
        note="（结合村级组织换届工作公开承诺，作提醒）" if lenient else "",
        note_en=" (tied to the village election: a reminder)" if lenient else "",
    )


@derive("pledge", uses=("sector_keywords",))
def sector_focus(pledge: dict, ctx: Context):
    if pledger_of(pledge) != "organization":
        return
    sector = pledge.get("organization", {}).get("type", "")
    keywords = ctx.thresholds.get("sector_keywords").get(sector)
    if not keywords:
        return  # 二、二 names a theme for six sectors only
    texts = [normalized(item_text(item)) for item in pledge.get("items", [])]
    touched = any(normalized(k) in t for k in keywords for t in texts)
    yield fact("sector_focus", path="pledge.items", sector=sector, touched=touched, keywords="、".join(keywords))


@derive("pledge", uses=("pledge.min_item_chars", "pledge.hollow_phrases"))
def vague_items(pledge: dict, ctx: Context):
    min_chars = ctx.thresholds.int("pledge.min_item_chars")
    phrases = ctx.thresholds.list("pledge.hollow_phrases")
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        if is_hollow(text, min_chars, phrases):
            yield fact("vague_item", path=f"pledge.items[{i}].text", item_index=i, text=text,
                       min_chars=min_chars, subject_id=subject_of(pledge))


@derive("pledge")
def previous_items(pledge: dict, ctx: Context):
    carried = {item.get("carried_from") for item in pledge.get("items", []) if item.get("carried_from")}
    done = {}
    for i, prev in enumerate(pledge.get("previous_items", [])):
        status = prev.get("status", "")
        if status in CARRY_SEVERITY and prev.get("id") not in carried:
            yield fact("not_carried", path=f"pledge.previous_items[{i}]", item_id=prev.get("id", ""),
                       text=prev.get("text", ""), status=status, status_zh=PREVIOUS_ITEM_STATUSES[status][0],
                       severity=CARRY_SEVERITY[status])
        if status == "done" and normalized(prev.get("text", "")):
            done[normalized(prev["text"])] = prev.get("id", "")
    for i, item in enumerate(pledge.get("items", [])):
        key = normalized(item.get("text", ""))
        if key in done:
            yield fact("done_repeated", path=f"pledge.items[{i}].text", item_index=i, item_id=done[key],
                       text=item.get("text", ""))


@derive("pledge")
def residence(pledge: dict, ctx: Context):
    if pledger_of(pledge) != "member":
        return
    has = any(item.get("category") == "residence" for item in pledge.get("items", []))
    yield fact("residence", path="pledge.items", has=has)


@derive("pledge", uses=("review.levels",))
def review(pledge: dict, ctx: Context):
    levels = ctx.thresholds.list(f"review.levels.{pledger_of(pledge)}")
    approved = bool(superior_reviews(pledge, levels))
    yield fact("review", path="pledge.reviews", approved=approved, levels="/".join(levels),
               levels_zh="或".join(REVIEW_LEVELS.get(lv, (lv,))[0] for lv in levels))


@derive("pledge", uses=("publicity.channels",))
def publicity(pledge: dict, ctx: Context):
    channels = ctx.thresholds.list("publicity.channels")
    used = [c for c in pledge.get("publication_channels", []) if c in channels]
    yield fact("publicity", path="pledge.publication_channels", public=bool(used), channels=", ".join(channels))


@derive("pledge", uses=("copies",))
def copies(pledge: dict, ctx: Context):
    pledger = pledger_of(pledge)
    required = ctx.thresholds.int(f"copies.{pledger}")
    made = pledge.get("copies", 0)
    if made != required:
        yield fact("copies_wrong", path="pledge.copies",
                   zh=f"承诺书须一式{required}份，实际{made}份", en=f"{required} copies are required, not {made}")
    filed = set(pledge.get("filed_with", []))
    for place in ctx.thresholds.list(f"copies.filed_with.{pledger}"):
        if place not in filed:
            zh, en = FILING_PLACES.get(place, (place, place))
            yield fact("copies_wrong", path="pledge.filed_with", place=place,
                       zh=f"承诺书未交{zh}存档", en=f"no copy is filed with the {en}")


@derive("pledge", uses=("form_fields", "review.levels"))
def form_fields(pledge: dict, ctx: Context):
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
    for missing in missing_fields(form, ctx.thresholds.list(f"form_fields.{pledger}"), "pledge"):
        if missing["field"].startswith("reviews."):
            missing["path"] = "pledge.reviews"
        label = FIELD_LABELS.get(missing["field"], missing["field"])
        yield dict(missing, form=form_name, form_en=form_en, label=label)


DEADLINE = Rule(
    id="yuyao_2011.pledge.deadline",
    clause="一",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publication") & (m.late == True),  # noqa: E712
    message={
        "zh": "公开承诺原则上须在{deadline}前完成公开，实际公开日期：{published}{note}",
        "en": "The pledge must be made public by {deadline}; published: {published}{note_en}",
    },
)

SECTOR_FOCUS = Rule(
    id="yuyao_2011.pledge.sector-focus",
    clause="二、二",
    kinds=("pledge",),
    severity="warning",
    when=lambda t: (m.type == "sector_focus") & (m.touched == False),  # noqa: E712
    message={
        "zh": "基层党组织承诺事项未结合“双强争先”本领域重点（{keywords}）",
        "en": "No item of the organization's pledge addresses its sector's “double strong” theme ({keywords})",
    },
)

VAGUE_ITEM = Rule(
    id="yuyao_2011.pledge.vague-item",
    clause="二、四",
    kinds=("pledge",),
    severity="error",
    consequences=("re_pledge_required",),
    when=lambda t: m.type == "vague_item",
    message={
        "zh": "承诺事项“{text}”内容空洞、难以落实（不足{min_chars}字或仅有空泛表述），须予以纠正、重新提诺",
        "en": "Pledge item “{text}” is hollow (under {min_chars} characters or only stock phrases); "
        "it must be corrected and pledged again",
    },
)

UNFINISHED_CARRIED = Rule(
    id="yuyao_2011.pledge.unfinished-carried",
    clause="二、四，三、6",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "not_carried",
    message={
        "zh": "上年承诺事项“{text}”（{item_id}，{status_zh}）本年承诺中未继续体现，须重新承诺或做好衔接",
        "en": "Last year's item “{text}” ({item_id}, status {status}) is not continued in this year's pledge",
    },
)

DONE_REPEATED = Rule(
    id="yuyao_2011.pledge.done-repeated",
    clause="三、6",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "done_repeated",
    message={
        "zh": "承诺事项“{text}”与上年已做到的事项（{item_id}）相同：已做到的不再承诺，应有更高要求",
        "en": "Item “{text}” repeats last year's fulfilled item {item_id}; fulfilled items are not pledged again",
    },
)

RESIDENCE = Rule(
    id="yuyao_2011.pledge.residence",
    clause="二、五",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "residence") & (m.has == False),  # noqa: E712
    message={
        "zh": "党员承诺缺少居住地承诺（履行家庭责任、维护社会公德等）",
        "en": "The member's pledge has no residence item (family duties, public morality where they live)",
    },
)

REVIEW = Rule(
    id="yuyao_2011.pledge.review",
    clause="三、2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "review") & (m.approved == False),  # noqa: E712
    message={
        "zh": "承诺事项未经{levels_zh}审核通过",
        "en": "The pledge has not been approved by the superior organization ({levels})",
    },
)

PUBLICITY = Rule(
    id="yuyao_2011.pledge.publicity",
    clause="三、3",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publicity") & (m.public == False),  # noqa: E712
    message={
        "zh": "承诺内容未通过党务公开栏、报刊、橱窗、网站等方式公示（可用：{channels}）",
        "en": "The pledge was not made public through a bulletin board, newspaper, window, website or the like "
        "({channels})",
    },
)

COPIES = Rule(
    id="yuyao_2011.pledge.copies",
    clause="三、3",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "copies_wrong",
    message={"zh": "{zh}", "en": "Copies of the pledge: {en}"},
)

FORM_FIELDS = Rule(
    id="yuyao_2011.pledge.form-fields",
    clause="附件1、附件2",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "missing_field",
    message={
        "zh": "{form}缺少“{label}”栏目（{field}）",
        "en": "The pledge ({form_en}) lacks the field {field}",
    },
)
