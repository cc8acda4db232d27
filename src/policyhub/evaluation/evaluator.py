"""One evaluation: request -> validated submission -> facts -> durable_rules -> decision."""

from __future__ import annotations

import datetime as dt
import operator
import os
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol, cast

from google.protobuf import json_format

from ..telemetry import logs, metrics
from ..domain import vocabulary
from .assembly import DecisionBuilder, history_wire, parts_for
from ..engine.engine import Match
from ..domain.errors import InvalidArgument, KindNotGoverned, PolicyError, RuleFailure
from ..packs.livepacks import LivePacks
from .normalize import read_request
from ..packs.pack import Pack
from ..packs.registry import PackRegistry
from ..rules.model import RESERVED_FACT_KEYS, Context
from ..ruledata.trace import add_trace
from ..v1 import policyhub_pb2 as pb
from ..domain.validation import parse_date

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [high + low for high in _CROCKFORD for low in _CROCKFORD]  # 10 bits as 2 characters
# A random byte's low 5 bits as a character: 256 is a multiple of 32, so each is uniform.
_RANDOM_CHARACTERS = bytes.maketrans(bytes(range(256)), (_CROCKFORD * 8).encode())


# A decision id must be unique, not secret: a generator seeded from os.urandom, once per process
# (and again in a forked child, which would otherwise repeat its parent's ids). os.urandom per id
# is a system call that gives up the GIL, which under a busy worker's threads costs a switch.
_random = random.Random()
os.register_at_fork(after_in_child=_random.seed)


# The time part of the last id: (milliseconds, its 10 characters), swapped whole (threads never
# mix two milliseconds' parts). Evaluations come many to a millisecond; the part is made once for them.
_last_ms: tuple[int, str] = (-1, "")


def new_decision_id() -> str:
    """A ULID: 48-bit milliseconds then 80 random bits, Crockford base32; sorts by time."""
    global _last_ms
    ms = time.time_ns() // 1_000_000
    last = _last_ms
    if last[0] != ms:
        p = _PAIRS
        last = _last_ms = (ms, p[ms >> 40] + p[(ms >> 30) & 1023] + p[(ms >> 20) & 1023] + p[(ms >> 10) & 1023]
                           + p[ms & 1023])
    return last[1] + _random.randbytes(16).translate(_RANDOM_CHARACTERS).decode()  # 16 characters: one per random byte


_FIRST = operator.itemgetter(0)


@dataclass(slots=True)
class Finished:
    """A decision just made, with what it was made from: what a DecisionHook keeps."""

    request: pb.EvaluateRequest
    kind: str
    submission: dict
    pack: Pack
    day: dt.date | None
    decision_id: str
    matches: list  # engine matches in rule order
    wire: bytes
    history_source: str


class DecisionHook(Protocol):
    """Where decisions go besides the answer (the decision record, store/recorder.py)."""

    def history(self, pack: Pack, kind: str, request: pb.EvaluateRequest, submission: dict,
                day: dt.date | None) -> tuple[str, list[str]] | None:
        """Before derive: may fill the submission's history; (source, decision ids used) or None."""

    def finished(self, done: Finished) -> bytes:
        """Keep the decision; returns what to answer (the wire, or an earlier stored decision)."""


def _request_history(pack: Pack, kind: str, submission: dict) -> tuple[str, list[str]] | None:
    """Without a decision record, a pack that reads history can only take the request's own: say so."""
    if kind == "ballot" and getattr(pack, "reads_history", False) and submission.get("history"):
        return "request", []
    return None


