"""What the fuzz tests sent and what came back, summed over a session and printed at its end."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter

_lock = threading.Lock()
outcomes: Counter = Counter()  # (family, status name) -> requests


def record(family: str, status: str, count: int = 1) -> None:
    with _lock:
        outcomes[(family, status)] += count


def total() -> int:
    return sum(outcomes.values())


def lines() -> list[str]:
    by_family: dict[str, Counter] = {}
    for (family, status), count in sorted(outcomes.items()):
        by_family.setdefault(family, Counter())[status] = count
    out = [f"requests fuzzed: {total()}"]
    for family, counts in by_family.items():
        detail = ", ".join(f"{status} {n}" for status, n in counts.most_common())
        out.append(f"  {family}: {sum(counts.values())} ({detail})")
    return out


def write(path: str) -> None:
    data = {"requests": total(), "outcomes": [{"family": f, "status": s, "count": n} for (f, s), n in sorted(outcomes.items())]}
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)


def report_path() -> str | None:
    return os.environ.get("POLICYHUB_FUZZ_REPORT")
