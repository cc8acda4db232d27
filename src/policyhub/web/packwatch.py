"""Packs under development: their directories watched, the pack set reloaded when a file changes.

Checked on requests (at most every `interval` seconds), not by a thread: an author saves a
file, reloads the page and sees the change. A set that does not load is refused whole, as a
server reload is: the old set keeps serving and the page shows every finding.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Sequence

import structlog

from ..domain.errors import PackLoadError
from ..evaluation.evaluator import Evaluator
from ..packs.registry import PackRegistry

log = structlog.get_logger("policyhub.web.packs")

_SKIPPED = {"__pycache__", "build", "dist"}


def signature(paths: Sequence[Path]) -> tuple:
    """Every file's path, size and modification time under the pack directories."""
    found = []
    for root in paths:
        for path in sorted(root.rglob("*")):
            if any(p in _SKIPPED or p.startswith(".") or p.endswith(".egg-info") for p in path.relative_to(root).parts):
                continue
            try:
                stat = path.stat()
            except OSError:  # removed while we looked: the next look sees it gone
                continue
            if path.is_file():
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class PackWatcher:
    def __init__(self, evaluator: Evaluator, pack_paths: Sequence[str | Path], installed: bool = True,
                 interval: float = 0.5) -> None:
        self.evaluator = evaluator
        self.paths = [Path(p).resolve() for p in pack_paths]
        self.installed = installed
        self.interval = interval
        self.findings: list[str] = []  # of the last refused set, shown on every page until fixed
        self.reloads = 0
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._signature = signature(self.paths)

    def check(self) -> bool:
        """Reload if a watched file changed; True when a new set was swapped in."""
        if not self.paths or time.monotonic() - self._checked < self.interval:
            return False
        with self._lock:
            self._checked = time.monotonic()
            now = signature(self.paths)
            if now == self._signature:
                return False
            self._signature = now
            try:
                registry = PackRegistry.discover(self.paths, installed=self.installed, strict=True)
            except PackLoadError as exc:
                self.findings = list(exc.findings)
                log.warning("explore_reload_refused", findings=len(exc.findings))
                return False
            self.findings = []
            self.reloads += 1
            generation = self.evaluator.swap(registry)
            log.info("explore_reloaded", generation=generation)
            return True
