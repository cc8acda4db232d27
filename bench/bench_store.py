"""The decision record's cost: unary Evaluate and EvaluateBatch with the store on vs off, side by side.

One 1-worker policyhub per store setting: `none` (off), SQLite (synchronous=normal, the default;
and full), PostgreSQL 15 (a local server started here with fsync on, over a Unix socket).
Rounds interleave the settings, so each ratio compares measurements made one after the other.
Target: unary and batch with the SQLite store on >= 0.8x the same with it off.
Also: the in-process time the record adds per decision (pseudonymise, encode, hash, commit).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ballots  # noqa: E402
import common  # noqa: E402
import servers  # noqa: E402
import load  # noqa: E402

TARGET = 0.8


def clients(target: str, kind: str, args, processes: int, depth: int) -> float:
    """bench_rpc's closed loop, without request ids: every call a new decision, as a record sees new traffic."""
    results = load.run_processes(load.closed_loop, [
        dict(target=target, kind=kind, cases=args.cases, seed=args.seed, batch=args.batch, depth=depth,
             seconds=args.seconds, request_ids=False) for _ in range(processes)])
    errors = sum(r["errors"] for r in results)
    if errors:
        sys.exit(f"{errors} {kind} calls failed against {target}")
    return sum(r["submissions"] / r["seconds"] for r in results)


def in_process_cost(cases: int, seed: int, store_url: str, key_file: str, n: int = 2000) -> dict[str, float]:
    """µs per decision: evaluate alone, and evaluate + record (unary commits, and one commit per 100)."""
    from policyhub.domain.caseio import request_from_dict
    from policyhub.evaluation.evaluator import Evaluator
    from policyhub.packs.registry import PackRegistry
    from policyhub.store.config import StoreConfig, open_store
    from policyhub.store.recorder import Recorder

    common.quiet_logs()
    registry = PackRegistry.discover()
    requests = [request_from_dict({**r, "request_id": ""}) for r in ballots.generate(cases, seed)][:n]
    plain = Evaluator(registry, observed=False)
    store, pseudonymise = open_store(StoreConfig(store=store_url, key_file=key_file), migrate=True)
    recorder = Recorder(store, pseudonymise)
    recording = Evaluator(registry, observed=False, hook=recorder)
    for request in requests[:100]:
        plain.evaluate_wire(request)
        recording.evaluate_wire(request)
    started = time.perf_counter()
    for request in requests:
        plain.evaluate_wire(request)
    alone = (time.perf_counter() - started) / len(requests)
    started = time.perf_counter()
    for request in requests:
        recording.evaluate_wire(request)
    unary = (time.perf_counter() - started) / len(requests)
    started = time.perf_counter()
    for start in range(0, len(requests), 100):
        with recorder.batch() as batch:
            for index, request in enumerate(requests[start:start + 100]):
                batch.index = index
                recording.evaluate_wire(request)
    batched = (time.perf_counter() - started) / len(requests)
    store.close()
    return {"evaluate": alone * 1e6, "evaluate+record (commit each)": unary * 1e6,
            "evaluate+record (commit per 100)": batched * 1e6}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="policyhub-bench-store-"))
    key_file = work / "key"
    key_file.write_text("bench-key-" + "b" * 40)
    postgres = None
    settings = {"off": ("--decision-store", "none"),
                "sqlite (sync normal, default)": ("--decision-store", f"sqlite:///{work / 'normal.db'}",
                                                  "--decision-key-file", str(key_file)),
                "sqlite (sync full)": ("--decision-store", f"sqlite:///{work / 'full.db'}", "--decision-key-file", str(key_file),
                                       "--decision-store-sync", "full")}
    if not args.no_postgresql:
        from tests.postgres_server import PostgresServer

        postgres = PostgresServer(fsync=True)
        settings["postgresql (fsync on)"] = ("--decision-store", postgres.new_database(), "--decision-key-file", str(key_file))
    print(f"# store: {args.cases} generated ballots (seed {args.seed}), {args.seconds:g} s per measurement, "
          f"{args.rounds} rounds, 1 worker; {common.machine()}")
    try:
        print("\n## In process, µs per decision (1 thread)")
        rows = []
        for name, url in (("sqlite (sync normal)", f"sqlite:///{work / 'inproc.db'}"),
                          ("postgresql (fsync on)", postgres.new_database() if postgres else None)):
            if url:
                cost = in_process_cost(args.cases, args.seed, url, str(key_file))
                rows.append([name, *(f"{v:.0f}" for v in cost.values())])
        print(common.table(["store", "evaluate", "+record, commit each", "+record, commit per 100"], rows))
        unary: dict[str, list[float]] = {name: [] for name in settings}
        batch: dict[str, list[float]] = {name: [] for name in settings}
        hubs = {name: servers.policyhub(workers=1, store=store) for name, store in settings.items()}
        try:
            for _ in range(args.rounds):
                for name, hub in hubs.items():
                    unary[name].append(clients(hub.target, "unary", args, args.clients, args.depth))
                    batch[name].append(clients(hub.target, "batch", args, 1, 2))
        finally:
            for hub in hubs.values():
                hub.stop()
        print(f"\n## Unary Evaluate ({args.clients} client processes x {args.depth} threads) and "
              f"EvaluateBatch x{args.batch} (1 client, 2 in flight), 1 worker")
        rows = []
        for name in settings:
            rows.append([name, common.fmt_rate(statistics.median(unary[name])),
                         f"{common.median_ratio(unary[name], unary['off']):.2f}x",
                         common.fmt_rate(statistics.median(batch[name])),
                         f"{common.median_ratio(batch[name], batch['off']):.2f}x"])
        print(common.table(["store", "unary calls/s", "vs off", "batch submissions/s", "vs off"], rows))
        for kind, rates in (("unary", unary), ("batch", batch)):
            ratio = common.median_ratio(rates["sqlite (sync normal, default)"], rates["off"])
            print(f"target {kind} with SQLite on (default) >= {TARGET}x off: {ratio:.2f}x  {common.verdict(ratio, TARGET)}")
    finally:
        if postgres is not None:
            postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
