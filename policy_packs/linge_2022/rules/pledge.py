"""The member's pledge (黨員承諾踐諾書) of 鄰鄂委發〔2022〕29號 二(一)、二(二), 四(一) and 附件1."""

from policyhub.rules import InvalidArgument
from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day
from policyhub.rules.pledges import distinct_texts, households, missing_fields, present


def _member_pledge(pledge: dict) -> bool:
    # The activity is of party members: an organization's pledge is not this form.
    return pledge.get("pledger", "member") == "member"


@derive("pledge", uses=("pledge.item_category", "pledge.min_items", "pledge.max_items"))
def service_items(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    t = ctx.thresholds
    category = t.str("pledge.item_category")
    # an item is its text, word for word: the same service listed twice is one, a blank one none
    count = distinct_texts(item.get("text", "") for item in pledge.get("items", []) if item.get("category") == category)
    yield fact("service_items", path="pledge.items", count=count,
               least=t.int("pledge.min_items"), most=t.int("pledge.max_items"))


@derive("pledge")
def item_details(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    for i, item in enumerate(pledge.get("items", [])):
        lacks = [name for name in ("target", "measures") if not present(item.get(name))]
        if lacks:
            yield fact(
                "item_lacks_detail",
                path=f"pledge.items[{i}].{lacks[0]}",
                item=i + 1,
                text=item.get("text", ""),
                lacks=", ".join(lacks),
            )


@derive("pledge", uses=("pledge.form_fields",))
def form_fields(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    fields = ctx.thresholds.list("pledge.form_fields")
    labels = {f["field"]: f for f in fields}
    for missing in missing_fields(pledge, [f["field"] for f in fields], "pledge"):
        label = labels[missing["field"]]
        yield {**missing, "label_zh": label["zh"], "label_en": label["en"]}


@derive("pledge", uses=("pledge.min_linked_households",))
def linked_households(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    # A household is its head (pledges.households): one listed twice counts once, an unnamed row not at all.
    count = households(pledge.get("linked_households", []))
    least = ctx.thresholds.int("pledge.min_linked_households")
    yield fact("linked_households", path="pledge.linked_households", count=count, least=least)


@derive("pledge", uses=("pledge.publicity_channels",))
def publicity(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    wanted = ctx.thresholds.list("pledge.publicity_channels")
    channels = pledge.get("publication_channels", [])
    yield fact(
        "publicity",
        path="pledge.publication_channels",
        shown=any(c in wanted for c in channels),
        channels=", ".join(channels) or "—",
    )


@derive("pledge", uses=("pledge.report_deadline", "pledge.unreported_late_after_deadline"))
def report(pledge: dict, ctx: Context):
    if not _member_pledge(pledge):
        return
    deadline = ctx.thresholds.date("pledge.report_deadline")
    # The pledge's year: as given, else that of its signature or report, else the request's.
    dates = [day(pledge.get(k)) for k in ("signed_at", "submitted_at")] + [ctx.date]
    year = pledge.get("year") or next((d.year for d in dates if d), None)
    if year is None:  # whether the 2022 deadline binds cannot be told: refused, never passed silently
        raise InvalidArgument([("pledge.year", "required when the pledge has no signature or report date and "
                                               "the request no date: the report deadline binds one year's pledges")])
    if year != deadline.year:
        return  # the deadline is the 2022 round's only
    submitted = day(pledge.get("submitted_at"))
    if submitted is not None:
        late = submitted > deadline
    elif ctx.thresholds.bool("pledge.unreported_late_after_deadline"):
        if ctx.date is None:  # late or not depends on a date the request does not give
            raise InvalidArgument([("pledge.submitted_at", "required when the request has no date: an unreported "
                                                           "pledge is late once the request date passes the deadline")])
        late = ctx.date > deadline
    else:
        late = True
    yield fact(
        "report",
        path="pledge.submitted_at",
        late=late,
        submitted_zh=submitted.isoformat() if submitted else "未报送",
        submitted_en=submitted.isoformat() if submitted else "not reported",
        deadline=deadline.isoformat(),
    )


ITEM_COUNT = Rule(
    id="linge_2022.pledge.item-count",
    clause="二(一)3",
    kinds=("pledge",),
    severity="error",
    thresholds=("pledge.min_items", "pledge.max_items"),
    when=lambda t: (m.type == "service_items")
    & ((m.count < t.int("pledge.min_items")) | (m.count > t.int("pledge.max_items"))),
    message={
        "zh": "党员承诺践诺书应提出{least}—{most}件力所能及的为民服务事项，实际{count}件",
        "en": "A member's pledge must name {least}–{most} services to the people within their means; "
        "it names {count}",
    },
)

TARGET_MEASURES = Rule(
    id="linge_2022.pledge.target-measures",
    clause="二(一)3",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "item_lacks_detail",
    message={
        "zh": "第{item}项承诺“{text}”未明确目标任务或细化服务举措（缺：{lacks}）",
        "en": "Pledge item {item} “{text}” lacks its target or its concrete measures (missing: {lacks})",
    },
)

FORM_FIELDS = Rule(
    id="linge_2022.pledge.form-fields",
    clause="附件1",
    kinds=("pledge",),
    severity="error",
    when=lambda t: m.type == "missing_field",
    message={
        "zh": "党员承诺践诺书未填写“{label_zh}”",
        "en": "The member's pledge form leaves “{label_en}” blank",
    },
)

LINKED_HOUSEHOLDS = Rule(
    id="linge_2022.pledge.linked-households",
    clause="二(二)1",
    kinds=("pledge",),
    severity="error",
    thresholds=("pledge.min_linked_households",),
    when=lambda t: (m.type == "linked_households") & (m.count < t.int("pledge.min_linked_households")),
    message={
        "zh": "党员应与群众“一对多”结对，至少联系{least}户；实际联系{count}户",
        "en": "A member is paired “one to many” with at least {least} households; this pledge links {count}",
    },
)

PUBLICITY = Rule(
    id="linge_2022.pledge.publicity",
    clause="二(一)3–4",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publicity") & (m.shown == False),  # noqa: E712
    message={
        "zh": "承诺事项未通过支部公示栏或网格责任区公示（公示渠道：{channels}）",
        "en": "The pledge is not shown on the branch bulletin board or in the grid area (channels: {channels})",
    },
)

REPORT_DEADLINE = Rule(
    id="linge_2022.pledge.report-deadline",
    clause="四(一)",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "report") & (m.late == True),  # noqa: E712
    message={
        "zh": "附件2信息须于{deadline}前报镇党群办，实际报送：{submitted_zh}",
        "en": "The Annex 2 information was due at the town's party-masses office by {deadline}; "
        "reported: {submitted_en}",
    },
)
