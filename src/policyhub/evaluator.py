"""One evaluation: request -> validated submission -> facts -> durable_rules -> decision."""

from __future__ import annotations

import datetime as dt
import operator
import os
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf import json_format

from . import logs, metrics
from .assembly import DecisionBuilder, history_wire, parts_for
from .errors import InvalidArgument, KindNotGoverned, PolicyError, RuleFailure
from .livepacks import LivePacks
from .normalize import read_request
from .pack import Pack
from .registry import PackRegistry
from .rules.model import RESERVED_FACT_KEYS, Context
from .v1 import policyhub_pb2 as pb
from .validation import parse_date

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PAIRS = [high + low for high in _CROCKFORD for low in _CROCKFORD]  # 10 bits as 2 characters
# A random byte's low 5 bits as a character: 256 is a multiple of 32, so each is uniform.
_RANDOM_CHARACTERS = bytes.maketrans(bytes(range(256)), (_CROCKFORD * 8).encode())


# A decision id must be unique, not secret: a generator seeded from os.urandom, once per process
# (and again in a forked child, which would otherwise repeat its parent's ids). os.urandom per id
# is a system call that gives up the GIL, which under a busy worker's threads costs a switch.
_random = random.Random()
os.register_at_fork(after_in_child=_random.seed)


def new_decision_id() -> str:
    """A ULID: 48-bit milliseconds then 80 random bits, Crockford base32; sorts by time."""
    ms, p = int(time.time() * 1000), _PAIRS
    return (p[ms >> 40] + p[(ms >> 30) & 1023] + p[(ms >> 20) & 1023] + p[(ms >> 10) & 1023] + p[ms & 1023]
            + _random.randbytes(16).translate(_RANDOM_CHARACTERS).decode())  # 16 characters: one per random byte


_RULE_INDEX = operator.attrgetter("rule_index")


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
        with self.live.use() as registry:
            try:
                return self._evaluate(registry, request)
            except PolicyError as exc:
                if self.observed:
                    metrics.record_error(exc.code)
                raise

    def _evaluate(self, registry: PackRegistry, request: pb.EvaluateRequest) -> bytes:
        started = time.perf_counter()
        problems, submission = read_request(request)  # every field checked, the submission's dict built
        if problems:
            raise InvalidArgument(problems)
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
            matches = pack.ruleset.run(facts)
        except (TypeError, ValueError) as exc:
            raise RuleFailure(f"pack {pack.ref}: a fact is not a JSON value: {exc}",
                              summary=f"pack {pack.ref}: a fact the engine cannot take") from None
        matches = sorted(matches, key=_RULE_INDEX)  # rule order, then match order: the decision lists them so
        wire, built = self._assemble(pack, kind, matches, request, history)
        if hook is not None:  # recorded (committed) before it is answered, logged or counted
            wire = hook.finished(Finished(request, kind, submission, pack, day, built.decision_id, matches, wire,
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
                if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                    raise RuleFailure(f"pack {pack.ref}: derive function {derive.name} made a fact without a type")
                reserved = item.keys() & RESERVED_FACT_KEYS  # iterates the three reserved keys, not the fact
                if reserved:
                    raise RuleFailure(
                        f"pack {pack.ref}: derive function {derive.name} used reserved fact key(s) {sorted(reserved)}"
                    )
            facts.extend(produced)
        return facts

    def _assemble(self, pack: Pack, kind: str, matches, request: pb.EvaluateRequest,
                  history: tuple[str, list[str]] | None = None) -> tuple[bytes, DecisionBuilder]:
        parts = parts_for(pack)
        built = DecisionBuilder(parts)
        for match in matches:
            rule = pack.rules[match.rule_index]
            try:
                built.add(parts.rule(match.rule_index, rule), match.fact)
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
            by_rule: dict[int, list[dict]] = {}
            for match in matches:
                by_rule.setdefault(match.rule_index, []).append(match.fact)
            for index, rule in enumerate(pack.rules):
                entry = decision.trace.add(
                    rule_id=rule.id,
                    applicable=kind in rule.kinds,
                    fired=index in by_rule,
                    condition=pack.ruleset.conditions[index],
                )
                for fact in by_rule.get(index, ()):
                    entry.matched.add().update(fact)
            wire = decision.SerializeToString()
        return wire, built


def decision_to_dict(decision: pb.Decision) -> dict[str, Any]:
    """The canonical JSON of a decision, false and empty fields included."""
    return json_format.MessageToDict(
        decision, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )

