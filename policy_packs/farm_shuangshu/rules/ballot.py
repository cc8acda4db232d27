"""Ballot rules of the farm's 干部“双述双评”工作实施方案 三(三)3 and 四.

Vote shares, the grade and the scheme checks are shared with the other village packs
(policyhub.rules.shuangshu); only the dismissal/resignation of incompetent members is the farm's own.
"""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.rules.shuangshu import (  # noqa: F401
    GRADE_USES,
    grade_of,
    in_scheme,
    member_incompetent_votes,
    role_names,
    shuangshu_grade,
    subject_id,
    subject_roles,
    team_poor_votes,
    vote_rules,
)


@derive("ballot", uses=GRADE_USES + ("member.scheme", "member.incompetent_option", "member.removal"))
def incompetent_removal(ballot: dict, ctx: Context):
    """四: 评为不称职的村党支部班子成员予以免职，村委会成员劝其辞职 — by each role the subject holds."""
    t = ctx.thresholds
    if not in_scheme(ballot, t, "member.scheme"):
        return
    grade, _ = grade_of(ballot, t)
    if grade != t.str("member.incompetent_option"):
        return
    removal = t.get("member.removal")
    roles = [r for r in dict.fromkeys(subject_roles(ballot)) if r in removal]
    if roles:
        roles_zh, roles_en = role_names(roles)
        yield fact(
            "incompetent_removal",
            path="ballot.subject.role",
            subject_id=subject_id(ballot),
            roles_zh=roles_zh,
            roles_en=roles_en,
            consequences=[removal[r] for r in roles],
        )


TEAM_POOR_VOTES, MEMBER_INCOMPETENT_VOTES, GRADE = vote_rules("farm_shuangshu")

# The consequence depends on the role (thresholds member.removal), so it comes with the fact; the
# note (info: not a violation) says which role it follows from.
INCOMPETENT_REMOVAL = Rule(
    id="farm_shuangshu.ballot.incompetent-removal",
    clause="四",
    kinds=("ballot",),
    fact_consequences=("dismissal", "advise_resignation"),
    severity="info",
    when=lambda t: m.type == "incompetent_removal",
    message={
        "zh": "{roles_zh}被评为不称职：村党支部班子成员予以免职，村委会成员劝其辞职",
        "en": "Graded incompetent as {roles_en}: a branch committee member is dismissed, a village committee "
        "member advised to resign",
    },
)
