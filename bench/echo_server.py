"""A bare gRPC server with policyhub's service and message types that evaluates nothing.

Evaluate answers each EvaluateRequest with the Decision policyhub gives for it, made once at
start-up, and EvaluateStream each message with that Decision in its Result (the bench's generated ballots, looked up by request_id): the same message types and
sizes on the wire, a gRPC Python server of either kind (`--kind threads`: a thread pool;
`--kind aio`: grpc.aio, the handler a coroutine on the event loop), and no policy work. The
faster of the two is the ceiling for policyhub's unary RPC rate (bench_rpc.py measures both); the
echo's stream, read by the same client, is the ceiling of a stream's rate on gRPC Python.
"""

from __future__ import annotations

import argparse
import asyncio
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

from policyhub.domain.caseio import request_from_dict  # noqa: E402
from policyhub.evaluation.assembly import result_wire  # noqa: E402
from policyhub.evaluation.evaluator import Evaluator  # noqa: E402
from policyhub.packs.registry import PackRegistry  # noqa: E402
from policyhub.v1 import policyhub_pb2  # noqa: E402

SERVICE = policyhub_pb2.DESCRIPTOR.services_by_name["PolicyHub"].full_name


def add_echo(server: grpc.Server, decisions: dict[str, bytes]) -> None:
    """Evaluate answers with the request's Decision, serialised beforehand: policyhub, too, sends
    its decisions as wire bytes it made, with no message to serialise."""
    evaluate = grpc.unary_unary_rpc_method_handler(
        lambda request, context: decisions[request.request_id],
        request_deserializer=policyhub_pb2.EvaluateRequest.FromString,
        response_serializer=lambda data: data,
    )

    def stream(requests, context):  # one answer per message, in order, as it is read
        for index, request in enumerate(requests):
            yield result_wire(index, request.request_id, decision=decisions[request.request_id])

    evaluate_stream = grpc.stream_stream_rpc_method_handler(
        stream, request_deserializer=policyhub_pb2.EvaluateRequest.FromString, response_serializer=lambda data: data,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        SERVICE, {"Evaluate": evaluate, "EvaluateStream": evaluate_stream}),))


def add_aio_echo(server: grpc.aio.Server, decisions: dict[str, bytes]) -> None:
    """The same, as a coroutine answered on the event loop (no thread hand-off)."""
    async def answer(request, context):
        return decisions[request.request_id]

    evaluate = grpc.unary_unary_rpc_method_handler(
        answer, request_deserializer=policyhub_pb2.EvaluateRequest.FromString, response_serializer=lambda data: data,
    )

    async def stream(requests, context):
        index = 0
        async for request in requests:
            yield result_wire(index, request.request_id, decision=decisions[request.request_id])
            index += 1

    evaluate_stream = grpc.stream_stream_rpc_method_handler(
        stream, request_deserializer=policyhub_pb2.EvaluateRequest.FromString, response_serializer=lambda data: data,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        SERVICE, {"Evaluate": evaluate, "EvaluateStream": evaluate_stream}),))


async def serve_aio(decisions: dict[str, bytes]) -> None:
    server = grpc.aio.server()
    add_aio_echo(server, decisions)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    print(json.dumps({"event": "serving", "port": port}), file=sys.stderr, flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()
    await server.stop(1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--kind", choices=("threads", "aio"), default="threads")
    args = parser.parse_args()

    saved = sys.stderr
    common.quiet_logs()
    evaluator = Evaluator(PackRegistry.discover())
    decisions = {}
    for data in ballots.generate(args.cases, args.seed):
        decisions[data["request_id"]] = evaluator.evaluate_wire(request_from_dict(data))
    sys.stderr = saved
    if args.kind == "aio":
        asyncio.run(serve_aio(decisions))
        return 0

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads))
    add_echo(server, decisions)
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
