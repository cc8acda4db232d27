"""Ballot rules of 2019斗山村村干部“双述双评”实施方案 二(一), 三(三)3 and 四.

Vote shares and the grade are the shared village ones (policyhub.rules.shuangshu). Unlike the
farm's plan, 四 here stops at the admonition talk: there is no dismissal or resignation rule.
"""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - the core.ballot.* checks
from policyhub.rules.shuangshu import (  # noqa: F401
    member_incompetent_votes,
    role_names,
    shuangshu_grade,
    subject_id,
    subject_roles,
    team_poor_votes,
    vote_rules,
)


@derive("ballot", uses=("subject.member_roles", "subject.team_roles"))
def subject_role(ballot: dict, ctx: Context):
    """二(一): the subjects are the two committees' members (or, for a team ballot, the team)."""
    subject = ballot.get("subject") or {}
    key = "subject.team_roles" if subject.get("kind") == "team" else "subject.member_roles"
    allowed = ctx.thresholds.list(key)
    roles = subject_roles(ballot)
    roles_zh, roles_en = role_names(roles) if roles else ("未填", "none given")
    yield fact(
        "subject_role",
        path="ballot.subject.role",
        subject_id=subject_id(ballot),
        roles_zh=roles_zh,
        roles_en=roles_en,
        eligible=any(r in allowed for r in roles),
    )


SUBJECT_ROLE = Rule(
    id="doushan_2019.ballot.subject-role",
    clause="二(一)",
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "subject_role") & (m.eligible == False),  # noqa: E712
    message={
        "zh": "“双述双评”的对象是村“两委”班子成员，被评议对象的身份为：{roles_zh}",
        "en": "Only the village's two-committee members are reviewed; the subject's role: {roles_en}",
    },
)

TEAM_POOR_VOTES, MEMBER_INCOMPETENT_VOTES, GRADE = vote_rules("doushan_2019")
