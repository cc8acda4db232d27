"""What a rule script declares: rules over facts, and the derive functions that make the facts.

A rule script is a module in a pack's rules/ folder. The pack loader collects every `Rule`
and every `@derive` function in its namespace (imported ones too, so a pack opts into a
shared rule or derive function by importing it).

Flow of one evaluation: the derive functions for the submission's kind turn it into facts
(plain dicts with a "type"; aggregates such as counts, shares and missing months are computed
here, in Python); every fact is asserted into the pack's durable_rules ruleset; each rule whose
condition matches a fact yields, for that fact, a violation (when it has a severity), a grade
(when `grade=True`) and its consequences.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from .thresholds import Thresholds

KINDS = ("pledge", "meeting", "log", "ballot")

# Keys the engine owns; a fact carrying one would be merged with or hidden by another.
RESERVED_FACT_KEYS = frozenset({"sid", "id", "_i"})


@dataclass(frozen=True)
class Rule:
    """One rule of a pack.

    id: `<pack>.<area>.<slug>` as in the rulebook (or `core.<area>.<slug>`).
    clause: the section of the pack's document it comes from, e.g. "三、3".
    kinds: the submission kinds it runs for.
    when: given the thresholds view, returns a durable_rules condition over one fact (`m`).
    severity: error | warning | info, or None for a rule that only grades or yields consequences.
        error and warning findings go to the decision's `violations`; info findings are notes,
        not violations (`notes`). A fact's own "severity" wins; a fact with severity "" yields
        no violation or note for its match (only its grade and consequences), for a rule that
        speaks on some matches only (linge_2022.ballot.household-sign notes the unqualified).
    message: {"zh": ..., "en": ...}, formatted with the matched fact's fields.
    path: the submission field the violation points at; a fact's own "path" wins.
    consequences: consequence codes (or {"code", "params"}) yielded for each match; a fact's
        own "consequences" list is added to them, and its "params" mapping to every
        consequence's params (e.g. the reasons behind a disqualification).
    fact_consequences: the codes a fact's own "consequences" may bring (chosen by a run of years
        or a role): declared, so the pack lists them and the loader checks them, and a rule whose
        consequences all come from its facts needs no severity to yield something. A fact
        bringing a code not declared here fails the rule.
    grade: the matched fact carries "grade", "scheme" and "subject_id".
    thresholds: the thresholds.yaml keys `when` reads.
    document: the citation's document, when it is not the pack's own.
    spec: for a rule declared in rules.yaml, what the data says (None for a Python rule).
    """

    id: str
    clause: str
    kinds: tuple[str, ...]
    when: Callable[[Thresholds], Any]
    severity: str | None = None
    message: dict[str, str] | None = None
    path: str = ""
    consequences: tuple[Any, ...] = ()
    fact_consequences: tuple[str, ...] = ()
    grade: bool = False
    thresholds: tuple[str, ...] = ()
    document: str | None = None
    # A rule declared as data (rules.yaml): its fact type, condition and engine branches
    # (ruledata.loader.RuleSpec); None for a rule written in Python.
    spec: Any = None


@dataclass(frozen=True)
class DeriveSpec:
    kinds: tuple[str, ...]
    uses: tuple[str, ...]


def derive(*kinds: str, uses: Iterable[str] = ()) -> Callable:
    """Mark `fn(submission: dict, ctx: Context) -> Iterable[fact]` as a fact source for `kinds`.

    `uses` lists the thresholds.yaml keys it reads through `ctx.thresholds`.
    """
    unknown = set(kinds) - set(KINDS)
    if not kinds or unknown:
        raise ValueError(f"derive needs submission kinds from {KINDS}, got {kinds}")

    def mark(fn: Callable) -> Callable:
        fn.__policyhub_derive__ = DeriveSpec(tuple(kinds), tuple(uses))  # type: ignore[attr-defined]  # a marker the pack loader reads
        return fn

    return mark


def message_field(fact_type: str, name: str) -> Callable:
    """Mark `fn(fact: dict) -> str` as the maker of a fact type's message field (declared `name: message`
    in rules.yaml): text only a violation's message shows (a basis, the rounds found), made when a
    message is written rather than on every request."""

    def mark(fn: Callable) -> Callable:
        fn.__policyhub_message_field__ = (fact_type, name)  # type: ignore[attr-defined]  # a marker the pack loader reads
        return fn

    return mark


def message_field_spec(fn: Any) -> tuple[str, str] | None:
    spec = getattr(fn, "__policyhub_message_field__", None) if callable(fn) else None
    return spec if isinstance(spec, tuple) else None


def derive_spec(fn: Any) -> DeriveSpec | None:
    # durable_rules' `m` answers every attribute, so check the type, not just the presence.
    spec = getattr(fn, "__policyhub_derive__", None) if callable(fn) else None
    return spec if isinstance(spec, DeriveSpec) else None


@dataclass
class Context:
    """What a derive function knows besides the submission."""

    kind: str
    pack_id: str
    locality: str
    date: dt.date | None
    thresholds: Thresholds
    extra: dict[str, Any] = field(default_factory=dict)
    # One request's scratch space: its derive functions all read the same submission, so work
    # several of them need (a ballot's checked rounds) is done once per request, never across requests.
    shared: dict[str, Any] = field(default_factory=dict)


def fact(type_: str, **fields: Any) -> dict[str, Any]:
    """A fact of the given type; the fields must be JSON values."""
    return {"type": type_, **fields}


FactSource = Callable[[dict, Context], Iterator[dict]]
