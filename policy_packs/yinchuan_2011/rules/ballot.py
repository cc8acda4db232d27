"""The measurement the ballot rule of the Yinchuan branch's 双述双评活动实施方案 二 (rules.yaml) compares."""

from policyhub.rules import Context, derive
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
def aspects_asked(ballot: dict, ctx: Context):
    """二: 评议领导班子成员的内容 — how often the ballot form asks about each of the ten aspects."""
    leadership = ctx.thresholds.list("ballot.leadership_roles")
    if not any(r in leadership for r in subject_roles(ballot)):
        return  # 民主评议党员: the ten aspects are for leadership members only
    asked = list(ballot.get("aspects") or [])
    for aspect in ctx.thresholds.list("ballot.aspects"):
        zh, en = ASPECT_LABELS.get(aspect, (aspect, aspect))
        yield {"type": "aspect_asked", "path": "ballot.aspects", "subject_id": subject_id(ballot),
               "aspect": aspect, "aspect_zh": zh, "aspect_en": en, "asked": asked.count(aspect)}
