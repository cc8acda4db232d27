"""The measurement Doushan's subject rule (二(一), rules.yaml) compares: the subject's roles."""

from policyhub.rules import Context, derive
from policyhub.rules.shuangshu import role_names, subject_id, subject_roles


@derive("ballot")
def ballot_subject(ballot: dict, ctx: Context):
    """二(一): the subject's kind and the roles it holds (which are reviewed is the rule's to say)."""
    roles = subject_roles(ballot)
    roles_zh, roles_en = role_names(roles) if roles else ("未填", "none given")
    yield {"type": "ballot_subject", "path": "ballot.subject.role", "subject_id": subject_id(ballot),
           "kind": str((ballot.get("subject") or {}).get("kind") or ""),
           "roles": [{"role": r} for r in roles], "roles_zh": roles_zh, "roles_en": roles_en}
