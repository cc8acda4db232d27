"""Engine: policyhub's in-process evaluation vs the same policy as plain Python and as a zen-engine graph.

Policy: town_shuangshu_2010's two-round grading (五、3, 五、4) with the core.ballot.* checks, on
seeded generated ballots. Before anything is timed, all three must agree on every case: the
grade and every fired rule (core checks, round check, undecided, grade, pay link, incompetent
consequence). What each side computes per evaluation:

- policyhub: Evaluator.evaluate(EvaluateRequest) -> Decision, the whole service path:
  validation, pack resolution, proto -> dict, the pack's derive functions (exact Fractions),
  durable_rules, the Decision with bilingual messages and citations, a decision id, metrics
  and the JSON decision log line (rendered, written to /dev/null).
- plain Python: bench/ballots.py `reference(ballot_dict)`: thresholds parsed once, integer
  cross-multiplication, returns (grade, fired rule ids) and nothing else.
- zen-engine: bench/ballots.py `zen_input(ballot_dict)` sums the votes per round and across
  rounds in Python, then ZenEngine(loader=static JDM).evaluate runs bench/town_grading.jdm.json:
  the core checks per round (a looped decision table), the gate, the grade table with the
  thresholds as inputs read from thresholds.yaml, the undecided/final_grade fallback and the
  consequence table.

Target: policyhub ≥ 1.0× zen-engine evaluations per second.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import ballots  # noqa: E402

TARGET_VS_ZEN = 1.0


def build(cases: int, seed: int, pack_paths=()):
    import zen

    from policyhub.domain.caseio import request_from_dict
    from policyhub.evaluation.evaluator import Evaluator
    from policyhub.packs.registry import PackRegistry

    common.quiet_logs()
    # --pack-path: only these pack directories (e.g. an older checkout's, to measure a before/after)
    evaluator = Evaluator(PackRegistry.discover(pack_paths, installed=not pack_paths))
    policy = ballots.Policy.load()
    zt = ballots.zen_thresholds(policy)
    graph = json.loads(ballots.JDM_PATH.read_text(encoding="utf-8"))
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"town": graph}}})
    generated = ballots.generate(cases, seed)
    requests = [request_from_dict(r) for r in generated]
    dicts = [r["ballot"] for r in generated]
    return evaluator, policy, zt, engine, requests, dicts


def check_agreement(evaluator, policy, zt, engine, requests, dicts) -> Counter:
    """Every case: policyhub == plain == zen on grade and fired rules; abort on any difference."""
    outcomes: Counter = Counter()
    for i, (request, ballot) in enumerate(zip(requests, dicts)):
        hub = ballots.decision_outcome(evaluator.evaluate(request))
        plain = ballots.reference(ballot, policy)
        zen_ = ballots.zen_outcome(engine.evaluate("town", ballots.zen_input(ballot, policy, zt))["result"])
        if not hub == plain == zen_:
            sys.exit(f"engines disagree on case {i}:\n  policyhub {hub}\n  plain     {plain}\n  zen       {zen_}\n"
                     f"  ballot {json.dumps(ballot, ensure_ascii=False)}")
        outcomes[hub[0] or "no grade"] += 1
        for rule in hub[1]:
            if rule.startswith("core.") or rule.endswith((".rounds", ".undecided")):
                outcomes[rule] += 1
    return outcomes


def contenders(evaluator, policy, zt, engine, requests, dicts):
    evaluate = evaluator.evaluate
    zen_evaluate = engine.evaluate
    reference = ballots.reference
    zen_input = ballots.zen_input

    def hub() -> int:
        for request in requests:
            evaluate(request)
        return len(requests)

    def plain() -> int:
        for ballot in dicts:
            reference(ballot, policy)
        return len(dicts)

    def zen_() -> int:
        for ballot in dicts:
            zen_evaluate("town", zen_input(ballot, policy, zt))
        return len(dicts)

    return {"policyhub": hub, "zen-engine": zen_, "plain Python": plain}


def stack_floor(evaluator, requests):
    """A contender doing only the calls into C that an evaluation on this stack cannot avoid.

    Per case, prepared from a real evaluation: read every set field of the request (ListFields,
    recursively), the engine's calls on the pack's own ruleset with the facts' JSON made
    beforehand (assert, start and complete each action, delete the state), parse the Decision
    from its bytes, and write a decision log line of the same fields with orjson. No validation,
    no derive function, no message formatting, no Python between the calls. Its rate is the
    ceiling policyhub's evaluation could reach on durable_rules, protobuf and a per-evaluation
    log line; its ratio to zen-engine says what the engine target asks of the Python in between.
    Relies on engine internals (the ruleset's handle and sent property names): if they change,
    the floor is skipped rather than wrong.
    """
    import os

    import durable_rules_engine
    import orjson

    from policyhub.engine.enginejson import facts_json
    from policyhub.evaluation.normalize import read_request
    from policyhub.rules.model import Context
    from policyhub.v1 import policyhub_pb2 as pb
    from policyhub.domain.validation import parse_date

    registry = evaluator.registry
    prepared = []
    for request in requests:
        _, submission = read_request(request)
        pack = evaluator.pack_for(registry, request)
        kind = request.WhichOneof("submission")
        context = Context(kind=kind, pack_id=pack.id, locality=request.locality, date=parse_date(request.date),
                          thresholds=pack.thresholds)
        facts = evaluator._derive(pack, kind, submission, context)
        ruleset = pack.rulesets[kind].ruleset
        # With the end fact always: every state then runs an action before it is deleted.
        batch, _ = facts_json(facts + [{"type": "$end"}], ruleset._sent_names, None)
        decision = evaluator.evaluate(request)
        line = {"decision_id": decision.decision_id, "pack": pack.ref, "kind": kind, "compliant": decision.compliant,
                "rules_fired": sorted({v.rule_id for v in decision.violations}), "grades": [g.code for g in decision.grades],
                "consequences": [c.code for c in decision.consequences], "latency_ms": 0.123}
        prepared.append((request, ruleset._handle, batch, decision.SerializeToString(), line))
    sink = open(os.devnull, "wb")  # noqa: SIM115 - lives as long as the bench

    def walk(message) -> None:
        for field, value in message.ListFields():
            if field.message_type is not None:
                if field.message_type.GetOptions().map_entry:
                    for key in value:
                        value[key]
                elif field.is_repeated:
                    for item in value:
                        walk(item)
                else:
                    walk(value)

    assert_facts = durable_rules_engine.assert_facts
    start = durable_rules_engine.start_action_for_state
    complete = durable_rules_engine.complete_and_start_action
    delete = durable_rules_engine.delete_state
    parse = pb.Decision.FromString
    dumps = orjson.dumps

    def floor() -> int:
        for request, handle, batch, decision_bytes, line in prepared:
            walk(request)
            _, state = assert_facts(handle, batch)
            messages = start(handle, state)[1]
            while messages is not None:
                messages = complete(handle, state)
            delete(handle, "0")
            parse(decision_bytes)
            sink.write(dumps(line) + b"\n")
        return len(prepared)

    return floor


def breakdown(evaluator, requests) -> list[list[str]]:
    """CPU µs per evaluation in each stage of Evaluator.evaluate, for the "what bounds it" note.

    Calls the evaluator's stages one by one as _evaluate does (they are internals: if they have
    changed shape, the breakdown is skipped rather than wrong).
    """
    import time

    try:
        from policyhub.evaluation.evaluator import matched_rules
    except ImportError:  # a checkout before rule data: _assemble took the engine's matches
        matched_rules = None
    from policyhub.evaluation.normalize import read_request
    from policyhub.rules.model import Context
    from policyhub.v1 import policyhub_pb2 as pb
    from policyhub.domain.validation import parse_date

    clock = time.process_time
    spent: dict[str, float] = {}

    def tick(stage: str, since: float) -> float:
        now = clock()
        spent[stage] = spent.get(stage, 0.0) + now - since
        return now

    registry = evaluator.registry
    for request in requests:
        t = clock()
        problems, submission = read_request(request)
        assert not problems, problems
        t = tick("validate, proto -> dict (normalize.py)", t)
        pack = evaluator.pack_for(registry, request)
        kind = request.WhichOneof("submission")
        assert kind in pack.kinds
        t = tick("resolve the pack (registry.py, pack.py)", t)
        context = Context(kind=kind, pack_id=pack.id, locality=request.locality, date=parse_date(request.date),
                          thresholds=pack.thresholds)
        facts = evaluator._derive(pack, kind, submission, context)
        t = tick("derive facts (the pack's rules/*.py, rules/ballots.py)", t)
        matches = pack.rulesets[kind].ruleset.run(facts)
        t = tick("durable_rules (engine.py, enginejson.py)", t)
        found = matches if matched_rules is None else matched_rules(pack, kind, matches, facts)
        t = tick("first branch of a grade (evaluator.matched_rules)", t)
        wire, built = evaluator._assemble(pack, kind, found, request, facts)
        pb.Decision.FromString(wire)  # as Evaluator.evaluate returns it (the service sends the bytes)
        t = tick("assemble the Decision (evaluator.py, assembly.py)", t)
        evaluator._observe(kind, built, 0.0)
        tick("decision log line and metrics (logs.py, metrics.py)", t)
    total = sum(spent.values())
    rows = [[stage, f"{seconds / len(requests) * 1e6:.0f}", f"{seconds / total:.0%}"] for stage, seconds in spent.items()]
    rows.append(["total", f"{total / len(requests) * 1e6:.0f}", "100%"])
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pack-path", action="append", default=[], help="load only this pack directory")
    args = parser.parse_args(argv)

    setup = build(args.cases, args.seed, args.pack_path)
    outcomes = check_agreement(*setup)
    print(f"# engine: {args.cases} generated ballots (seed {args.seed}); all three engines agree on every case")
    print("# outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    engines = contenders(*setup)
    try:
        engines["floor: the stack's C calls"] = stack_floor(setup[0], setup[4])
    except Exception as exc:  # engine internals changed: no floor rather than a wrong one
        print(f"(no floor: {type(exc).__name__}: {exc})")
    runs = common.interleaved(engines, args.rounds)
    rows = []
    for name, rates in runs.items():
        vs_zen = common.median_ratio(rates, runs["zen-engine"])
        rows.append([name, common.fmt_rate(common.statistics.median(rates)), f"{1e6 / common.statistics.median(rates):.1f}",
                     f"{vs_zen:.2f}x", f"{common.median_ratio(rates, runs['plain Python']):.3f}x"])
    print(common.table(["engine", "evals/s (median)", "µs/eval", "vs zen", "vs plain"], rows))
    ratio = common.median_ratio(runs["policyhub"], runs["zen-engine"])
    print(f"target policyhub >= {TARGET_VS_ZEN:.1f}x zen-engine: {ratio:.2f}x  {common.verdict(ratio, TARGET_VS_ZEN)}")
    try:
        rows = breakdown(setup[0], setup[4])
    except Exception as exc:  # the evaluator's internals changed: no breakdown rather than a wrong one
        print(f"(no per-stage breakdown: {type(exc).__name__}: {exc})")
    else:
        print("\n## Where policyhub's time goes (CPU µs per evaluation, one pass over the same cases)")
        print(common.table(["stage", "µs", "share"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
