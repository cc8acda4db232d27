"""RPC: policyhub's gRPC methods against a bare echo server and against in-process evaluation.

Each policyhub path is measured with both of a worker's gRPC servers (`--grpc-server aio`, the
default, and `threads`).
- Unary: Evaluate calls/s of a 1-worker policyhub vs the echo server (bench/echo_server.py: same
  service, same message types, the same Decision bytes per request, no policy work), both at
  their maximum rate: client processes (the GIL) each with several threads calling back to back.
  The echo runs as both kinds too, and the baseline is the faster of the two in each round.
  Target ≥ 0.8× the echo's calls/s.
- Batch: EvaluateBatch with 100 submissions per message to a 1-worker policyhub, submissions/s,
  vs Evaluator.evaluate in one process on the same submissions. Target ≥ 0.8×.
- Stream: EvaluateStream (one bidi stream), submissions/s, vs in-process. Target ≥ 0.8× (issue 19).
- Latency: p50/p99 of unary calls sent open-loop at half the measured maximum rate.
- Scaling: EvaluateBatch throughput with 1 … N worker processes (N = cores).
Ratios are taken between measurements made in the same round, one after the other.
`--before DIR` also runs each kind on the sources in DIR/src (a `git archive` of an earlier commit)
in the same rounds, and every policyhub figure comes with the worker's CPU µs per submission (from
/proc), the figure to read when the machine is loaded past its cores.
"""

from __future__ import annotations

import argparse
import contextlib
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
STREAM_TARGET = 0.8
# The workers' two gRPC servers, measured side by side; DEFAULT is what `policyhub serve` runs.
KINDS = ("aio", "threads")
DEFAULT = "threads"


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
        started, cpu = time.perf_counter(), time.process_time()
        n = 0
        while time.perf_counter() - started < seconds:
            for request in requests[n % len(requests): n % len(requests) + 100]:
                evaluator.evaluate(request)
            n += 100
        CPU.setdefault("local", []).append((time.process_time() - cpu) / n * 1e6)
        return n / (time.perf_counter() - started)

    return run


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# the worker's CPU µs per submission of each measurement, by server name (policyhub servers only)
CPU: dict[str, list[float]] = {}


def clients(target: str, kind: str, args, processes: int, depth: int, server=None, name: str = "") -> float:
    pids = (server.worker_pids() or [server.process.pid]) if server is not None else []  # the echo: one process
    cpu = cpu_seconds(pids)
    results = load.run_processes(load.closed_loop, [
        dict(target=target, kind=kind, cases=args.cases, seed=args.seed, batch=args.batch, depth=depth,
             seconds=args.seconds) for _ in range(processes)])
    cpu = cpu_seconds(pids) - cpu
    errors = sum(r["errors"] for r in results)
    if errors:
        sys.exit(f"{errors} {kind} calls failed against {target}")
    if pids:
        CPU.setdefault(f"{kind} {name}", []).append(cpu / max(sum(r["submissions"] for r in results), 1) * 1e6)
    return sum(r["submissions"] / r["seconds"] for r in results)


