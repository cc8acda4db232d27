"""policyhub's own shared rule libraries, registered through the `policyhub_rule_libraries` hook
(plugins.DEFAULT_PLUGINS) exactly as an installed plugin registers its own.

    core.ballot     the vote-count checks every pack with ballots shares (library/core_ballot.yaml)
    core.pledges    measurements only: every pledge item's length and repeats of last year's items
                    (library/pledges.yaml); the pack writes the rules that compare them
    core.shuangshu  the village “双述双评” rules of the farm's and Doushan's plans (library/shuangshu.yaml)
"""

from __future__ import annotations

from pathlib import Path

from .hookspecs import RuleLibrary, hookimpl
from .core_ballot import core_ballot_rounds
from .pledges import pledge_items
from .shuangshu import ballot_votes, review_attendance, review_dates, review_segments, stage_dates

HERE = Path(__file__).resolve().parent / "library"


@hookimpl
def policyhub_rule_libraries():
    return [
        RuleLibrary(
            name="core.ballot",
            rule_files=(HERE / "core_ballot.yaml",),
            derives=(core_ballot_rounds,),
            description="vote counts: tallies within the valid ballots, ballots within the entitled voters, "
            "no empty round, no option outside the scheme",
        ),
        RuleLibrary(
            name="core.pledges",
            rule_files=(HERE / "pledges.yaml",),
            derives=(pledge_items,),
            description="measurements of a pledge's items: length (word for word) and repeats of last year's items; "
            "no rules",
        ),
        RuleLibrary(
            name="core.shuangshu",
            rule_files=(HERE / "shuangshu.yaml",),
            derives=(review_attendance, review_segments, review_dates, stage_dates, ballot_votes),
            description="village “双述双评”: the review meeting's attendance, agenda and window, the stage "
            "windows, the 差票/不称职票 consequences and the grade, with the using pack's rule ids",
        ),
    ]
