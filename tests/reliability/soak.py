"""A bounded soak (`make soak`): a real server on loopback under a steady rate for minutes.

Sends every bundled fixture request (and the demo pack's) round and round at `--rate` requests
per second, each answer checked against the in-process one, and records every `--every` seconds
the workers' resident memory, errors and latency percentiles. Prints a table and a summary;
exits 1 on any wrong, lost or unexpected answer, a worker restart, or memory growth past
`--max-growth` between the first and the last quarter of the run (after the warm-up).
With `--kill-every`, workers are killed in turn under the load: each must be restarted, and
clients retrying UNAVAILABLE must lose no decision.

    python -m tests.reliability.soak --duration 180 --rate 150 [--report reports/soak.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path

from policyhub.telemetry import logs
from policyhub.domain.errors import PolicyError
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from tests.integration.conftest import RunningServer

from . import corpus
from .load import Load, expected
from .workers import current_pids, wait_workers


def rss_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:  # killed, not yet restarted
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process: shows that every worker takes a share of the load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cases() -> list:
    from policyhub.domain.caseio import request_from_dict

    evaluator = Evaluator(PackRegistry.discover([corpus.DEMO_PACK]))
    found = []
    for n, (_, data) in enumerate(corpus.fixture_requests()):
        try:
            request = request_from_dict(data)
        except PolicyError:
            continue
        request.request_id = f"soak-{n}"
        found.append((request, expected(evaluator, request)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--rate", type=float, default=150.0, help="requests per second, all threads")
    parser.add_argument("--threads", type=int, default=8, help="client threads, a connection each")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=0.2, help="share of the run before memory is judged")
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed RSS growth, as a share")
    parser.add_argument("--kill-every", type=float, default=0.0,
                        help="SIGKILL a worker (each in turn) every this many seconds; 0: never. Memory is then not judged")
    parser.add_argument("--report", help="write the figures as JSON here")
    args = parser.parse_args(argv)

    logs.configure("warning")  # the in-process evaluator that computes the expected answers is quiet
    load_cases = cases()
    server = RunningServer("--workers", str(args.workers), "--pack-path", str(corpus.DEMO_PACK))
    samples = []
    try:
        wait_workers(server, args.workers)
        pids = current_pids(server)
        load = Load(server.target, load_cases, threads=args.threads, rate=args.rate, retry_for=10).start()
        started = time.monotonic()
        print(f"soak: {args.duration:.0f} s at {args.rate:.0f} req/s, {args.threads} client threads, "
              f"{args.workers} workers, {len(load_cases)} distinct requests")
        print(f"{'t (s)':>6} {'answered':>9} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
              + " ".join(f"{'w' + str(i) + ' MiB':>8}" for i in sorted(pids))
              + " " + " ".join(f"{'w' + str(i) + ' cpu s':>9}" for i in sorted(pids)))
        seen = kills = 0
        last_kill = started
        while time.monotonic() - started < args.duration:
            time.sleep(args.every)
            now = time.monotonic()
            if args.kill_every and now - last_kill >= args.kill_every:
                victim = current_pids(server)[kills % args.workers]
                os.kill(victim, signal.SIGKILL)  # as a segfault in the engine would
                kills, last_kill = kills + 1, now
            figures = load.figures
            window = [s for t, s in figures.latencies[seen:]]
            seen = len(figures.latencies)
            sample = {
                "t": round(now - started, 1),
                "answered": figures.answered,
                "rate": round(len(window) / args.every, 1),
                "p50_ms": round(percentile(window, 0.50) * 1000, 2),
                "p99_ms": round(percentile(window, 0.99) * 1000, 2),
                "wrong_or_lost": len(figures.wrong) + len(figures.lost),
                "rss_kib": {i: rss_kib(pid) for i, pid in sorted(current_pids(server).items())},
                "cpu_s": {i: round(cpu_seconds(pid), 2) for i, pid in sorted(current_pids(server).items())},
            }
            samples.append(sample)
            print(f"{sample['t']:>6.0f} {sample['answered']:>9} {sample['rate']:>6.0f} {sample['p50_ms']:>7.2f} "
                  f"{sample['p99_ms']:>7.2f} {sample['wrong_or_lost']:>6} "
                  + " ".join(f"{kib / 1024:>8.1f}" for kib in sample["rss_kib"].values())
                  + " " + " ".join(f"{cpu:>9.1f}" for cpu in sample["cpu_s"].values()))
        figures = load.stop()
        elapsed = time.monotonic() - started
        restarts = len(server.events("worker_died"))
        pids_after = current_pids(server)
    finally:
        code = server.stop()

    judged = samples[int(len(samples) * args.warm_up):] if not kills else []
    quarter = max(1, len(judged) // 4)
    growth = {}
    for worker in pids if judged else ():
        first = statistics.mean(s["rss_kib"][worker] for s in judged[:quarter])
        last = statistics.mean(s["rss_kib"][worker] for s in judged[-quarter:])
        growth[worker] = (last - first) / first
    latencies = [s for _, s in figures.latencies]
    summary = {
        "duration_s": args.duration, "target_rate": args.rate, "answered": figures.answered,
        "elapsed_s": round(elapsed, 1), "achieved_rate": round(figures.answered / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2), "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2) if latencies else None,
        "wrong": len(figures.wrong), "lost": len(figures.lost), "retries": figures.retries,
        "error_answers_as_expected": dict(figures.errors), "workers_killed": kills, "worker_restarts": restarts,
        "rss_growth": {str(w): round(g, 4) for w, g in growth.items()},
        "rss_mib_last": {str(w): round(v / 1024, 1) for w, v in samples[-1]["rss_kib"].items()} if samples else {},
        "worker_cpu_s": {str(w): v for w, v in samples[-1]["cpu_s"].items()} if samples else {},
        "server_exit": code,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps({"summary": summary, "samples": samples}, indent=2))
    problems = []
    if figures.wrong or figures.lost:
        problems.append(f"{len(figures.wrong)} wrong and {len(figures.lost)} lost answers; first: "
                        f"{(figures.wrong or figures.lost)[0]}")
    if restarts != kills or (not kills and pids_after != pids):
        problems.append(f"{restarts} worker restarts for {kills} workers killed")
    for worker, share in growth.items():
        if share > args.max_growth:
            problems.append(f"worker {worker} grew {share:.1%} between the first and last quarter")
    if code != 0:
        problems.append(f"server exited {code}")
    for problem in problems:
        print(f"SOAK FAILED: {problem}")
    if not problems:
        print(f"soak passed: no errors, {kills} workers killed and restarted, no decision lost"
              + ("" if kills else ", no memory growth"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
