"""Start-up: from spawning `policyhub serve` until gRPC health answers SERVING with every bundled pack.

Each start is a fresh process tree (supervisor + workers, as `make run` starts it); the clock
starts just before the spawn. "first SERVING" is the first health answer SERVING (a worker has
loaded every pack and listens); "all workers" is when the last worker has logged worker_serving.
Target: < 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import servers  # noqa: E402

TARGET_S = 2.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--decision-store", default="none",
                        help="the record's store (e.g. sqlite:///PATH; each worker then starts its record writer too)")
    parser.add_argument("--decision-writer", default="process", choices=["process", "inline"])
    args = parser.parse_args(argv)
    store: tuple[str, ...] = ("--decision-store", args.decision_store)
    if args.decision_store != "none":
        store += ("--decision-writer", args.decision_writer)
    first, every, packs = [], [], 0
    for _ in range(args.starts):
        with servers.policyhub(workers=args.workers, store=store) as server:
            first.append(server.serving_after)
            deadline = time.monotonic() + 60
            while len(server.worker_pids()) < args.workers and time.monotonic() < deadline:
                time.sleep(0.005)
            ready = [e for e in server.events if e.get("event") == "worker_serving"]
            every.append(max(e["_at"] for e in ready))
            packs = len(ready[0].get("packs", []))
    print(f"# start-up: {args.starts} starts of `policyhub serve --workers {args.workers} {' '.join(store)}`"
          f" with {packs} bundled packs")
    print(common.table(["measure", "median s", "min s", "max s"], [
        ["spawn -> health SERVING", f"{statistics.median(first):.2f}", f"{min(first):.2f}", f"{max(first):.2f}"],
        ["spawn -> all workers serving", f"{statistics.median(every):.2f}", f"{min(every):.2f}", f"{max(every):.2f}"],
    ]))
    value = statistics.median(every)
    print(f"target < {TARGET_S:g} s (all workers): {value:.2f} s  {common.verdict(value, TARGET_S, higher_is_better=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