class Evaluator:
    def __init__(self, registry: PackRegistry, observed: bool = True, hook: DecisionHook | None = None) -> None:
        """`observed=False`: no decision log lines or metrics (a reload's fixture check).
        `hook`: the decision record, told of every decision before it is answered."""
        self.live = LivePacks(registry)
        self.observed = observed
        self.hook = hook

    @property
    def registry(self) -> PackRegistry:
        return self.live.registry

    def swap(self, registry: PackRegistry) -> int:
        """Evaluate with `registry` from now on (requests in flight finish on the old one)."""
        return self.live.swap(registry)

    @staticmethod
    def pack_for(registry: PackRegistry, request: pb.EvaluateRequest, day: dt.date | None = None) -> Pack:
        """The pack named, else the one in force at the request's date (`day`, when already parsed)."""
        if request.pack:
            return registry.get(request.pack)
        return registry.resolve(request.locality, day or parse_date(request.date))  # type: ignore[arg-type]

    def evaluate(self, request: pb.EvaluateRequest) -> pb.Decision:
        return pb.Decision.FromString(self.evaluate_wire(request))

    def evaluate_wire(self, request: pb.EvaluateRequest) -> bytes:
        """The Decision as protobuf wire bytes: what the service sends, made without a message object."""
        live = self.live
        generation = live.enter()  # LivePacks.use() written out: a generator-based `with` per call costs
        try:
            return self._evaluate(generation.registry, request)
        except PolicyError as exc:
            if self.observed:
                metrics.record_error(exc.code)
            raise
        finally:
            live.leave(generation)

    def _evaluate(self, registry: PackRegistry, request: pb.EvaluateRequest) -> bytes:
        started = time.perf_counter()
        problems, submission = read_request(request)  # every field checked, the submission's dict built
        if problems:
            raise InvalidArgument(problems)
        submission = cast(dict[str, Any], submission)  # with no problems, read_request gives the submission
        day = parse_date(request.date) if request.date else None  # valid: read_request checked it
        pack = self.pack_for(registry, request, day)
        kind = request.WhichOneof("submission")
        if kind not in pack.kinds:
            raise KindNotGoverned(
                f"pack {pack.ref} has no rules for a {kind}; it governs: {', '.join(pack.kinds)}"
            )
        context = Context(
            kind=kind,
            pack_id=pack.id,
            locality=request.locality,
            date=day,
            thresholds=pack.thresholds,
        )
        hook = self.hook
        history = (hook.history(pack, kind, request, submission, day) if hook is not None
                   else _request_history(pack, kind, submission))
        facts = self._derive(pack, kind, submission, context)
        try:
            matches = pack.rulesets[kind].ruleset.run(facts)
        except (TypeError, ValueError) as exc:
            raise RuleFailure(f"pack {pack.ref}: a fact is not a JSON value: {exc}",
                              summary=f"pack {pack.ref}: a fact the engine cannot take") from None
        found = matched_rules(pack, kind, matches, facts)  # (rule index, branch, fact), in rule order
        wire, built = self._assemble(pack, kind, found, request, facts, history)
        if hook is not None:  # recorded (committed) before it is answered, logged or counted
            rule_matches = [Match(index, fact) for index, _branch, fact in found]  # as the rules read them
            wire = hook.finished(Finished(request, kind, submission, pack, day, built.decision_id, rule_matches, wire,
                                          history[0] if history else ""))
        elapsed = time.perf_counter() - started
        if self.observed:
            self._observe(kind, built, elapsed)
        return wire

    @staticmethod
    def _observe(kind: str, built: DecisionBuilder, elapsed: float) -> None:
        """The decision log line and metrics, from what the builder noted (no walk over the Decision)."""
        pack_ref = built.pack.ref
        logs.info_line("decision", {
            "decision_id": built.decision_id,
            "pack": pack_ref,
            "kind": kind,
            "compliant": built.compliant,
            "rules_fired": sorted(built.rules_fired),
            "grades": built.grade_codes,
            "consequences": built.consequence_codes,
            "latency_ms": round(elapsed * 1000, 3),
        })
        metrics.record_decision(pack_ref, kind, built.compliant, elapsed)

    def _derive(self, pack: Pack, kind: str, submission: dict, context: Context) -> list[dict]:
        facts: list[dict] = []
        disjoint = RESERVED_FACT_KEYS.isdisjoint
        for derive, thresholds in pack.derives_by_kind.get(kind, ()):  # views restricted at pack load
            context.thresholds = thresholds
            try:
                produced = list(derive.fn(submission, context) or ())
            except (RuleFailure, InvalidArgument):  # a derive function may refuse bad input itself
                raise
            except Exception as exc:
                raise RuleFailure(
                    f"pack {pack.ref}: derive function {derive.name} failed: {type(exc).__name__}: {exc}",
                    summary=f"pack {pack.ref}: derive function {derive.name} failed: {type(exc).__name__}",
                ) from None
            for item in produced:
                # exact classes first (every fact, every request; a ledger's facts are hundreds):
                # isinstance only for what they do not settle
                if item.__class__ is not dict and not isinstance(item, dict):
                    raise RuleFailure(f"pack {pack.ref}: derive function {derive.name} made a fact without a type")
                fact_type = item.get("type")
                if (fact_type.__class__ is not str and not isinstance(fact_type, str)) or not disjoint(item):
                    if not isinstance(fact_type, str):
                        raise RuleFailure(f"pack {pack.ref}: derive function {derive.name} made a fact without a type")
                    raise RuleFailure(f"pack {pack.ref}: derive function {derive.name} used reserved fact key(s) "
                                      f"{sorted(item.keys() & RESERVED_FACT_KEYS)}")
            facts.extend(produced)
        if kind in pack.submission_kinds:  # a data rule reads the submission's own fields
            facts.append({**submission, "type": kind, "path": kind})
        if pack.shapes:
            shape_facts(pack, facts)
        return facts

    def _assemble(self, pack: Pack, kind: str, found: list, request: pb.EvaluateRequest, facts: list[dict],
                  history: tuple[str, list[str]] | None = None) -> tuple[bytes, DecisionBuilder]:
        parts = parts_for(pack)
        built = DecisionBuilder(parts)
        message_fields = pack.message_fields
        made: dict[tuple[int, str, int, bool], dict] = {}  # (fact, group, branch, lazy) -> the fact as its rules read it
        for index, branch, fact in found:
            rule = pack.rules[index]
            if branch is not None and branch.none and rule.grade:
                continue  # the branch that decides no grade: the grade rule yields nothing
            try:
                if branch is not None and (branch.grade or branch.grade_from or branch.step or rule.spec.lazy):
                    key = (id(fact), branch.group, branch.order, rule.spec.lazy)
                    seen = made.get(key)
                    if seen is None:
                        seen = made[key] = (graded(fact, branch) if branch.grade or branch.grade_from
                                            else stepped(fact, branch) if branch.step else fact)
                        if rule.spec.lazy:
                            seen = made[key] = LazyFact(seen, message_fields[rule.spec.fact_type])
                    fact = seen
                built.add(parts.rule(index, rule), fact)
            except RuleFailure as exc:
                raise RuleFailure(f"rule {rule.id}: {exc.message}", summary=f"pack {pack.ref}: rule {rule.id} failed") from None
            except Exception as exc:
                raise RuleFailure(f"rule {rule.id}: {type(exc).__name__}: {exc}",
                                  summary=f"pack {pack.ref}: rule {rule.id} failed: {type(exc).__name__}") from None
        wire = built.wire(new_decision_id(), request.request_id)
        if history is not None:
            wire += history_wire(*history)
        if request.trace:  # for debugging a pack: built as a message, the trace added, serialised
            decision = pb.Decision.FromString(wire)
            add_trace(decision, pack, kind, found, facts)
            wire = decision.SerializeToString()
        return wire, built


