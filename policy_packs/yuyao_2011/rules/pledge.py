"""Pledge rules of 余创先办发〔2011〕3号."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.periods import day


@derive("pledge", uses=("pledge.deadline",))
def publication(pledge: dict, ctx: Context):
    deadline = ctx.thresholds.date("pledge.deadline")
    published = day(pledge.get("published_at"))
    yield fact(
        "publication",
        path="pledge.published_at",
        published=published.isoformat() if published else "",
        late=published is None or published > deadline,
        deadline=deadline.isoformat(),
    )


@derive("pledge", uses=("copies.organization", "copies.member"))
def copies(pledge: dict, ctx: Context):
    pledger = pledge.get("pledger", "member")
    required = ctx.thresholds.int(f"copies.{pledger}")
    yield fact("copies", path="pledge.copies", pledger=pledger, copies=pledge.get("copies", 0), required=required)


DEADLINE = Rule(
    id="yuyao_2011.pledge.deadline",
    clause="一",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "publication") & (m.late == True),  # noqa: E712
    message={
        "zh": "公开承诺须在{deadline}前公开，实际公开日期：{published}",
        "en": "The pledge must be made public by {deadline}; published: {published}",
    },
)

COPIES = Rule(
    id="yuyao_2011.pledge.copies",
    clause="三、3",
    kinds=("pledge",),
    severity="error",
    when=lambda t: (m.type == "copies") & (m.copies != m.required),
    message={
        "zh": "承诺书须一式{required}份，实际{copies}份",
        "en": "The pledge must be made in {required} copies, not {copies}",
    },
)
