"""Vote arithmetic shared by the packs: valid ballots, exact shares, plurality, usable rounds.

Shares are Fractions: a 70% bar is met by 7 of 10 exactly, never missed by 69.999…%.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Sequence

from .thresholds import Thresholds

SHARE_BASES = ("valid", "cast")


class Share(Fraction):
    """votes/total as an exact Fraction that remembers its total.

    The total tells threshold coverage how near a bar a share is: with 9 votes the shares next
    to 3/9 are 2/9 and 4/9. Arithmetic on a Share gives a plain Fraction.
    """

    total: int | None

    def __new__(cls, votes: int, total: int) -> "Share":
        share = super().__new__(cls, votes, total)
        share.total = total
        return share


@dataclass(frozen=True)
class RoundCount:
    """One round's numbers, as the core checks see them."""

    index: int
    name: str
    eligible: int | None
    cast: int
    invalid: int
    tallies: dict[str, int]

    @property
    def valid(self) -> int:
        return max(self.cast - self.invalid, 0)

    @property
    def tally_total(self) -> int:
        return sum(self.tallies.values())

    def base(self, share_base: str) -> int:
        """The number shares are taken of: valid ballots (cast − invalid) or all cast."""
        return self.valid if share_base == "valid" else self.cast

    def share(self, options: Iterable[str], share_base: str) -> Fraction | None:
        base = self.base(share_base)
        if base <= 0:
            return None
        return Share(sum(self.tallies.get(o, 0) for o in options), base)


def round_counts(ballot: dict[str, Any]) -> list[RoundCount]:
    rounds = []
    for i, r in enumerate(ballot.get("rounds", [])):
        tallies = {k: int(v) for k, v in (r.get("tallies") or {}).items()}
        cast = r.get("cast")
        rounds.append(
            RoundCount(
                index=i,
                name=r.get("name", ""),
                eligible=r.get("eligible"),
                # A round without `cast` counts its tallies as the ballots cast.
                cast=int(cast) if cast is not None else sum(tallies.values()) + int(r.get("invalid", 0)),
                invalid=int(r.get("invalid", 0)),
                tallies=tallies,
            )
        )
    return rounds


def scheme_options(ballot: dict[str, Any], t: Thresholds) -> tuple[str, list[str]]:
    """The ballot's grading scheme and its options, best first (thresholds `ballot.schemes`)."""
    schemes = t.get("ballot.schemes")
    scheme = ballot.get("scheme") or t.str("ballot.default_scheme")
    return scheme, list(schemes.get(scheme, []))


def round_problems(r: RoundCount, options: Sequence[str]) -> dict[str, Any]:
    """What the core checks find wrong with a round; empty when it may be graded."""
    problems: dict[str, Any] = {}
    if r.tally_total > r.valid:
        problems["tally_excess"] = r.tally_total - r.valid
    if r.eligible is not None and r.cast > r.eligible:
        problems["cast_excess"] = r.cast - r.eligible
    if r.valid <= 0:
        problems["empty"] = True
    unknown = sorted(k for k in r.tallies if k not in options)
    if unknown:
        problems["unknown_options"] = unknown
    return problems


def usable_rounds(ballot: dict[str, Any], t: Thresholds) -> list[RoundCount]:
    """Rounds that pass every core check: only these may be graded."""
    _, options = scheme_options(ballot, t)
    return [r for r in round_counts(ballot) if not round_problems(r, options)]


def plurality(tallies: dict[str, int], options_best_first: Sequence[str]) -> str | None:
    """The option with most votes; a tie goes to the lower (worse) option. None with no votes."""
    best: str | None = None
    best_votes = 0
    for option in options_best_first:  # later options are lower: >= lets them win ties
        votes = tallies.get(option, 0)
        if votes > 0 and votes >= best_votes:
            best, best_votes = option, votes
    return best


def combined_tallies(rounds: Iterable[RoundCount]) -> dict[str, int]:
    total: dict[str, int] = {}
    for r in rounds:
        for option, votes in r.tallies.items():
            total[option] = total.get(option, 0) + votes
    return total


def streak(history: Iterable[dict[str, Any]], year: int, current: str, bad: str) -> int:
    """Consecutive years graded `bad` ending with `year` (graded `current`); a missing year breaks it."""
    if current != bad:
        return 0
    grades = {int(h["year"]): h.get("grade") for h in history if "year" in h}
    run, y = 1, year - 1
    while grades.get(y) == bad:
        run += 1
        y -= 1
    return run