class LazyFact(dict):
    """A matched fact whose message fields (`@message_field`) are made when a message asks for them."""

    __slots__ = ("_make",)

    def __init__(self, fact: dict, make: dict) -> None:
        super().__init__(fact)
        self._make = make

    def __missing__(self, key: str):
        make = self._make.get(key)
        if make is None:
            raise KeyError(key)
        value = self[key] = make(self)
        return value


def matched_rules(pack: Pack, kind: str, matches, facts: list[dict]) -> list:
    """The engine's matches as (rule index, data branch or None, fact), in rule order then match order:
    the decision lists them so."""
    kind_rules = pack.rulesets[kind]
    if kind_rules.first_match:
        return first_branches(kind_rules, matches, facts)
    entries = kind_rules.entries
    return sorted(((*entries[m.rule_index], m.fact) for m in matches), key=_FIRST)


def first_branches(kind_rules, matches, facts: list[dict]) -> list:
    """The matches in rule order, where of a grade rule's branches (and its `after` rules') that hold
    for one fact only the first counts. A branch whose condition always holds (the last, `none`) is
    not given to the engine: it holds for every fact of its type."""
    entries = kind_rules.entries
    # (rule index, branch, fact, (group, fact index) or None, branch order)
    pending: list[tuple[Any, Any, dict, tuple[str, int] | None, int]] = []
    first: dict[tuple[str, int], int] = {}
    for rule_index, fact, fact_index in matches:  # Match's fields, unpacked
        index, branch = entries[rule_index]
        if branch is not None:
            group = branch.group
            if group:
                key = (group, fact_index)
                order = branch.order
                if first.get(key, order + 1) > order:
                    first[key] = order
                pending.append((index, branch, fact, key, order))
                continue
        pending.append((index, branch, fact, None, 0))
    always = kind_rules.always
    if always:
        for i, fact in enumerate(facts):
            holding = always.get(fact["type"])
            if holding is not None:
                for index, branch in holding:
                    key = (branch.group, i)
                    order = branch.order
                    if first.get(key, order + 1) > order:
                        first[key] = order
                    pending.append((index, branch, fact, key, order))
    kept = [(index, branch, fact) for index, branch, fact, key, order in pending
            if key is None or first[key] == order]
    kept.sort(key=_FIRST)
    return kept


def shape_facts(pack: Pack, facts: list[dict]) -> None:
    """Add to each fact what its rules' engine conditions read (list lengths, unrolled items)."""
    shapes = pack.shapes
    for item in facts:
        shape = shapes.get(item["type"])
        if shape is not None:
            try:
                shape.apply(item)
            except ValueError as exc:
                raise InvalidArgument([(str(item.get("path") or item["type"]), str(exc))]) from None


def graded(fact: dict, branch) -> dict:
    """A grade branch's match: the fact with the grade it decided, and the grade's names for messages."""
    code = branch.grade or fact.get(branch.grade_from)
    names = vocabulary.BALLOT_OPTIONS.get(code) if isinstance(code, str) else None
    if names is None:
        raise RuleFailure(f"grade fact has unknown grade {code!r}")
    return {**fact, "grade": code, "grade_zh": names[0], "grade_en": names[1]}


def stepped(fact: dict, branch) -> dict:
    """A step's match (`steps:`): the fact with the step's consequences, its severity when it has
    its own ("": no note), and the fields it adds for the message."""
    made = {**fact, "consequences": branch.consequences}
    if branch.severity is not None:
        made["severity"] = branch.severity
    for name, template in branch.adds:
        made[name] = template.format_map(fact)
    return made


def decision_to_dict(decision: pb.Decision) -> dict[str, Any]:
    """The canonical JSON of a decision, false and empty fields included."""
    return json_format.MessageToDict(
        decision, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )

