"""structlog set-up: JSON lines on stderr.

What is logged is chosen field by field (decision ids, pack refs, rule ids, codes, latency);
no submission content is ever passed to a logger, so names, phones and e-mails cannot leak.

Every evaluation logs a line, so the line is made cheaply: orjson (about a tenth of the
stdlib encoder's time) writing UTF-8 bytes straight to stderr's byte stream, a timestamp whose
date-and-second part is formatted once per second, and `info_line` for the decision line, which
makes the same line as the processors without structlog's per-call plumbing.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import json as _json
import logging
import select
import sys
import threading
import time
from typing import Any, Callable, Iterator, cast

import orjson
import structlog


def _fallback(value: Any) -> Any:
    """A value JSON cannot hold is written as its repr (as structlog's JSONRenderer does)."""
    return repr(value)


class JSONLine:
    """The event dict as one JSON line (UTF-8 bytes, or str with `text=True`); non-ASCII text stays readable."""

    def __init__(self, text: bool = False) -> None:
        self._text = text
        self._stdlib_encode = _json.JSONEncoder(ensure_ascii=False, default=_fallback).encode

    def __call__(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> bytes | str:
        try:
            line = orjson.dumps(event_dict)
        except orjson.JSONEncodeError:
            # What orjson refuses (a value JSON cannot hold, non-str keys, ints over 64 bits, lone
            # surrogates) is rare: the stdlib encoder writes it, with reprs for the values.
            text = self._stdlib_encode(event_dict)
            return text if self._text else text.encode("utf-8", "backslashreplace")
        return line.decode() if self._text else line


class UTCTimeStamper:
    """`timestamp`: ISO 8601 in UTC with microseconds, e.g. 2010-12-30T08:00:00.123456Z."""

    def __init__(self) -> None:
        self._second_and_prefix = (-1, "")  # one tuple, swapped whole: threads never mix two seconds' parts

    def __call__(self, logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        second, micro = divmod(time.time_ns() // 1000, 1_000_000)
        cached = self._second_and_prefix
        if cached[0] != second:
            cached = self._second_and_prefix = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        event_dict["timestamp"] = f"{cached[1]}.{micro:06d}Z"
        return event_dict


class _JSONInfoLine:
    """An info event's line as the JSON processors below make it (event, level, timestamp, JSON),
    made and written directly: for the decision line, one per evaluation, the processor loop and
    a bound logger's plumbing (which re-packs the fields four times) cost more than the line."""

    def __init__(self, stamp: UTCTimeStamper, render: JSONLine, binary: Any, buffered: bool = False) -> None:
        self._stamp, self._render = stamp, render
        self._write, self._flush = binary.write, binary.flush
        # buffered (a server's workers): lines gathered across calls, written in PIPE_BUF-sized
        # writes when that much is held, else by a flusher FLUSH_SECONDS after, and at shutdown
        self._buffered = buffered
        self._lock = threading.Lock()
        # one chunk's write and flush at a time: two threads' chunks flushed together could pass
        # PIPE_BUF and interleave with another worker's lines
        self._write_lock = threading.Lock()
        self._pending: list[bytes] = []
        self._size = 0
        self._flusher: threading.Thread | None = None

    def __call__(self, event: str, fields: dict[str, Any]) -> None:
        fields["event"] = event
        fields["level"] = "info"
        self._stamp(None, "info", fields)
        line = cast(bytes, self._render(None, "info", fields)) + b"\n"  # a bytes JSONLine (text=False): see configure
        held = _held.get()
        if held is not None:
            held.append((self, line))
            return
        if not self._buffered:
            self._write(line)  # one write per line: lines never interleave
            self._flush()
            return
        with self._lock:
            self._pending.append(line)
            self._size += len(line)
            if self._size < _ATOMIC_WRITE:
                if self._flusher is None:
                    self._flusher = threading.Thread(target=self._flush_every, name="log-flusher", daemon=True)
                    self._flusher.start()
                return
            lines, self._pending, self._size = self._pending, [], 0
        self.write_lines(lines)

    def flush(self) -> None:
        """Write whatever lines are held (the flusher's tick, and shutdown)."""
        with self._lock:
            lines, self._pending, self._size = self._pending, [], 0
        if lines:
            self.write_lines(lines)

    def _flush_every(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def write_lines(self, lines: list[bytes]) -> None:
        """Whole lines in writes of at most PIPE_BUF bytes: a pipe takes each whole, so lines from
        several processes sharing it never interleave, in a few writes instead of one per line."""
        chunk: list[bytes] = []
        size = 0
        for line in lines:
            if chunk and size + len(line) > _ATOMIC_WRITE:
                self._write_chunk(b"".join(chunk))
                chunk, size = [], 0
            chunk.append(line)
            size += len(line)
        if chunk:
            self._write_chunk(b"".join(chunk))

    def _write_chunk(self, data: bytes) -> None:
        with self._write_lock:
            self._write(data)
            self._flush()


# A buffered writer's lines are out at most this long after they were made (see configure).
FLUSH_SECONDS = 0.02
# Writes up to this size to a pipe are atomic (POSIX PIPE_BUF; 4096 on Linux).
_ATOMIC_WRITE = getattr(select, "PIPE_BUF", 512)
# The lines held by the call running here: a thread's, or an asyncio task's (the grpc.aio worker
# runs many calls on one thread, each in its own context).
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("held_lines", default=None)


@contextlib.contextmanager
def held_lines() -> Iterator[None]:
    """Hold this thread's `info_line` lines until the block ends, then write them together.

    For EvaluateBatch: a write per decision line (a system call, and a wake-up of whatever reads
    the log) cost about a third of a batch's time; held, a hundred lines take a few writes. The
    lines are written when the block ends, errors included, so before the batch's answer is sent.
    """
    if _held.get() is not None:  # already held by an enclosing block
        yield
        return
    held: list[tuple[_JSONInfoLine, bytes]] = []  # each line with the writer that made it
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        writers = {id(writer): writer for writer, _ in held}
        for key, writer in writers.items():  # one, unless logging was configured again meanwhile
            writer.write_lines([line for w, line in held if id(w) == key])


def _through_processors(processors: list, logger: Any) -> Callable[[str, dict[str, Any]], None]:
    def info(event: str, fields: dict[str, Any]) -> None:
        fields["event"] = event
        line: Any = fields
        try:
            for processor in processors:
                line = processor(logger, "info", line)
        except structlog.DropEvent:
            return
        logger.msg(line)

    return info


def _unconfigured(event: str, fields: dict[str, Any]) -> None:
    structlog.get_logger().info(event, **fields)  # structlog's defaults, as every other logger here


_info: Callable[[str, dict[str, Any]], None] = _unconfigured
_stream: Any = None  # kept: a text stream closes its byte stream when it is collected


def flush() -> None:
    """Write the decision lines a buffered configuration holds (call before a process ends)."""
    flush_held = getattr(_info, "flush", None)
    if flush_held is not None:
        flush_held()


def configure(level: str = "info", json: bool = True, buffered: bool = False) -> None:
    """`buffered` (a server's workers): decision lines from all calls are gathered and written
    together, in PIPE_BUF-sized writes, at most FLUSH_SECONDS after they are made and at exit
    (`flush`): a write per call, which also wakes whatever reads the log, was a fifth of a
    worker's busy time on unary calls. A worker killed with -9 loses at most the last
    FLUSH_SECONDS of lines, never a half line; the decision record, not the log, is the account."""
    global _info, _stream
    numeric = getattr(logging, level.upper(), logging.INFO)
    stream = _stream = sys.stderr
    binary = getattr(stream, "buffer", None)
    stamp = UTCTimeStamper()
    if json and binary is not None:  # JSON as bytes: no str to decode and encode again
        renderer: Any = JSONLine()
        factory: Any = structlog.BytesLoggerFactory(file=binary)
    else:
        renderer = JSONLine(text=True) if json else structlog.dev.ConsoleRenderer()
        factory = structlog.WriteLoggerFactory(file=stream)
    # Nothing binds context variables, so no merge_contextvars (each call copies the context).
    # _JSONInfoLine makes the same line as these: keep the two in step.
    processors = [structlog.processors.add_log_level, stamp, renderer]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )
    if numeric > logging.INFO:
        _info = lambda event, fields: None  # noqa: E731
    elif json and binary is not None:
        previous = _info
        _info = _JSONInfoLine(stamp, renderer, binary, buffered=buffered)
        if buffered:
            atexit.register(_info.flush)
        flush_previous = getattr(previous, "flush", None)
        if flush_previous is not None:
            flush_previous()
    else:
        _info = _through_processors(processors, factory())


def info_line(event: str, fields: dict[str, Any]) -> None:
    """Log `fields` at info as `event`: the line `log.info(event, **fields)` writes, made more
    cheaply (see _JSONInfoLine). For the line every evaluation writes; takes `fields` over."""
    _info(event, fields)
