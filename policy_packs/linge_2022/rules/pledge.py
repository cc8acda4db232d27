"""The measurements the pledge rules of 鄰鄂委發〔2022〕29號 (rules.yaml; 二(一)、二(二), 四(一) and 附件1)
compare: counts, what was filled in, the days reported and asked. No verdicts."""

from policyhub.rules import Context, InvalidArgument, derive
from policyhub.rules.periods import day
from policyhub.rules.pledges import distinct_texts, households, present


def _member_pledge(pledge: dict) -> bool:
    # The activity is of party members: an organization's pledge is not this form.
    return pledge.get("pledger", "member") == "member"


@derive("pledge", uses=("pledge.item_category", "pledge.min_items", "pledge.max_items"))
def service_items(pledge: dict, ctx: Context):
    """二(一)3: how many service items the member pledges (the bounds for the message)."""
    if not _member_pledge(pledge):
        return
    t = ctx.thresholds
    category = t.str("pledge.item_category")
    # an item is its text, word for word: the same service listed twice is one, a blank one none
    count = distinct_texts(item.get("text", "") for item in pledge.get("items", []) if item.get("category") == category)
    yield {"type": "service_items", "path": "pledge.items", "count": count,
           "least": t.int("pledge.min_items"), "most": t.int("pledge.max_items")}


@derive("pledge")
def item_details(pledge: dict, ctx: Context):
    """二(一)3: whether each item states its target and its measures."""
    if not _member_pledge(pledge):
        return
    for i, item in enumerate(pledge.get("items", [])):
        given = {name: present(item.get(name)) for name in ("target", "measures")}
        lacks = [name for name, filled in given.items() if not filled]
        yield {"type": "pledge_item", "path": f"pledge.items[{i}]" + (f".{lacks[0]}" if lacks else ""),
               "item": i + 1, "text": item.get("text", ""), "has_target": given["target"],
               "has_measures": given["measures"], "lacks": ", ".join(lacks)}


@derive("pledge", uses=("pledge.form_fields",))
def form_fields(pledge: dict, ctx: Context):
    """附件1: whether each box of the form is filled (`a|b`: either will do)."""
    if not _member_pledge(pledge):
        return
    for box in ctx.thresholds.list("pledge.form_fields"):
        alternatives = box["field"].split("|")
        yield {"type": "form_field", "path": f"pledge.{alternatives[0]}", "field": box["field"],
               "label_zh": box["zh"], "label_en": box["en"],
               "filled": any(present(_get(pledge, a)) for a in alternatives)}


def _get(data, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


@derive("pledge", uses=("pledge.min_linked_households",))
def linked_households(pledge: dict, ctx: Context):
    """二(二)1: how many households the member is paired with (the least, for the message)."""
    if not _member_pledge(pledge):
        return
    # A household is its head (pledges.households): one listed twice counts once, an unnamed row not at all.
    yield {"type": "linked_households", "path": "pledge.linked_households",
           "count": households(pledge.get("linked_households", [])),
           "least": ctx.thresholds.int("pledge.min_linked_households")}


@derive("pledge", uses=("pledge.publicity_channels",))
def publicity(pledge: dict, ctx: Context):
    """二(一)3: through how many of the public channels (bulletin board, grid area) the pledge is shown."""
    if not _member_pledge(pledge):
        return
    wanted = ctx.thresholds.list("pledge.publicity_channels")
    channels = pledge.get("publication_channels", [])
    yield {"type": "publicity", "path": "pledge.publication_channels",
           "public_channels": sum(1 for c in set(channels) if c in wanted), "channels": ", ".join(channels) or "—"}


@derive("pledge", uses=("pledge.report_deadline", "pledge.unreported_late_after_deadline"))
def report(pledge: dict, ctx: Context):
    """四(一): the day a 2022 pledge's Annex 2 information was reported, and the request's day."""
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
    if submitted is None and ctx.date is None and ctx.thresholds.bool("pledge.unreported_late_after_deadline"):
        # late or not depends on a date the request does not give
        raise InvalidArgument([("pledge.submitted_at", "required when the request has no date: an unreported "
                                                       "pledge is late once the request date passes the deadline")])
    fact = {
        "type": "report",
        "path": "pledge.submitted_at",
        "submitted_zh": submitted.isoformat() if submitted else "未报送",
        "submitted_en": submitted.isoformat() if submitted else "not reported",
        "deadline": deadline.isoformat(),
    }
    if submitted is not None:
        fact["submitted_at"] = submitted.isoformat()
    if ctx.date is not None:
        fact["requested_on"] = ctx.date.isoformat()
    yield fact
