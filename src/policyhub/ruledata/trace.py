"""A decision's trace: per rule, whether it applied and fired, and for a data rule why.

Only asked for with `trace: true` (debugging a pack, explaining a decision to the person it
concerns): the engine decided; here each data rule's condition is evaluated once more in Python
on every fact of its type, with each comparison's values, thresholds and clauses.
"""

from __future__ import annotations

import json
from typing import Any

from ..v1 import policyhub_pb2 as pb
from .explain import Explainer


def threshold_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def threshold_sources(pack: Any, keys, readers: dict[str, list[str]] | None = None) -> list[pb.ThresholdSource]:
    """`readers`: rules_reading(pack), when the caller has it (the whole pack's, the same for every rule)."""
    from ..rules.thresholds import ThresholdError, lookup

    out = []
    if readers is None:
        readers = rules_reading(pack)
    for key in keys:
        try:
            value = lookup(pack.thresholds_data, key)
        except ThresholdError:
            continue
        source = pack.threshold_sources.get(key, {})
        out.append(pb.ThresholdSource(key=key, value=threshold_text(value), clause=source.get("clause", ""),
                                      quote=source.get("quote", ""), rules=readers.get(key, [])))
    return out


def rules_reading(pack: Any) -> dict[str, list[str]]:
    """Threshold key -> the rules whose conditions (or declared thresholds) read it, and the measure
    functions that read it ("measure <name>")."""
    from ..rules.thresholds import covers, flatten

    found: dict[str, list[str]] = {}
    keys = list(flatten(pack.thresholds_data))
    for rule in pack.rules:
        for key in rule.thresholds:
            found.setdefault(key, []).append(rule.id)
    for derive in pack.derives:
        for declared in derive.spec.uses:
            for key in keys:
                if covers(declared, key):
                    found.setdefault(key, []).append(f"measure {derive.name}")
    return found


def _shown(fact: dict) -> dict:
    """A fact as the trace shows it: without the properties added for the engine (`<list>__…`)."""
    return {k: v for k, v in fact.items() if "__" not in k}


def explain(rule: Any, fact: dict, branch: Any, sources: dict) -> pb.ConditionCheck:
    spec = rule.spec
    explainer = Explainer(sources, spec.item_labels)
    holds = explainer.evaluate(branch.condition, fact)
    check = pb.ConditionCheck(fact_type=spec.fact_type, path=str(fact.get("path", "")), branch=branch.label,
                              holds=holds)
    for step in explainer.steps:
        check.comparisons.add(text=step.text, holds=step.holds, left=step.left, left_value=step.left_value,
                              op=step.op, right=step.right, right_value=step.right_value, threshold=step.threshold,
                              clause=step.clause, item=step.item)
    verdict = "holds" if holds else "does not hold"
    check.text = "\n".join([f"{branch.label + ': ' if branch.label else ''}{verdict}"]
                           + [step.text for step in explainer.steps])
    return check


def add_trace(decision: pb.Decision, pack: Any, kind: str, found: list, facts: list[dict]) -> None:
    """Every rule of the pack, in order, into `decision.trace`."""
    by_rule: dict[int, list[dict]] = {}
    for index, _branch, fact in found:
        by_rule.setdefault(index, []).append(fact)
    conditions: dict[int, list[str]] = {}
    # each rule's conditions as the engine holds them: from this kind's ruleset, else another kind's
    for ruleset_kind in [kind] + [k for k in pack.rulesets if k != kind]:
        kind_rules = pack.rulesets.get(ruleset_kind)
        if kind_rules is None:
            continue
        texts_by_rule: dict[int, list[str]] = {}
        for (index, _branch), text in zip(kind_rules.entries, kind_rules.ruleset.conditions):
            texts_by_rule.setdefault(index, []).append(text)
        for index, texts in texts_by_rule.items():
            conditions.setdefault(index, texts)
    readers = None  # rules_reading(pack): worked out once, for the first rule that shows thresholds
    for index, rule in enumerate(pack.rules):
        texts = conditions.get(index, [])
        entry = decision.trace.add(
            rule_id=rule.id,
            applicable=kind in rule.kinds,
            fired=index in by_rule,
            condition=texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]",
            clause=rule.clause,
        )
        for fact in by_rule.get(index, ()):
            entry.matched.add().update(_shown(fact))
        spec = rule.spec
        if spec is None:
            continue
        entry.condition_words = spec.words
        entry.fact_type = spec.fact_type
        if readers is None:
            readers = rules_reading(pack)
        entry.thresholds.extend(threshold_sources(pack, spec.reads, readers))
        if kind not in rule.kinds:
            continue
        for fact in facts:
            if fact.get("type") == spec.fact_type:
                decided = False
                for branch in spec.branches:
                    check = explain(rule, fact, branch, pack.threshold_sources)
                    if branch.group and check.holds:  # of the branches that hold, the first decides
                        note = "not reached: an earlier branch decides" if decided else "the first that holds: decides"
                        check.text = check.text.replace("holds", f"holds ({note})", 1)
                        decided = True
                    entry.checks.append(check)
