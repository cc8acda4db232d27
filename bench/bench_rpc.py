"""RPC: policyhub's gRPC methods against a bare echo server and against in-process evaluation.

- Unary: Evaluate calls/s of a 1-worker policyhub vs the echo server (bench/echo_server.py: same
  service, same message types, the same Decision bytes per request, no policy work), both at
  their maximum rate: client processes (the GIL) each with several threads calling back to back.
  Target ≥ 0.8× the echo's calls/s.
- Batch: EvaluateBatch with 100 submissions per message to a 1-worker policyhub, submissions/s,
  vs Evaluator.evaluate in one process on the same submissions. Target ≥ 0.8×.
- Stream: EvaluateStream (one bidi stream), submissions/s, vs in-process (no target).
- Latency: p50/p99 of unary calls sent open-loop at half the measured maximum rate.
- Scaling: EvaluateBatch throughput with 1 … N worker processes (N = cores).
Ratios are taken between measurements made in the same round, one after the other.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ballots  # noqa: E402
import common  # noqa: E402
import load  # noqa: E402
import servers  # noqa: E402

UNARY_TARGET = 0.8
BATCH_TARGET = 0.8


def in_process(cases: int, seed: int, seconds: float):
    from policyhub.domain.caseio import request_from_dict
    from policyhub.evaluation.evaluator import Evaluator
    from policyhub.packs.registry import PackRegistry

    common.quiet_logs()
    evaluator = Evaluator(PackRegistry.discover())
    requests = [request_from_dict(r) for r in ballots.generate(cases, seed)]
    for request in requests[:200]:
        evaluator.evaluate(request)

    def run() -> float:
        started = time.perf_counter()
        n = 0
        while time.perf_counter() - started < seconds:
            for request in requests[n % len(requests): n % len(requests) + 100]:
                evaluator.evaluate(request)
            n += 100
        return n / (time.perf_counter() - started)

    return run


def clients(target: str, kind: str, args, processes: int, depth: int) -> float:
    results = load.run_processes(load.closed_loop, [
        dict(target=target, kind=kind, cases=args.cases, seed=args.seed, batch=args.batch, depth=depth,
             seconds=args.seconds) for _ in range(processes)])
    errors = sum(r["errors"] for r in results)
    if errors:
        sys.exit(f"{errors} {kind} calls failed against {target}")
    return sum(r["submissions"] / r["seconds"] for r in results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2, help="client processes for the unary maximum")
    parser.add_argument("--depth", type=int, default=4, help="threads per client process")
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="unary,batch,stream,latency,scaling")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    print(f"# rpc: {args.cases} generated ballots (seed {args.seed}), {args.seconds:g} s per measurement, "
          f"{args.rounds} rounds; servers and clients on this machine's loopback")
    local = in_process(args.cases, args.seed, args.seconds)
    hub_unary: list[float] = []
    echo_unary: list[float] = []
    with servers.policyhub(workers=1) as hub, servers.echo(args.cases, args.seed) as echo:
        if "unary" in parts or "latency" in parts:
            for _ in range(args.rounds):
                echo_unary.append(clients(echo.target, "unary", args, args.clients, args.depth))
                hub_unary.append(clients(hub.target, "unary", args, args.clients, args.depth))
            ratio = common.median_ratio(hub_unary, echo_unary)
            print(f"\n## Unary Evaluate, 1 worker vs echo ({args.clients} client processes x {args.depth} threads)")
            print(common.table(["server", "calls/s (median)", "vs echo"], [
                ["echo (no evaluation)", common.fmt_rate(statistics.median(echo_unary)), "1.00x"],
                ["policyhub Evaluate", common.fmt_rate(statistics.median(hub_unary)), f"{ratio:.2f}x"],
            ]))
            print(f"target >= {UNARY_TARGET}x echo: {ratio:.2f}x  {common.verdict(ratio, UNARY_TARGET)}")
        if "batch" in parts or "stream" in parts:
            local_rates, batch_rates, stream_rates = [], [], []
            for _ in range(args.rounds):
                local_rates.append(local())
                if "batch" in parts:
                    batch_rates.append(clients(hub.target, "batch", args, 1, 2))
                if "stream" in parts:
                    stream_rates.append(clients(hub.target, "stream", args, 1, 1))
            print(f"\n## EvaluateBatch ({args.batch} per message) and EvaluateStream, 1 worker, vs in-process")
            rows = [["in-process Evaluator.evaluate", common.fmt_rate(statistics.median(local_rates)), "1.00x"]]
            if batch_rates:
                rows.append([f"EvaluateBatch x{args.batch} (1 client, 2 calls in flight)",
                             common.fmt_rate(statistics.median(batch_rates)),
                             f"{common.median_ratio(batch_rates, local_rates):.2f}x"])
            if stream_rates:
                rows.append(["EvaluateStream (1 stream)", common.fmt_rate(statistics.median(stream_rates)),
                             f"{common.median_ratio(stream_rates, local_rates):.2f}x"])
            print(common.table(["path", "submissions/s (median)", "vs in-process"], rows))
            if batch_rates:
                ratio = common.median_ratio(batch_rates, local_rates)
                print(f"target EvaluateBatch >= {BATCH_TARGET}x in-process: {ratio:.2f}x  {common.verdict(ratio, BATCH_TARGET)}")
        if "latency" in parts:
            rate = statistics.median(hub_unary) / 2
            print(f"\n## Latency of unary Evaluate at half the measured maximum ({rate:,.0f} calls/s, open loop, "
                  f"{args.seconds * 2:g} s)")
            rows = []
            for name, server in (("policyhub", hub), ("echo", echo)):
                result = load.run_processes(load.paced, [dict(target=server.target, cases=args.cases, seed=args.seed,
                                                              rate=rate, seconds=args.seconds * 2)])[0]
                lat = result["latencies"]
                if result["errors"] or not lat:
                    sys.exit(f"{result['errors']} paced calls failed against {name}")
                rows.append([name, len(lat), f"{percentile(lat, 0.5) * 1000:.2f}", f"{percentile(lat, 0.99) * 1000:.2f}",
                             f"{max(lat) * 1000:.2f}"])
            print(common.table(["server", "calls", "p50 ms", "p99 ms", "max ms"], rows))
    if "scaling" in parts:
        print(f"\n## Scaling: EvaluateBatch x{args.batch}, N workers, N client processes x 2 calls in flight")
        rows = []
        base = None
        for workers in range(1, args.max_workers + 1):
            with servers.policyhub(workers=workers) as hub:
                rates = [clients(hub.target, "batch", args, workers, 2) for _ in range(args.rounds)]
            rate = statistics.median(rates)
            base = base or rate
            rows.append([workers, common.fmt_rate(rate), f"{rate / base:.2f}x"])
        print(common.table(["workers", "submissions/s (median)", "vs 1 worker"], rows))
        print(f"({os.cpu_count()} cores; the clients share them with the workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
