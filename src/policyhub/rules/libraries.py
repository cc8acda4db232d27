"""policyhub's own shared rule libraries, registered through the `policyhub_rule_libraries` hook
(plugins.DEFAULT_PLUGINS) exactly as an installed plugin registers its own.

    core.ballot   the vote-count checks every pack with ballots shares (library/core_ballot.yaml)
"""

from __future__ import annotations

from pathlib import Path

from .hookspecs import RuleLibrary, hookimpl
from .core_ballot import core_ballot_rounds

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
    ]
