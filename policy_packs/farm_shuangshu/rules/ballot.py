"""The measurement the farm's removal rule (四, rules.yaml) compares: the grades given, and the
removal member.removal names for each role the subject holds."""

from policyhub.rules import Context, derive
from policyhub.rules.shuangshu import GRADE_USES, grades_given, is_evaluation, role_names, subject_id, subject_roles
from policyhub.rules.ballots import scheme_options


@derive("ballot", uses=GRADE_USES + ("member.removal",))
def removal(ballot: dict, ctx: Context):
    """四: 评为不称职的村党支部班子成员予以免职，村委会成员劝其辞职 — by each role the subject holds."""
    if not is_evaluation(ballot):
        return  # 评为不称职: only an evaluation is graded (as core.shuangshu's grade reads it)
    t = ctx.thresholds
    removal = t.get("member.removal")
    roles = [r for r in dict.fromkeys(subject_roles(ballot)) if r in removal]
    if not roles:
        return  # no role member.removal names: nothing to measure
    scheme, _ = scheme_options(ballot, t)
    committee_grade, most = grades_given(ballot, t)
    roles_zh, roles_en = role_names(roles)
    yield {"type": "removal", "path": "ballot.subject.role", "subject_id": subject_id(ballot), "scheme": scheme,
           "committee_grade": committee_grade, "plurality": most, "roles_zh": roles_zh, "roles_en": roles_en,
           "consequences": [removal[r] for r in roles]}
