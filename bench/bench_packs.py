"""Packs: what one evaluation costs in each bundled pack, CPU µs, this checkout beside earlier ones.

Since the packs' rules became rule data, a pack sends the engine one fact per thing it compares
(a member's month, an activity, a round): the evaluation's cost grows with the submission. This
bench measures, per pack, the mean CPU time of `Evaluator.evaluate` over the pack's own fixture
cases (those without `settings:` or an expected error), and over generated heavy submissions
(`--heavy`, default on: a 30-member full-year linge_2022 ledger).

`--before DIR` (repeatable): also run DIR's sources and packs (DIR = `git archive <commit> | tar
-x -C DIR`) in the same rounds. Each checkout runs in a process of its own (PYTHONPATH=DIR/src,
its packs loaded from DIR/policy_packs), the rounds alternate between them, and each figure is
CPU time of that process only (the machine is shared: the wall clock would time the neighbours).
A case is timed only if every checkout answers it (a case an older pack refuses is left out and
counted). Ratios are taken round by round and their median shown: `b/a` is checkout b's cost per
evaluation over a's (below 1: b is cheaper).

    .venv/bin/python bench/bench_packs.py --before /tmp/2499bd4 --before /tmp/main
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEAVY = "linge_2022 ledger 30x12"


# --- the heavy submissions --------------------------------------------------------------------

def linge_year_ledger(members: int = 30, year: int = 2022) -> dict:
    """A community branch's full-year ledger under linge_2022: `members` members, each with an
    activity in most months (one idle month in seven, one activity in nine without a photo), theme
    party days every month, a committee every quarter but one, the year-end assembly, six grids."""
    roster = [{"id": f"M-{i:03d}", "name": f"成员{i:03d}"} for i in range(1, members + 1)]
    activities = []
    for i, member in enumerate(roster):
        for month in range(1, 13):
            if (i + month) % 7 == 0:
                continue  # an idle month: a finding
            photos = 0 if (i * 12 + month) % 9 == 0 else 1 + (i + month) % 3
            activities.append({"member_id": member["id"], "date": f"{year}-{month:02d}-{1 + (i % 27):02d}",
                               "photos": photos, "kind": "policy_publicity"})
    meetings = [{"type": "theme_party_day", "date": f"{year}-{month:02d}-01", "segments": ["study", "grid_reports"]}
                for month in range(1, 13)]
    meetings += [{"type": "branch_committee", "date": f"{year}-{month:02d}-10", "segments": ["discussion"]}
                 for month in (2, 5, 11)]  # no committee in the third quarter
    meetings.append({"type": "general_assembly", "date": f"{year}-12-20",
                     "segments": ["member_duty_reports", "democratic_evaluation"]})
    grids = [{"name": f"第{g}网格", "leader_is_member": g != 4, "member_ids": [m["id"] for m in roster[g::6]],
              "households": 40 + g} for g in range(6)]
    return {"locality": "linge", "date": f"{year}-12-31", "log": {
        "org": {"id": "O-LE-01", "name": "邻鄂社区党支部", "type": "community"},
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "members": roster, "grids": grids, "activities": activities, "meetings": meetings}}


def case_sets(packs: list[str], heavy: bool) -> dict[str, list[dict]]:
    """Set name -> canonical JSON requests: each pack's fixture cases, then the heavy ones."""
    from policyhub.authoring.fixtures import load_cases

    sets: dict[str, list[dict]] = {}
    for pack in packs:
        requests = []
        for path in sorted((ROOT / "policy_packs" / pack / "fixtures").glob("*.yaml")):
            for case in load_cases(path):
                if case.settings or "error" in case.expect:
                    continue  # another reading of the pack, or a refusal: not an evaluation's cost
                requests.append(json.loads(json.dumps(case.request, default=str)))
        sets[pack] = requests
    if heavy and "linge_2022" in packs:
        sets[HEAVY] = [linge_year_ledger()]
    return sets


# --- a checkout's process ---------------------------------------------------------------------

def _import(*names: str):
    """The first of the modules that imports: the core's layout changed (policyhub.evaluator → policyhub.evaluation.evaluator)."""
    import importlib

    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(f"none of {names}")


