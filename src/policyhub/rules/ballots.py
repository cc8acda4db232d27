"""Vote arithmetic shared by the packs: valid ballots, exact shares, plurality, usable rounds.

Shares are Fractions: a 70% bar is met by 7 of 10 exactly, never missed by 69.999…%. `reaches`
compares a count with a bar the same exact way without building a Fraction, for the hot path.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import Any, Iterable, NamedTuple, Sequence, cast

from ..domain.errors import InvalidArgument
from .model import Context
from .thresholds import Thresholds

SHARE_BASES = ("valid", "cast")


class Share(Fraction):
    """votes/total as an exact Fraction that remembers its total.

    The total tells threshold coverage how near a bar a share is: with 9 votes the shares next
    to 3/9 are 2/9 and 4/9. Arithmetic on a Share gives a plain Fraction.
    """

    __slots__ = ("total",)
    total: int | None

    def __new__(cls, votes: int, total: int) -> "Share":
        if type(votes) is int and type(total) is int and total > 0:
            # Shares are taken on every ballot: build the reduced fraction directly (Fraction's own
            # fields, as the standard library's Fraction._from_coprime_ints does), at two thirds of
            # Fraction()'s cost.
            share = object.__new__(cls)
            common = gcd(votes, total)
            share._numerator, share._denominator = votes // common, total // common  # type: ignore[attr-defined]  # Fraction's private slots, set as Fraction does
        else:
            share = Fraction.__new__(cls, votes, total)
        share.total = total
        return share


def reaches(votes: int, total: int, bar: Fraction) -> bool:
    """votes/total >= bar, exactly (`total` > 0).

    A plain Fraction bar is compared by cross-multiplying whole numbers, as Fraction's own
    comparison does, with no Share built; any other bar (a tracked one, during threshold
    coverage) is compared with a Share, so that it records the comparison and its step.
    """
    if type(bar) is Fraction:
        return votes * bar.denominator >= bar.numerator * total
    return Share(votes, total) >= bar


class RoundCount(NamedTuple):
    """One round's numbers, as the core checks see them (made by `round_counts`)."""

    index: int  # type: ignore[assignment]  # the round's number: a field shadowing tuple.index, as the facts name it
    name: str
    eligible: int | None
    cast: int
    invalid: int
    tallies: dict[str, int]
    valid: int  # cast − invalid, never below 0
    tally_total: int  # the tallies added up

    def base(self, share_base: str) -> int:
        """The number shares are taken of: valid ballots (cast − invalid) or all cast."""
        return self.valid if share_base == "valid" else self.cast

    def share(self, options: Iterable[str], share_base: str) -> Fraction | None:
        base = self.base(share_base)
        if base <= 0:
            return None
        return Share(sum(self.tallies.get(o, 0) for o in options), base)


_new_round = tuple.__new__  # a RoundCount without namedtuple's Python-level __new__: half the cost


def round_counts(ballot: dict[str, Any]) -> list[RoundCount]:
    # Counts arrive as ints (proto int32 fields, see normalize.submission_dict): nothing to convert.
    # The tallies are the submission's own mapping, read-only like the rest of it.
    rounds = []
    for i, r in enumerate(ballot.get("rounds", ())):
        tallies = r.get("tallies") or {}
        tally_total = sum(tallies.values())
        invalid = r.get("invalid", 0)
        cast = r.get("cast")
        if cast is None:  # a round without `cast` counts its tallies as the ballots cast
            cast = tally_total + invalid
        valid = cast - invalid if cast > invalid else 0
        fields = (i, r.get("name", ""), r.get("eligible"), cast, invalid, tallies, valid, tally_total)
        rounds.append(_new_round(RoundCount, fields))
    return rounds


def purpose_of(ballot: dict[str, Any]) -> str:
    """evaluation or selection: as the ballot says; one that does not say is a selection when it
    names an award (评选), else an evaluation (测评). One reading for every pack, so a ballot
    without `purpose` is never graded by one pack and silently passed over by another."""
    return ballot.get("purpose") or ("selection" if ballot.get("award") else "evaluation")


