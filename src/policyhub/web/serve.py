"""`policyhub explore`: the pack set loaded in process, the HTTP app served by uvicorn."""

from __future__ import annotations

import ipaddress
import signal
import socket
import sys
from typing import Sequence

import structlog
import uvicorn

from ..evaluation.evaluator import Evaluator
from ..packs.registry import PackRegistry
from .api import Limits
from .app import create_app
from .packwatch import PackWatcher

log = structlog.get_logger("policyhub.web")


def serve_explorer(host: str, port: int, pack_paths: Sequence[str], installed: bool,
                   max_body_bytes: int, evaluation_seconds: float) -> int:
    evaluator = Evaluator(PackRegistry.discover(pack_paths, installed=installed))
    watcher = PackWatcher(evaluator, pack_paths, installed=installed)
    app = create_app(evaluator, Limits(max_body_bytes=max_body_bytes, evaluation_seconds=evaluation_seconds),
                     watcher, explorer=True)
    # Bound here so port 0 gives a real port to print before serving.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"policyhub explore: cannot bind {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    bound = sock.getsockname()[1]
    if not ipaddress.ip_address(sock.getsockname()[0]).is_loopback:
        log.warning("explore_not_loopback", host=host,
                    note="read-only but without authentication: anyone who reaches this address can use it")
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    url = f"http://{shown}:{bound}/"
    log.info("explore_serving", url=url, packs=len(evaluator.registry.packs()))
    print(f"policyhub explorer: {url}  (HTTP API: {url}v1/packs, OpenAPI: {url}openapi.json)", flush=True)
    # No access log: a permalink carries a case in its query string. app.Observe logs routes only.
    config = uvicorn.Config(app, log_config=None, access_log=False, server_header=False,
                            h11_max_incomplete_event_size=64 * 1024)
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again to the handler
    # it found: with this one the command ends with 0 after a clean shutdown, not killed by it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)
    server.run(sockets=[sock])
    log.info("explore_stopped")
    return 0