def child(pack_paths: list[str]) -> int:
    """Evaluate what the parent sends, on whatever checkout PYTHONPATH names; answer on stdout."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # anything else printed goes nowhere
    evaluator_mod = _import("policyhub.evaluation.evaluator", "policyhub.evaluator")
    registry_mod = _import("policyhub.packs.registry", "policyhub.registry")
    caseio = _import("policyhub.domain.caseio", "policyhub.caseio")
    logs = _import("policyhub.telemetry.logs", "policyhub.logs")
    engine = _import("policyhub.engine.engine", "policyhub.engine")
    saved, sys.stderr = sys.stderr, open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        logs.configure("info")  # the real decision line, written to /dev/null
    finally:
        sys.stderr = saved
    evaluator = evaluator_mod.Evaluator(registry_mod.PackRegistry.discover(pack_paths, installed=False))
    facts_seen: list[int] = []
    run = engine.CompiledRuleset.run

    def counting(self, facts, *args, **kwargs):
        facts_seen.append(len(facts))
        return run(self, facts, *args, **kwargs)

    sets: dict[str, list] = {}
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "load":
            answered: dict[str, list[int]] = {}
            facts: dict[str, float] = {}
            engine.CompiledRuleset.run = counting
            for name, requests in command["sets"].items():
                sets[name] = [caseio.request_from_dict(r) for r in requests]
                answered[name] = []
                facts_seen.clear()
                for i, request in enumerate(sets[name]):
                    try:
                        evaluator.evaluate(request)
                    except Exception:  # refused or failed here: timed nowhere
                        continue
                    answered[name].append(i)
                facts[name] = statistics.mean(facts_seen) if facts_seen else 0.0
            engine.CompiledRuleset.run = run
            out.write(json.dumps({"answered": answered, "facts": facts}) + "\n")
        elif command["cmd"] == "keep":  # only the cases every checkout answers
            sets = {name: [sets[name][i] for i in kept] for name, kept in command["sets"].items()}
            for requests in sets.values():
                for request in requests:  # warm every cache once more
                    evaluator.evaluate(request)
            out.write("{}\n")
        elif command["cmd"] == "run":
            requests = sets[command["set"]]
            evaluate = evaluator.evaluate
            clock = time.process_time
            count, started = 0, clock()
            while True:
                for request in requests:
                    evaluate(request)
                count += len(requests)
                spent = clock() - started
                if spent >= command["seconds"]:
                    break
            out.write(json.dumps({"us": spent / count * 1e6, "n": count}) + "\n")
        else:
            return 1
    return 0


class Checkout:
    def __init__(self, label: str, root: Path, packs: list[str]) -> None:
        self.label = label
        env = dict(os.environ, PYTHONPATH=str(root / "src"))
        paths = [str(root / "policy_packs" / p) for p in packs if (root / "policy_packs" / p).is_dir()]
        self.log = open(f"/tmp/bench_packs_{os.getpid()}_{label.replace('/', '_')}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", *sum((["--pack-path", p] for p in paths), [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, env=env, cwd=str(root))

    def ask(self, command: dict) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.label}: its process ended (see {self.log.name})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        self.log.close()
        if self.process.returncode == 0:  # its stderr is kept only when it failed
            os.unlink(self.log.name)


def main(argv=None) -> int:
    sys.path.insert(0, str(HERE))
    import common

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", metavar="DIR", action="append", default=[],
                        help="an earlier checkout (sources and packs) to run in the same rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3, help="CPU seconds per set, checkout and round")
    parser.add_argument("--pack", action="append", default=[], help="only this pack (repeatable)")
    parser.add_argument("--no-heavy", dest="heavy", action="store_false", help="fixture cases only")
    parser.add_argument("--only-heavy", action="store_true", help="the heavy submissions only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pack-path", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.pack_path)

    packs = args.pack or sorted(p.name for p in (ROOT / "policy_packs").iterdir() if (p / "pack.yaml").is_file())
    sets = case_sets(packs, args.heavy)
    if args.only_heavy:
        sets = {k: v for k, v in sets.items() if k == HEAVY}
    checkouts = [Checkout(Path(d).resolve().name, Path(d).resolve(), packs) for d in args.before]
    checkouts.append(Checkout("this", ROOT, packs))
    print(f"# {common.machine()}")
    try:
        loaded = [c.ask({"cmd": "load", "sets": sets}) for c in checkouts]
        kept = {name: sorted(set.intersection(*(set(ld["answered"][name]) for ld in loaded))) for name in sets}
        for c in checkouts:
            c.ask({"cmd": "keep", "sets": kept})
        names = [n for n in sets if kept[n]]
        spent: dict[tuple[str, str], list[float]] = {(c.label, n): [] for c in checkouts for n in names}
        for r in range(args.rounds):
            order = checkouts[r % len(checkouts):] + checkouts[:r % len(checkouts)]
            for name in names:
                for c in order:
                    spent[(c.label, name)].append(c.ask({"cmd": "run", "set": name, "seconds": args.seconds})["us"])
    finally:
        for c in checkouts:
            c.close()
    labels = [c.label for c in checkouts]
    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]]
    rows = []
    for name in names:
        timed = len(kept[name])
        refused = {c.label: len(sets[name]) - len(ld["answered"][name]) for c, ld in zip(checkouts, loaded)}
        row = [name, f"{timed}" + (f" (-{len(sets[name]) - timed})" if timed < len(sets[name]) else "")]
        row += [f"{ld['facts'][name]:.0f}" for ld in loaded]
        row += [f"{statistics.median(spent[(label, name)]):,.0f}" for label in labels]
        row += [f"{statistics.median(x / y for x, y in zip(spent[(b, name)], spent[(a, name)])):.2f}" for a, b in pairs]
        rows.append(row)
        if any(refused.values()):
            print(f"# {name}: not answered by " + ", ".join(f"{k} {v}" for k, v in refused.items() if v))
    headers = ["set", "cases"] + [f"facts {label}" for label in labels] + [f"µs {label}" for label in labels]
    headers += [f"{b}/{a}" for a, b in pairs]
    print(f"# CPU µs per evaluation (median of {args.rounds} rounds; ratios: median of the rounds' ratios); "
          f"facts: mean facts sent to the engine per evaluation")
    print(common.table(headers, rows))
    print(f"# {common.machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
