"""The pack set in service, swapped atomically on reload.

A request takes the current generation when it starts and keeps it to the end, so it finishes
on the pack versions it started with even if a reload swaps in new ones meanwhile. A retired
generation frees its engine rulesets once its last request is done.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import structlog

from .registry import PackRegistry

log = structlog.get_logger("policyhub.packs")


class _Generation:
    def __init__(self, registry: PackRegistry, number: int) -> None:
        self.registry = registry
        self.number = number
        self.in_flight = 0
        self.retired = False


class LivePacks:
    def __init__(self, registry: PackRegistry) -> None:
        self._lock = threading.Lock()
        self._current = _Generation(registry, 1)

    @property
    def registry(self) -> PackRegistry:
        """The current registry, for answers that need no pack to stay alive (ListPacks)."""
        return self._current.registry

    @property
    def generation(self) -> int:
        return self._current.number

    @contextmanager
    def use(self) -> Iterator[PackRegistry]:
        """The current registry, kept alive until the block ends."""
        with self._lock:
            generation = self._current
            generation.in_flight += 1
        try:
            yield generation.registry
        finally:
            with self._lock:
                generation.in_flight -= 1
                close = generation.retired and generation.in_flight == 0
            if close:
                self._close(generation)

    def swap(self, registry: PackRegistry) -> int:
        """Serve `registry` from now on; returns its generation number."""
        with self._lock:
            old = self._current
            self._current = _Generation(registry, old.number + 1)
            old.retired = True
            close = old.in_flight == 0
            number = self._current.number
        if close:
            self._close(old)
        return number

    @staticmethod
    def _close(generation: _Generation) -> None:
        generation.registry.close()
        log.info("generation_closed", generation=generation.number)
