"""The year-end evaluation of pledges, 余创先办发〔2011〕3号 三、5, and the core ballot checks."""

from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import purpose_of
from policyhub.rules.core_ballot import *  # noqa: F401,F403 - core.ballot.* apply to every ballot here
from policyhub.vocabulary import ROUND_NAMES


@derive("ballot", uses=("ballot.year_end_rounds",))
def year_end_rounds(ballot: dict, ctx: Context):
    if purpose_of(ballot) != "evaluation":  # a ballot that does not say is an evaluation unless it names an award
        return
    present = {r.get("name") for r in ballot.get("rounds", [])}
    for name in ctx.thresholds.list("ballot.year_end_rounds"):
        if name not in present:
            zh, en = ROUND_NAMES.get(name, (name, name))
            yield fact("year_end_round_missing", path="ballot.rounds", round=name, round_zh=zh, round_en=en)


YEAR_END_COMPONENTS = Rule(
    id="yuyao_2011.ballot.year-end-components",
    clause="三、5",
    kinds=("ballot",),
    severity="error",
    when=lambda t: m.type == "year_end_round_missing",
    message={
        "zh": "全年综合评议缺少“{round_zh}”环节（个人自评、党员互评、党组织考评、群众参评相结合）",
        "en": "The year-end evaluation lacks the {round_en} round ({round}); self, peer, organization and "
        "masses rounds are combined",
    },
)
