"""structlog set-up: JSON lines on stderr.

What is logged is chosen field by field (decision ids, pack refs, rule ids, codes, latency);
no submission content is ever passed to a logger, so names, phones and e-mails cannot leak.

Every evaluation logs a line, so the line is made cheaply: one JSON encoder built once (not
one per line, as json.dumps with options does), a timestamp whose date-and-second part is
formatted once per second, and a plain write + flush instead of print().
"""

from __future__ import annotations

import json as _json
import logging
import sys
import time
from typing import Any

import structlog


def _fallback(value: Any) -> Any:
    """A value JSON cannot hold is written as its repr (as structlog's JSONRenderer does)."""
    return repr(value)


class JSONLine:
    """The event dict as one JSON line; non-ASCII text stays readable."""

    def __init__(self) -> None:
        self._encode = _json.JSONEncoder(ensure_ascii=False, default=_fallback).encode

    def __call__(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> str:
        return self._encode(event_dict)


class UTCTimeStamper:
    """`timestamp`: ISO 8601 in UTC with microseconds, e.g. 2010-12-30T08:00:00.123456Z."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        second = int(now)
        if second != self._second:  # a race between threads only formats the same second twice
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        event_dict["timestamp"] = f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"
        return event_dict


def configure(level: str = "info", json: bool = True) -> None:
    numeric = getattr(logging, level.upper(), logging.INFO)
    renderer = JSONLine() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            UTCTimeStamper(),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