def scheme_options(ballot: dict[str, Any], t: Thresholds) -> tuple[str, list[str]]:
    """The ballot's grading scheme and its options, best first (thresholds `ballot.schemes`).

    `ballot.default_scheme` is one scheme, or a scheme per subject where the regulation grades
    subjects on different scales: keyed by subject kind (`{individual: member, team: team}`) and/or
    by member role (a subject holding the role; roles are looked at before the kind). A ballot
    that names no scheme is graded on its subject's. A scheme the pack does not have is refused
    naming `ballot.scheme`, and so is one the mapping gives to another kind of subject (a team
    ballot on the member scale): graded on the wrong scale, every tally would be an "unknown
    option" and the grade and its consequences would silently vanish.
    """
    schemes = t.get("ballot.schemes")
    default = t.get("ballot.default_scheme")
    named = ballot.get("scheme")
    if isinstance(default, dict):
        subject = ballot.get("subject") or {}
        kind = subject.get("kind") or "individual"
        roles = ([subject["role"]] if subject.get("role") else []) + list(subject.get("roles") or [])
        inferred = next((default[r] for r in roles if r in default), None) or default.get(kind)
        if named:
            others = {default[k] for k in default if k in _SUBJECT_KINDS and k != kind} - {default.get(kind)}
            if named in others:
                raise InvalidArgument([("ballot.scheme", f"a {kind} ballot is graded on the {default.get(kind)!r} "
                                                         f"scheme, not {named!r}")])
        elif inferred is None:
            raise InvalidArgument([("ballot.subject.kind", f"this pack grades subjects of kind "
                                                          f"{', '.join(k for k in default if k in _SUBJECT_KINDS)}, "
                                                          f"not {kind!r}")])
        scheme = named or inferred
    else:
        scheme = named or default
    options = schemes.get(scheme)
    if options is None:
        raise InvalidArgument([("ballot.scheme", f"unknown scheme {scheme!r}; this pack's schemes: "
                                                 f"{', '.join(schemes)}")])
    return cast(str, scheme), list(options)  # a key of ballot.schemes (an unknown one raised above)


_SUBJECT_KINDS = ("individual", "team")  # vocabulary: a ballot's subject.kind


def round_problems(r: RoundCount, options: Sequence[str]) -> dict[str, Any]:
    """What the core checks find wrong with a round; empty when it may be graded."""
    problems: dict[str, Any] = {}
    if r.tally_total > r.valid:
        problems["tally_excess"] = r.tally_total - r.valid
    if r.eligible is not None and r.cast > r.eligible:
        problems["cast_excess"] = r.cast - r.eligible
    if r.valid <= 0:
        problems["empty"] = True
    for option in r.tallies:
        if option not in options:  # rare: only then is the list built
            problems["unknown_options"] = sorted(k for k in r.tallies if k not in options)
            break
    return problems


class CheckedRounds(NamedTuple):
    """A ballot's rounds with what the core checks found, round by round (see `checked_rounds`)."""

    rounds: list[RoundCount]
    problems: list[dict[str, Any]]  # each round's `round_problems`
    names: list[str]  # each round's name
    passing: list[RoundCount]  # the rounds without problems: only these may be graded


def checked_rounds(ballot: dict[str, Any], options: Sequence[str], ctx: Context) -> CheckedRounds:
    """The ballot's rounds and their `round_problems`, worked out once per request for all its
    derive functions (the core checks report the problems, a grading keeps the passing rounds).

    Shared between derive functions: none of it is to be changed.
    """
    entry = ctx.shared.get("ballots.checked_rounds")
    # The entry holds the ballot itself (so its id cannot be reused) and the options it was checked against.
    if entry is not None and entry[0] is ballot and entry[1] == options:
        return entry[2]
    rounds = round_counts(ballot)
    problems, names, passing = [], [], []
    for r in rounds:
        found = round_problems(r, options)
        problems.append(found)
        names.append(r.name)
        if not found:
            passing.append(r)
    checked = CheckedRounds(rounds, problems, names, passing)
    ctx.shared["ballots.checked_rounds"] = (ballot, list(options), checked)
    return checked


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
