"""A running server's worker processes, read from its logs."""

from __future__ import annotations

import os
import time


def wait_workers(server, count: int, timeout: float = 60.0) -> None:
    """Until `count` workers have logged worker_serving (each one loads every pack first)."""
    deadline = time.monotonic() + timeout
    while len(current_pids(server)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("workers did not start:\n" + "\n".join(server.log_lines[-20:]))
        time.sleep(0.05)


def current_pids(server) -> dict[int, int]:
    """Worker index -> pid of its latest start."""
    return {event["worker"]: event["pid"] for event in server.events("worker_serving")}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def snapshot(server) -> tuple[dict[int, int], int]:
    """The workers' pids now, and how many worker deaths the server has logged so far."""
    return current_pids(server), len(server.events("worker_died"))


def assert_no_worker_died(server, before: tuple[dict[int, int], int]) -> None:
    """No worker died or was restarted since `before`, and each of those pids is still running."""
    pids, deaths = before
    assert server.events("worker_died")[deaths:] == []
    assert current_pids(server) == pids
    assert all(alive(pid) for pid in pids.values())
