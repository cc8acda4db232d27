"""The core ballot checks every pack with ballots shares (rulebook: shuangshu_shuangping.md).

A pack takes them by importing this module's rules and derive function into a rule script:

    from policyhub.rules.core_ballot import *  # noqa: F401,F403

Its thresholds.yaml then defines `ballot.schemes` (scheme -> options, best first) and
`ballot.default_scheme`.
"""

from __future__ import annotations

from .ballots import checked_rounds, scheme_options
from .model import Context, Rule, derive
from durable.lang import m

__all__ = [
    "core_ballot_rounds",
    "TALLY_EXCEEDS_CAST",
    "CAST_EXCEEDS_ELIGIBLE",
    "EMPTY_ROUND",
    "UNKNOWN_OPTION",
]

DOCUMENT = "计票通则 (policyhub core ballot checks)"


@derive("ballot", uses=("ballot.schemes", "ballot.default_scheme"))
def core_ballot_rounds(ballot: dict, ctx: Context):
    """One fact per round with what the core checks found."""
    scheme, options = scheme_options(ballot, ctx.thresholds)
    checked = checked_rounds(ballot, options, ctx)
    for r, problems in zip(checked.rounds, checked.problems):
        unknown = problems.get("unknown_options")  # a non-empty list when present
        # A dict literal rather than fact(): every ballot makes these, and it costs half as much.
        yield {
            "type": "core_round",
            "path": f"ballot.rounds[{r.index}]",
            "round": r.name,
            "scheme": scheme,
            "cast": r.cast,
            "eligible": r.eligible if r.eligible is not None else -1,
            "valid": r.valid,
            "tally_total": r.tally_total,
            "tally_excess": problems.get("tally_excess", 0),
            "cast_excess": problems.get("cast_excess", 0),
            "empty": "empty" in problems,
            "unknown_options": ", ".join(unknown) if unknown else "",
            "has_unknown": unknown is not None,
        }


TALLY_EXCEEDS_CAST = Rule(
    id="core.ballot.tally-exceeds-cast",
    clause="票数核对",
    document=DOCUMENT,
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "core_round") & (m.tally_excess > 0),
    message={
        "zh": "第“{round}”轮各选项票数合计{tally_total}票，超过有效票{valid}票；该轮不计入等次",
        "en": "Round “{round}”: the tallies add up to {tally_total}, more than the {valid} valid ballots; "
        "the round is not graded",
    },
)

CAST_EXCEEDS_ELIGIBLE = Rule(
    id="core.ballot.cast-exceeds-eligible",
    clause="票数核对",
    document=DOCUMENT,
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "core_round") & (m.cast_excess > 0),
    message={
        "zh": "第“{round}”轮收回选票{cast}张，多于应参评人数{eligible}人",
        "en": "Round “{round}”: {cast} ballots cast, more than the {eligible} entitled voters",
    },
)

EMPTY_ROUND = Rule(
    id="core.ballot.empty-round",
    clause="票数核对",
    document=DOCUMENT,
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "core_round") & (m.empty == True),  # noqa: E712 - a durable_rules condition
    message={
        "zh": "第“{round}”轮没有有效票；该轮不计入等次",
        "en": "Round “{round}” has no valid ballots; it is not graded",
    },
)

UNKNOWN_OPTION = Rule(
    id="core.ballot.unknown-option",
    clause="票数核对",
    document=DOCUMENT,
    kinds=("ballot",),
    severity="error",
    when=lambda t: (m.type == "core_round") & (m.has_unknown == True),  # noqa: E712
    message={
        "zh": "第“{round}”轮计票含本方案（{scheme}）以外的选项：{unknown_options}",
        "en": "Round “{round}” tallies options outside the scheme {scheme}: {unknown_options}",
    },
)
