"""The decision record's cost: unary Evaluate and EvaluateBatch with the store on vs off, side by side.

One 1-worker policyhub per store setting: `none` (off), SQLite (synchronous=normal, the default;
and full), PostgreSQL 15 (a local server started here with fsync on, over a Unix socket).
Rounds interleave the settings, so each ratio compares measurements made one after the other.
Target: unary and batch with the SQLite store on >= 0.8x the same with it off.
Also: the in-process time the record adds per decision (pseudonymise, encode, hash, commit), and
the worker's CPU time per call (from /proc), which is what the record adds on a busy machine.
`--before DIR`: also run the record's settings on the sources in DIR/src (e.g. `git archive` of an
earlier commit), in the same rounds, so a change is measured before and after side by side.
"""

from __future__ import annotations

import argparse
import os
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def children(pids: list[int]) -> list[int]:
    """The processes' children (a worker's record writer process, store/writer.py)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) in pids:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def clients(hub, kind: str, args, processes: int, depth: int) -> tuple[float, float, float]:
    """bench_rpc's closed loop, without request ids: every call a new decision, as a record sees new
    traffic. (submissions/s, the worker's CPU µs per submission)."""
    workers = hub.worker_pids()
    writers = children(workers)
    cpu, writer_cpu = cpu_seconds(workers), cpu_seconds(writers)
    results = load.run_processes(load.closed_loop, [
        dict(target=hub.target, kind=kind, cases=args.cases, seed=args.seed, batch=args.batch, depth=depth,
             seconds=args.seconds, request_ids=False) for _ in range(processes)])
    cpu, writer_cpu = cpu_seconds(workers) - cpu, cpu_seconds(writers) - writer_cpu
    errors = sum(r["errors"] for r in results)
    if errors:
        sys.exit(f"{errors} {kind} calls failed against {hub.target}")
    submissions = sum(r["submissions"] for r in results)
    return (sum(r["submissions"] / r["seconds"] for r in results), cpu / max(submissions, 1) * 1e6,
            writer_cpu / max(submissions, 1) * 1e6)


def wait_for_writer(hub, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any(e.get("event") == "decision_record_writer_started" for e in hub.events):
        if time.monotonic() > deadline:
            sys.exit(f"no record writer became ready on {hub.target}")
        time.sleep(0.05)


def policyhub_from(src: str | None, store: tuple[str, ...], grpc_server: str):
    """A 1-worker policyhub with these record options, on this checkout or the sources in `src`."""
    return servers.policyhub(workers=1, store=store, grpc_server=grpc_server, src=src)


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
    parser.add_argument("--grpc-server", choices=("threads", "aio"), default="threads", help="the worker's gRPC server")
    parser.add_argument("--no-sync-full", action="store_true", help="leave out SQLite with synchronous=full")
    parser.add_argument("--before", metavar="DIR", help="also measure the record on DIR/src (an earlier checkout)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="policyhub-bench-store-"))
    key_file = work / "key"
    key_file.write_text("bench-key-" + "b" * 40)
    postgres = None
    # name -> (sources or None for this checkout, record options)
    settings: dict[str, tuple[str | None, tuple[str, ...]]] = {"off": (None, ("--decision-store", "none"))}
    sources = {"": None} if not args.before else {" before": str(Path(args.before).resolve() / "src"), "": None}
    if not args.no_postgresql:
        from tests.postgres_server import PostgresServer

        postgres = PostgresServer(fsync=True)
    for label, src in sources.items():
        tag = label.strip().replace(" ", "-") or "now"
        settings[f"sqlite (sync normal, default){label}"] = (src, (
            "--decision-store", f"sqlite:///{work / f'normal-{tag}.db'}", "--decision-key-file", str(key_file)))
        if src is None:  # this checkout's other record writer (an older one has only the inline path)
            settings["sqlite (sync normal, --decision-writer inline)"] = (src, (
                "--decision-store", f"sqlite:///{work / 'inline.db'}", "--decision-key-file", str(key_file),
                "--decision-writer", "inline"))
        if not args.no_sync_full:
            settings[f"sqlite (sync full){label}"] = (src, (
                "--decision-store", f"sqlite:///{work / f'full-{tag}.db'}", "--decision-key-file", str(key_file),
                "--decision-store-sync", "full"))
        if postgres is not None:
            settings[f"postgresql (fsync on){label}"] = (src, (
                "--decision-store", postgres.new_database(), "--decision-key-file", str(key_file)))
    print(f"# store: {args.cases} generated ballots (seed {args.seed}), {args.seconds:g} s per measurement, "
          f"{args.rounds} rounds, 1 worker ({args.grpc_server}); {common.machine()}")
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
        unary_cpu: dict[str, list[float]] = {name: [] for name in settings}
        batch_cpu: dict[str, list[float]] = {name: [] for name in settings}
        unary_writer: dict[str, list[float]] = {name: [] for name in settings}
        batch_writer: dict[str, list[float]] = {name: [] for name in settings}
        hubs = {name: policyhub_from(src, store, args.grpc_server) for name, (src, store) in settings.items()}
        try:
            for name, (src, store) in settings.items():  # this checkout's writers start once their worker serves
                if src is None and store[1] != "none" and "inline" not in store:
                    wait_for_writer(hubs[name])
            for _ in range(args.rounds):
                for name, hub in hubs.items():
                    rate, cpu, writer = clients(hub, "unary", args, args.clients, args.depth)
                    unary[name].append(rate)
                    unary_cpu[name].append(cpu)
                    unary_writer[name].append(writer)
                    rate, cpu, writer = clients(hub, "batch", args, 1, 2)
                    batch[name].append(rate)
                    batch_cpu[name].append(cpu)
                    batch_writer[name].append(writer)
        finally:
            for hub in hubs.values():
                hub.stop()
        print(f"\n## Unary Evaluate ({args.clients} client processes x {args.depth} threads) and "
              f"EvaluateBatch x{args.batch} (1 client, 2 in flight), 1 worker")
        rows = []
        for name in settings:
            rows.append([name, common.fmt_rate(statistics.median(unary[name])),
                         f"{common.median_ratio(unary[name], unary['off']):.2f}x",
                         " ".join(f"{a / b:.2f}" for a, b in zip(unary[name], unary["off"])),
                         f"{statistics.median(unary_cpu[name]):.0f}", f"{statistics.median(unary_writer[name]):.0f}",
                         common.fmt_rate(statistics.median(batch[name])),
                         f"{common.median_ratio(batch[name], batch['off']):.2f}x",
                         " ".join(f"{a / b:.2f}" for a, b in zip(batch[name], batch["off"])),
                         f"{statistics.median(batch_cpu[name]):.0f}", f"{statistics.median(batch_writer[name]):.0f}"])
        print(common.table(["store", "unary calls/s", "vs off", "rounds", "worker CPU µs/call", "writer CPU µs/call",
                            "batch submissions/s", "vs off", "rounds", "worker CPU µs/submission",
                            "writer CPU µs/submission"], rows))
        for kind, rates in (("unary", unary), ("batch", batch)):
            ratio = common.median_ratio(rates["sqlite (sync normal, default)"], rates["off"])
            print(f"target {kind} with SQLite on (default) >= {TARGET}x off: {ratio:.2f}x  {common.verdict(ratio, TARGET)}")
    finally:
        if postgres is not None:
            postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
