"""Start and stop the servers the RPC benches measure: policyhub itself, and the bare echo.

Both are separate processes started as a user would, on a free loopback port read from their
JSON "serving" log line (as tests/integration/conftest.py does), and both are stopped (SIGTERM,
then SIGKILL) however the bench ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

BENCH = Path(__file__).resolve().parent


class Server:
    def __init__(self, argv: list[str], timeout: float = 60) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.events: list[dict] = []
        self._port: list[int] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not self._port:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"server did not start: {argv}")
            time.sleep(0.005)
        self.port = self._port[0]
        self.target = f"127.0.0.1:{self.port}"
        self.serving_after = self.wait_serving(timeout)

    def _read(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            if '"event":"decision"' in line:  # logs.py writes compact JSON (orjson)
                continue  # one per evaluation: not parsed, so the bench steals little CPU from the server
            try:
                event = json.loads(line)
            except ValueError:
                continue
            event["_at"] = time.perf_counter() - self.started
            if len(self.events) < 10_000:
                self.events.append(event)
            if event.get("event") == "serving":
                self._port.append(event["port"])

    def wait_serving(self, timeout: float) -> float:
        """Seconds from process spawn until health answers SERVING."""
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while True:
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return time.perf_counter() - self.started
                except grpc.RpcError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server never became SERVING")
                time.sleep(0.005)

    def worker_pids(self) -> list[int]:
        return [e["pid"] for e in self.events if e.get("event") == "worker_serving"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the workers too
                self.process.wait(timeout=10)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def policyhub(workers: int = 1, threads: int = 8, timeout: float = 60, store: tuple[str, ...] = ("--decision-store", "none"),
              grpc_server: str = "threads", src: str | None = None) -> Server:
    """`store`: the decision record's options; off unless a bench measures it (bench_store.py).
    `grpc_server`: the workers' gRPC server, threads (the default) or aio. `src`: run the policyhub
    sources in this directory (an earlier checkout's src/) instead of the installed one."""
    env = ["env", f"PYTHONPATH={src}"] if src else []
    return Server([*env, sys.executable, "-m", "policyhub", "--log-level", "info", "serve", "--host", "127.0.0.1",
                   "--port", "0", "--grace", "2", "--workers", str(workers), "--threads", str(threads),
                   "--grpc-server", grpc_server, *store], timeout)


def echo(cases: int, seed: int, threads: int = 8, kind: str = "threads") -> Server:
    """`kind`: threads (a thread pool) or aio (grpc.aio, the handler on the event loop)."""
    return Server([sys.executable, str(BENCH / "echo_server.py"), "--cases", str(cases), "--seed", str(seed),
                   "--threads", str(threads), "--kind", kind])
