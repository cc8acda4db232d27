"""Crash containment: a worker killed outright is restarted, and the service answers again."""

import os
import signal
import time

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import policyhub_pb2_grpc
from tests.integration.conftest import DEMO_PACK, RunningServer

import grpc


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_worker_is_restarted():
    server = RunningServer("--workers", "1", "--pack-path", str(DEMO_PACK))
    try:
        wait_for(lambda: server.events("worker_serving"))
        first_pid = server.events("worker_serving")[0]["pid"]
        os.kill(first_pid, signal.SIGKILL)  # as a segfault in the engine would
        wait_for(lambda: server.events("worker_died") and len(server.events("worker_serving")) == 2)
        assert server.events("worker_serving")[1]["pid"] != first_pid
        server.wait_serving()
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            request = request_from_dict({"locality": "demo", "date": "2020-06-01", "pledge": {"copies": 4}})
            assert stub.Evaluate(request, timeout=10).compliant
    finally:
        assert server.stop() == 0