def cpu_cell(kind: str, name: str) -> str:
    values = CPU.get(f"{kind} {name}")
    return f"{statistics.median(values):.0f}" if values else "-"


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
    parser.add_argument("--kinds", default=",".join(KINDS), help="the workers' gRPC servers to measure")
    parser.add_argument("--before", metavar="DIR", help="also run each kind on the sources in DIR/src, same rounds")
    args = parser.parse_args(argv)
    kinds = tuple(args.kinds.split(","))
    # each policyhub server measured: its name, its gRPC server kind, the sources it runs (None: this checkout)
    hub_specs = [(kind, kind, None) for kind in kinds]
    if args.before:
        hub_specs = [(f"{kind} before", kind, str(Path(args.before).resolve() / "src")) for kind in kinds] + hub_specs
    names = [name for name, _, _ in hub_specs]
    default = DEFAULT if DEFAULT in names else names[-1]
    parts = set(args.only.split(","))
    print(f"# rpc: {args.cases} generated ballots (seed {args.seed}), {args.seconds:g} s per measurement, "
          f"{args.rounds} rounds; servers and clients on this machine's loopback")
    print(f"# {common.machine()}")
    local = in_process(args.cases, args.seed, args.seconds)
    hub_unary: dict[str, list[float]] = {name: [] for name in names}
    echo_unary: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with contextlib.ExitStack() as stack:
        hubs = {name: stack.enter_context(servers.policyhub(workers=1, grpc_server=kind, src=src))
                for name, kind, src in hub_specs}
        echoes = ({kind: stack.enter_context(servers.echo(args.cases, args.seed, kind=kind)) for kind in KINDS}
                  if parts & {"unary", "latency", "stream"} else {})
        if "unary" in parts or "latency" in parts:
            for r in range(args.rounds):
                for kind in KINDS[r % 2:] + KINDS[:r % 2]:  # which kind goes first alternates
                    echo_unary[kind].append(clients(echoes[kind].target, "unary", args, args.clients, args.depth,
                                                    echoes[kind], f"echo {kind}"))
                for name in names[r % len(names):] + names[:r % len(names)]:
                    hub_unary[name].append(clients(hubs[name].target, "unary", args, args.clients, args.depth,
                                                   hubs[name], name))
            # the baseline is the faster bare server of either kind, round by round
            echo_best = [max(rates) for rates in zip(*echo_unary.values())]
            print(f"\n## Unary Evaluate, 1 worker vs the faster echo ({args.clients} client processes x {args.depth} threads)")
            rows = [[f"echo, {kind} (no evaluation)", common.fmt_rate(statistics.median(echo_unary[kind])),
                     f"{common.median_ratio(echo_unary[kind], echo_best):.2f}x"] for kind in KINDS]
            rows = [row + [" ".join(f"{a / b:.2f}" for a, b in zip(echo_unary[kind], echo_best)), cpu_cell("unary", f"echo {kind}")]
                    for row, kind in zip(rows, KINDS)]
            rows += [[f"policyhub Evaluate, {name}", common.fmt_rate(statistics.median(hub_unary[name])),
                      f"{common.median_ratio(hub_unary[name], echo_best):.2f}x",
                      " ".join(f"{a / b:.2f}" for a, b in zip(hub_unary[name], echo_best)), cpu_cell("unary", name)]
                     for name in names]
            print(common.table(["server", "calls/s (median)", "vs faster echo", "rounds", "worker CPU µs/call"], rows))
            ratio = common.median_ratio(hub_unary[default], echo_best)
            print(f"target >= {UNARY_TARGET}x echo ({default}): {ratio:.2f}x  {common.verdict(ratio, UNARY_TARGET)}")
        if "batch" in parts or "stream" in parts:
            local_rates: list[float] = []
            batch_rates: dict[str, list[float]] = {name: [] for name in names}
            stream_rates: dict[str, list[float]] = {name: [] for name in names}
            # the bare echo's stream, read by the same client: what gRPC Python alone allows one stream
            echo_stream: dict[str, list[float]] = {kind: [] for kind in KINDS}
            for r in range(args.rounds):
                local_rates.append(local())
                for name in names[r % len(names):] + names[:r % len(names)]:
                    if "batch" in parts:
                        batch_rates[name].append(clients(hubs[name].target, "batch", args, 1, 2, hubs[name], name))
                    if "stream" in parts:
                        stream_rates[name].append(clients(hubs[name].target, "stream", args, 1, 1, hubs[name], name))
                if "stream" in parts:
                    for kind in KINDS:
                        echo_stream[kind].append(clients(echoes[kind].target, "stream", args, 1, 1, echoes[kind],
                                                         f"echo {kind}"))
            print(f"\n## EvaluateBatch ({args.batch} per message) and EvaluateStream, 1 worker, vs in-process")
            rows = [["in-process Evaluator.evaluate", common.fmt_rate(statistics.median(local_rates)), "1.00x", "",
                     f"{statistics.median(CPU['local']):.0f}"]]
            for label, rates, kind in ((f"EvaluateBatch x{args.batch}, {{}} (1 client, 2 calls in flight)", batch_rates, "batch"),
                                       ("EvaluateStream, {} (1 stream)", stream_rates, "stream")):
                for name in names:
                    if rates[name]:
                        rows.append([label.format(name), common.fmt_rate(statistics.median(rates[name])),
                                     f"{common.median_ratio(rates[name], local_rates):.2f}x",
                                     " ".join(f"{a / b:.2f}" for a, b in zip(rates[name], local_rates)),
                                     cpu_cell(kind, name)])
            for kind in KINDS:
                if echo_stream[kind]:
                    rows.append([f"EvaluateStream, echo {kind} (no evaluation)", common.fmt_rate(statistics.median(echo_stream[kind])),
                                 f"{common.median_ratio(echo_stream[kind], local_rates):.2f}x",
                                 " ".join(f"{a / b:.2f}" for a, b in zip(echo_stream[kind], local_rates)),
                                 cpu_cell("stream", f"echo {kind}")])
            print(common.table(["path", "submissions/s (median)", "vs in-process", "rounds", "worker CPU µs/submission"], rows))
            for label, rates, target in (("EvaluateBatch", batch_rates, BATCH_TARGET), ("EvaluateStream", stream_rates, STREAM_TARGET)):
                best = max((n for n in names if rates[n] and not n.endswith("before")),
                           key=lambda n: common.median_ratio(rates[n], local_rates), default=None)
                for name in dict.fromkeys([default, best]):
                    if name and rates[name]:
                        ratio = common.median_ratio(rates[name], local_rates)
                        print(f"target {label} >= {target}x in-process ({name}): {ratio:.2f}x  {common.verdict(ratio, target)}")
        if "latency" in parts:
            rate = statistics.median(hub_unary[default]) / 2
            print(f"\n## Latency of unary Evaluate at half the measured maximum ({rate:,.0f} calls/s, open loop, "
                  f"{args.seconds * 2:g} s)")
            rows = []
            named = [(f"policyhub, {name}", hubs[name]) for name in names] + [(f"echo, {kind}", echoes[kind]) for kind in KINDS]
            for name, server in named:
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
