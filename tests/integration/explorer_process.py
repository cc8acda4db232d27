"""A real `policyhub explore`, started as a user starts it, on a free loopback port."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any


class RunningExplorer:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "policyhub", "--log-level", "info", "explore", "--host", "127.0.0.1",
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.log_lines: list[str] = []
        threading.Thread(target=self._read_logs, daemon=True).start()
        line = self.process.stdout.readline()  # the first line names the URL once the port is bound
        if not line.startswith("policyhub explorer: "):
            self.process.kill()
            raise RuntimeError(f"explorer did not start: {line!r}\n" + "\n".join(self.log_lines))
        self.url = line.split()[2].rstrip("/")
        deadline = time.monotonic() + 30
        while True:  # the socket is bound before uvicorn serves: wait for an answer
            try:
                self.get("/v1/packs")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("explorer never answered:\n" + "\n".join(self.log_lines)) from None
                time.sleep(0.1)

    def _read_logs(self) -> None:
        for line in self.process.stderr:
            self.log_lines.append(line.rstrip("\n"))

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def get(self, path: str) -> tuple[int, Any]:
        status, _, body = self.call("GET", path)
        return status, json.loads(body)

    def post_json(self, path: str, data: Any) -> tuple[int, Any]:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        status, _, body = self.call("POST", path, raw, {"Content-Type": "application/json"})
        return status, json.loads(body)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)
