"""A real policyhub server, started as a user would start it, on a free loopback port."""

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from policyhub.v1 import policyhub_pb2_grpc

DEMO_PACK = Path(__file__).resolve().parent.parent / "packs" / "demo_2020"


class RunningServer:
    def __init__(self, *args: str, credentials: grpc.ChannelCredentials | None = None) -> None:
        self.credentials = credentials  # for a server started with --tls-cert
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policyhub", "--log-level", "info", "serve", "--host", "127.0.0.1",
             "--port", "0", "--grace", "5", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.log_lines: list[str] = []
        self._port: list[int] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 30
        while not self._port:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("server did not start:\n" + "\n".join(self.log_lines))
            time.sleep(0.05)
        self.target = f"127.0.0.1:{self._port[0]}"
        self.wait_serving()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.log_lines.append(line.rstrip("\n"))
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "serving":
                self._port.append(event["port"])

    @property
    def serving(self) -> dict:
        """The supervisor's "serving" log line: port, workers, and metrics_port/admin_port if on."""
        return self.events("serving")[0]

    def events(self, name: str) -> list[dict]:
        found = []
        for line in list(self.log_lines):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == name:
                found.append(event)
        return found

    def wait_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        channel = (grpc.secure_channel(self.target, self.credentials) if self.credentials
                   else grpc.insecure_channel(self.target))
        with channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server never became SERVING:\n" + "\n".join(self.log_lines))
                time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


# A worker's two gRPC servers (`--grpc-server`): the tests of what both must keep take this.
GRPC_SERVERS = ("threads", "aio")


@pytest.fixture(params=GRPC_SERVERS)
def grpc_server(request, monkeypatch) -> str:
    """The servers started in the test run workers of this kind (through the flag's variable)."""
    monkeypatch.setenv("POLICYHUB_SERVE_GRPC_SERVER", request.param)
    return request.param


@pytest.fixture(scope="session")
def server():
    running = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK))
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="session")
def channel(server):
    with grpc.insecure_channel(server.target) as ch:
        yield ch


@pytest.fixture(scope="session")
def stub(channel):
    return policyhub_pb2_grpc.PolicyHubStub(channel)
