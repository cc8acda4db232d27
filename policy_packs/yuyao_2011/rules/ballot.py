"""The measurement the year-end evaluation rule of 余创先办发〔2011〕3号 三、5 (rules.yaml) compares."""

from policyhub.rules import Context, derive
from policyhub.rules.ballots import purpose_of
from policyhub.rules import ROUND_NAMES


@derive("ballot", uses=("ballot.year_end_rounds",))
def year_end_rounds(ballot: dict, ctx: Context):
    """How many rounds of each kind the year-end evaluation combines (self, peer, org, masses)."""
    if purpose_of(ballot) != "evaluation":  # a ballot that does not say is an evaluation unless it names an award
        return
    names = [r.get("name") for r in ballot.get("rounds", [])]
    for name in ctx.thresholds.list("ballot.year_end_rounds"):
        zh, en = ROUND_NAMES.get(name, (name, name))
        yield {"type": "year_end_round", "path": "ballot.rounds", "round": name, "round_zh": zh, "round_en": en,
               "rounds": names.count(name)}
