"""What every bench shares: the machine's description, quiet logs, timing in rounds, tables."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    model = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load} at {time.strftime('%Y-%m-%d %H:%M:%S')}")


def quiet_logs() -> None:
    """Configure policyhub's real JSON decision log, written to /dev/null: rendering is measured, a terminal is not."""
    from policyhub.telemetry import logs

    saved = sys.stderr
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    try:
        logs.configure("info")
    finally:
        sys.stderr = saved


def rate(fn: Callable[[], int], min_seconds: float = 0.0) -> float:
    """Items per second of one call of fn (which returns how many items it handled)."""
    started = time.perf_counter()
    count = fn()
    while time.perf_counter() - started < min_seconds:
        count += fn()
    return count / (time.perf_counter() - started)


def interleaved(contenders: dict[str, Callable[[], int]], rounds: int, min_seconds: float = 0.0) -> dict[str, list[float]]:
    """Each contender's rate, measured `rounds` times in turn (order rotated each round), so that
    a noisy neighbour slows all of them alike; ratios are taken round by round."""
    names = list(contenders)
    results: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            results[name].append(rate(contenders[name], min_seconds))
    return results


def median_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    """The median of the round-by-round ratios a/b."""
    return statistics.median(x / y for x, y in zip(a, b))


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value < target
    return "PASS" if ok else "MISS"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"
