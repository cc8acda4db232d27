"""A bare gRPC server with policyhub's service and message types that evaluates nothing.

Evaluate answers each EvaluateRequest with the Decision policyhub gives for it, made once at
start-up (the bench's generated ballots, looked up by request_id): the same message types and
sizes on the wire, the same gRPC Python server (one process, a thread pool), and no policy
work. It is the ceiling for policyhub's unary RPC rate.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ballots  # noqa: E402
import common  # noqa: E402

from policyhub.caseio import request_from_dict  # noqa: E402
from policyhub.evaluator import Evaluator  # noqa: E402
from policyhub.registry import PackRegistry  # noqa: E402
from policyhub.v1 import policyhub_pb2_grpc  # noqa: E402


class Echo(policyhub_pb2_grpc.PolicyHubServicer):
    def __init__(self, decisions) -> None:
        self.decisions = decisions

    def Evaluate(self, request, context):
        return self.decisions[request.request_id]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    saved = sys.stderr
    common.quiet_logs()
    evaluator = Evaluator(PackRegistry.discover())
    decisions = {}
    for data in ballots.generate(args.cases, args.seed):
        decisions[data["request_id"]] = evaluator.evaluate(request_from_dict(data))
    sys.stderr = saved

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads))
    policyhub_pb2_grpc.add_PolicyHubServicer_to_server(Echo(decisions), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    print(json.dumps({"event": "serving", "port": port}), file=sys.stderr, flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop(1).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
