"""Memory: the RSS of one policyhub worker across many evaluations (default 20,000; `make bench-memory`: 1,000,000).

A 1-worker server gets EvaluateBatch calls (100 generated ballots each, from two client
threads) until it has made the evaluations asked for. The worker's RSS (psutil) is read after a
warm-up (the first 5%, at least 2,000 evaluations: caches, allocator pools and gRPC buffers
fill) and then every tenth of the run; growth is the last reading minus the warm one.
Target: growth < 5 MB over 1,000,000 evaluations.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc  # noqa: E402
import psutil  # noqa: E402

import ballots  # noqa: E402
import common  # noqa: E402
import servers  # noqa: E402

TARGET_MB = 5.0
TARGET_EVALUATIONS = 1_000_000


def main(argv=None) -> int:
    from policyhub.domain.caseio import request_from_dict
    from policyhub.v1 import policyhub_pb2 as pb
    from policyhub.v1 import policyhub_pb2_grpc

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--evaluations", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    args = parser.parse_args(argv)
    requests = [request_from_dict(r) for r in ballots.generate(args.cases, args.seed)]
    batches = [pb.EvaluateBatchRequest(requests=requests[i:i + 100]) for i in range(0, len(requests), 100)]
    warm_at = max(2000, args.evaluations // 20)
    step = max(args.evaluations // 10, 100)
    readings: list[tuple[int, float]] = []
    with servers.policyhub(workers=1) as server:
        worker = psutil.Process(server.worker_pids()[0] if server.worker_pids() else _worker_of(server))
        channel = grpc.insecure_channel(server.target, options=[("grpc.max_receive_message_length", 64 << 20)])
        stub = policyhub_pb2_grpc.PolicyHubStub(channel)
        done = [0]
        lock = threading.Lock()
        next_reading = [warm_at]
        failures: list[str] = []
        started = time.perf_counter()

        def client(n: int) -> None:
            i = n
            while True:
                with lock:
                    if done[0] >= args.evaluations or failures:
                        return
                reply = stub.EvaluateBatch(batches[i % len(batches)], timeout=120)
                bad = [r.error.message for r in reply.results if r.HasField("error")]
                with lock:
                    if bad:
                        failures.append(bad[0])
                    done[0] += len(reply.results)
                    while done[0] >= next_reading[0]:
                        readings.append((next_reading[0], worker.memory_info().rss / 2**20))
                        next_reading[0] += step
                i += 2

        threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        final = worker.memory_info().rss / 2**20
        channel.close()
    if failures:
        sys.exit(f"evaluations failed: {failures[0]}")
    readings.append((done[0], final))
    warm = readings[0][1]
    growth = final - warm
    print(f"# memory: {done[0]:,} evaluations by one worker in {elapsed:.0f} s ({done[0] / elapsed:,.0f}/s)")
    print(common.table(["evaluations", "worker RSS MB", "vs warm"], [
        [f"{n:,}", f"{rss:.1f}", f"{rss - warm:+.1f}"] for n, rss in readings]))
    scope = "" if done[0] >= TARGET_EVALUATIONS else f" (over {done[0]:,}; the target is for {TARGET_EVALUATIONS:,}: make bench-memory)"
    print(f"target growth < {TARGET_MB:g} MB: {growth:+.1f} MB  {common.verdict(growth, TARGET_MB, higher_is_better=False)}{scope}")
    return 0


def _worker_of(server) -> int:
    children = psutil.Process(server.process.pid).children()
    if len(children) != 1:
        raise RuntimeError(f"expected one worker process, found {len(children)}")
    return children[0].pid


if __name__ == "__main__":
    sys.exit(main())
