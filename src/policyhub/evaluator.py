"""One evaluation: request -> validated submission -> facts -> durable_rules -> decision."""

from __future__ import annotations

import os
import time
from typing import Any

import structlog
from google.protobuf import json_format

from . import metrics, vocabulary
from .errors import InvalidArgument, KindNotGoverned, PolicyError, RuleFailure
from .livepacks import LivePacks
from .normalize import submission_dict
from .pack import Pack
from .registry import PackRegistry
from .rules.model import RESERVED_FACT_KEYS, Context, Rule
from .v1 import policyhub_pb2 as pb
from .validation import parse_date, validate_request

log = structlog.get_logger("policyhub.decision")


def new_decision_id() -> str:
    """A ULID: 48-bit milliseconds then 80 random bits, Crockford base32; sorts by time."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(alphabet[(value >> shift) & 31] for shift in range(125, -1, -5))


class _Fields(dict):
    """Message formatting: a field the fact lacks is an error naming it, not a KeyError deep down."""

    def __missing__(self, key: str) -> Any:
        raise RuleFailure(f"message refers to {{{key}}}, which the matched fact does not have")


def _format(template: str, values: dict[str, Any]) -> str:
    # str.format_map (C) asks _Fields for a missing key just as Formatter.vformat does, at a fraction of the cost.
    return template.format_map(_Fields(values))


class Evaluator:
    def __init__(self, registry: PackRegistry, observed: bool = True) -> None:
        """`observed=False`: no decision log lines or metrics (a reload's fixture check)."""
        self.live = LivePacks(registry)
        self.observed = observed

    @property
    def registry(self) -> PackRegistry:
        return self.live.registry

    def swap(self, registry: PackRegistry) -> int:
        """Evaluate with `registry` from now on (requests in flight finish on the old one)."""
        return self.live.swap(registry)

    @staticmethod
    def pack_for(registry: PackRegistry, request: pb.EvaluateRequest) -> Pack:
        if request.pack:
            return registry.get(request.pack)
        return registry.resolve(request.locality, parse_date(request.date))  # type: ignore[arg-type]

    def evaluate(self, request: pb.EvaluateRequest) -> pb.Decision:
        with self.live.use() as registry:
            try:
                return self._evaluate(registry, request)
            except PolicyError as exc:
                if self.observed:
                    metrics.record_error(exc.code)
                raise

    def _evaluate(self, registry: PackRegistry, request: pb.EvaluateRequest) -> pb.Decision:
        started = time.perf_counter()
        problems = validate_request(request)
        if problems:
            raise InvalidArgument(problems)
        pack = self.pack_for(registry, request)
        kind = request.WhichOneof("submission")
        if kind not in pack.kinds:
            raise KindNotGoverned(
                f"pack {pack.ref} has no rules for a {kind}; it governs: {', '.join(pack.kinds)}"
            )
        submission = submission_dict(getattr(request, kind))
        context = Context(
            kind=kind,
            pack_id=pack.id,
            locality=request.locality,
            date=parse_date(request.date) if request.date else None,
            thresholds=pack.thresholds,
        )
        facts = self._derive(pack, kind, submission, context)
        try:
            matches = pack.ruleset.run(facts)
        except (TypeError, ValueError) as exc:
            raise RuleFailure(f"pack {pack.ref}: a fact is not a JSON value: {exc}",
                              summary=f"pack {pack.ref}: a fact the engine cannot take") from None
        decision = self._assemble(pack, kind, matches, request)
        elapsed = time.perf_counter() - started
        if self.observed:
            self._observe(pack, kind, decision, elapsed)
        return decision

    @staticmethod
    def _observe(pack: Pack, kind: str, decision: pb.Decision, elapsed: float) -> None:
        log.info(
            "decision",
            decision_id=decision.decision_id,
            pack=pack.ref,
            kind=kind,
            compliant=decision.compliant,
            rules_fired=sorted({v.rule_id for v in decision.violations}
                               | {g.rule_id for g in decision.grades}
                               | {c.rule_id for c in decision.consequences}),
            grades=[g.code for g in decision.grades],
            consequences=[c.code for c in decision.consequences],
            latency_ms=round(elapsed * 1000, 3),
        )
        metrics.record_decision(pack.ref, kind, decision.compliant, elapsed)

    def _derive(self, pack: Pack, kind: str, submission: dict, context: Context) -> list[dict]:
        facts: list[dict] = []
        for derive in pack.derives:
            if kind not in derive.spec.kinds:
                continue
            context.thresholds = pack.thresholds.restricted(derive.spec.uses, f"derive {derive.name}")
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
                reserved = RESERVED_FACT_KEYS.intersection(item)
                if reserved:
                    raise RuleFailure(
                        f"pack {pack.ref}: derive function {derive.name} used reserved fact key(s) {sorted(reserved)}"
                    )
                facts.append(item)
        return facts

    def _assemble(self, pack: Pack, kind: str, matches, request: pb.EvaluateRequest) -> pb.Decision:
        decision = pb.Decision(
            decision_id=new_decision_id(),
            pack=pb.PackRef(id=pack.id, version=pack.version),
            request_id=request.request_id,
        )
        by_rule: dict[int, list[dict]] = {}
        for match in matches:
            by_rule.setdefault(match.rule_index, []).append(match.fact)
        for index, rule in enumerate(pack.rules):
            for fact in by_rule.get(index, ()):
                try:
                    self._yield(decision, pack, rule, fact)
                except RuleFailure as exc:
                    raise RuleFailure(f"rule {rule.id}: {exc.message}", summary=f"pack {pack.ref}: rule {rule.id} failed") from None
                except Exception as exc:
                    raise RuleFailure(f"rule {rule.id}: {type(exc).__name__}: {exc}",
                                      summary=f"pack {pack.ref}: rule {rule.id} failed: {type(exc).__name__}") from None
        decision.compliant = not any(v.severity == "error" for v in decision.violations)
        if request.trace:
            for index, rule in enumerate(pack.rules):
                entry = decision.trace.add(
                    rule_id=rule.id,
                    applicable=kind in rule.kinds,
                    fired=index in by_rule,
                    condition=pack.ruleset.conditions[index],
                )
                for fact in by_rule.get(index, ()):
                    entry.matched.add().update(fact)
        return decision

    @staticmethod
    def _yield(decision: pb.Decision, pack: Pack, rule: Rule, fact: dict) -> None:
        citation = pb.Citation(document=rule.document or pack.document, clause=rule.clause)
        subject_id = str(fact.get("subject_id", ""))
        if rule.severity is not None:
            severity = fact.get("severity", rule.severity)
            if severity not in vocabulary.SEVERITIES:
                raise RuleFailure(f"fact asks for unknown severity {severity!r}")
            assert rule.message is not None
            decision.violations.add(
                rule_id=rule.id,
                severity=severity,
                path=str(fact.get("path", rule.path)),
                message=pb.Text(zh=_format(rule.message["zh"], fact), en=_format(rule.message["en"], fact)),
                citation=citation,
            )
        if rule.grade:
            code = fact.get("grade")
            if code not in vocabulary.BALLOT_OPTIONS:
                raise RuleFailure(f"grade fact has unknown grade {code!r}")
            decision.grades.add(
                subject_id=subject_id,
                scheme=str(fact.get("scheme", "")),
                code=code,
                label=pb.Text(**vocabulary.label(vocabulary.BALLOT_OPTIONS, code)),
                rule_id=rule.id,
                citation=citation,
            )
        for item in list(rule.consequences) + list(fact.get("consequences", ())):
            code, params = (item["code"], item.get("params", {})) if isinstance(item, dict) else (item, {})
            params = {**params, **fact.get("params", {})}  # the fact can say why, e.g. {"reasons": [...]}
            if code not in vocabulary.CONSEQUENCES:
                raise RuleFailure(f"unknown consequence code {code!r}")
            consequence = decision.consequences.add(
                subject_id=subject_id,
                code=code,
                label=pb.Text(**vocabulary.label(vocabulary.CONSEQUENCES, code)),
                rule_id=rule.id,
                citation=citation,
            )
            if params:
                consequence.params.update(params)


def decision_to_dict(decision: pb.Decision) -> dict[str, Any]:
    """The canonical JSON of a decision, false and empty fields included."""
    return json_format.MessageToDict(
        decision, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )

