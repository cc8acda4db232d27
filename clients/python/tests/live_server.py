"""A real policyhub server, started as a user would start it, on a loopback port.

The server command is $POLICYHUB_SERVER (the `policyhub` executable), else the repository's
.venv/bin/policyhub, else `policyhub` on PATH. The client package itself never imports it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def server_command() -> str:
    for candidate in (os.environ.get("POLICYHUB_SERVER"), str(REPO / ".venv" / "bin" / "policyhub"),
                      shutil.which("policyhub")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no policyhub server to test against: set POLICYHUB_SERVER to the `policyhub` executable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`policyhub serve` with one worker; ready once that worker logs worker_serving."""

    def __init__(self, port: int = 0, *extra: str) -> None:
        self.process = subprocess.Popen(
            [server_command(), "--log-level", "info", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--grace", "2", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.log_lines: list[str] = []
        self.port: int | None = None
        self._ready = threading.Event()
        # Read stderr to the end: the server logs a line per decision, and a full pipe would stall it.
        threading.Thread(target=self._read, daemon=True).start()
        try:
            if not self._ready.wait(60) or self.port is None:
                raise RuntimeError("server did not start:\n" + "\n".join(self.log_lines))
        except BaseException:
            self.stop()
            raise
        self.target = f"127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.process.stderr:
            self.log_lines.append(line.rstrip("\n"))
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "serving":
                self.port = event["port"]
            elif event.get("event") == "worker_serving":
                self._ready.set()
        self._ready.set()  # the server exited: stop waiting

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
