"""Ballot rule of the Yinchuan branch's 双述双评活动实施方案 二: what the leadership ballot asks about."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.rules.shuangshu import subject_id, subject_roles

# The ten aspects' names, for messages (the list itself is ballot.aspects in thresholds.yaml).
ASPECT_LABELS = {
    "political": ("政治思想", "political thinking"),
    "morality": ("道德品行", "moral conduct"),
    "duty": ("履行职责", "performing duties"),
    "performance": ("工作实绩", "work results"),
    "innovation": ("创新能力", "capacity to innovate"),
    "hard_work": ("艰苦奋斗", "hard work"),
    "masses": ("联系群众", "ties with the masses"),
    "unity": ("团结协作", "unity and cooperation"),
    "integrity": ("廉洁自律", "integrity"),
    "exemplary": ("发挥表率作用", "setting an example"),
}


@derive("ballot", uses=("ballot.leadership_roles", "ballot.aspects"))
def missing_aspects(ballot: dict, ctx: Context):
    """二: 评议领导班子成员的内容 — one fact per aspect the ballot form leaves out."""
    leadership = ctx.thresholds.list("ballot.leadership_roles")
    if not any(r in leadership for r in subject_roles(ballot)):
        return  # 民主评议党员: the ten aspects are for leadership members only
    asked = set(ballot.get("aspects") or [])
    for aspect in ctx.thresholds.list("ballot.aspects"):
        if aspect not in asked:
            zh, en = ASPECT_LABELS.get(aspect, (aspect, aspect))
            yield fact("missing_aspect", path="ballot.aspects", subject_id=subject_id(ballot),
                       aspect=aspect, aspect_zh=zh, aspect_en=en)


ASPECTS = Rule(
    id="yinchuan_2011.ballot.aspects",
    clause="二",
    kinds=("ballot",),
    severity="error",
    when=lambda t: m.type == "missing_aspect",
    message={
        "zh": "领导班子成员民主测评未涵盖“{aspect_zh}”方面",
        "en": "The leadership member's ballot does not cover “{aspect_en}”",
    },
)
