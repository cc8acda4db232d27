"""The record writer: a process beside each worker that builds and commits the worker's records.

Building a record (the decision's JSON, the pseudonymising walk, the chain hash) and committing it
is Python under a GIL; in the worker it held up the evaluations, with the machine's other core
idle. The worker sends each call's records as cheap parts (`recorder.RecordParts`: wire bytes,
dicts, ids) over a pipe and waits for the answer, which releases its GIL. The writer takes every
message waiting, builds their records with the code the inline path uses (`recorder.build_pending`,
so the rows are the same bytes) and commits them as one transaction (all or none: a failed commit
fails every call of the group alike), then answers each call with its records' outcomes.

A writer that dies fails every call waiting on it with StoreUnavailable (never an answer without a
record) and the next call starts a new one. A worker that dies closes the pipe: the writer finishes
the commit it is in (its calls were not answered) and exits at the end of the pipe.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import threading
from typing import Any

import structlog

from .base import Outcome, StoreUnavailable
from .config import StoreConfig, open_store

log = structlog.get_logger("policyhub.store")


def _answer_of(outcome: Outcome, row: dict) -> tuple:
    """What goes back per record: the status; the stored row and this record's decision JSON only
    when it was not recorded (a retried request id is answered from them: recorder.answer)."""
    if outcome.status == "recorded":
        return ("recorded",)
    return (outcome.status, outcome.row, {"decision": row["decision"]})


def writer_main(config: StoreConfig, conn) -> None:
    """The writer process: messages (call id, [RecordParts]) in, (call id, kind, payload) out."""
    from .recorder import build_pending

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the worker decides
    store, pseudonymise = open_store(config)  # the supervisor migrated it
    stopping = False
    while not stopping:
        try:
            group = [conn.recv()]
            while conn.poll():  # everything already waiting goes in the same commit
                group.append(conn.recv())
        except (EOFError, OSError):  # the worker is gone (or closed the pipe): nothing left to answer
            break
        answers: list[tuple] = []
        built: list[tuple[int, list]] = []
        for call, parts in group:
            if parts == "stop":  # the worker is stopping: answer what came before, then exit
                stopping = True
                continue
            if parts is None:  # the worker found the store back after an outage: fresh connections
                store.renew_connections()
                continue
            try:
                built.append((call, [build_pending(pseudonymise, part) for part in parts]))
            except Exception as exc:  # a bug of ours: that call fails, the others are committed
                answers.append((call, "error", f"{type(exc).__name__}: {exc}"))
        pending = [p for _, items in built for p in items]
        try:
            outcomes = store.append(pending, shared=True) if pending else []
        except StoreUnavailable as exc:
            answers += [(call, "unavailable", str(exc)) for call, _ in built]
        except Exception as exc:
            answers += [(call, "error", f"{type(exc).__name__}: {exc}") for call, _ in built]
        else:
            start = 0
            for call, items in built:
                mine = outcomes[start:start + len(items)]
                answers.append((call, "ok", [_answer_of(o, p.row) for o, p in zip(mine, items)]))
                start += len(items)
        try:
            for item in answers:
                conn.send(item)
        except (BrokenPipeError, OSError):
            break
    store.close()


class _Waiter:
    __slots__ = ("done", "kind", "payload")

    def __init__(self) -> None:
        self.done = threading.Lock()
        self.done.acquire()
        self.kind = "unavailable"
        self.payload: Any = "decision record writer stopped"


class WriterClient:
    """The worker's end: `append(parts)` from any thread (or a LoopCommits thread), blocking until
    the writer has committed them; a dispatcher thread wakes each waiter with its answer."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._context = multiprocessing.get_context("spawn")  # never fork after gRPC is imported
        self._lock = threading.Lock()  # guards the process, the pipe's sending end and the waiters
        self._waiters: dict[int, _Waiter] = {}  # the running writer's calls (each writer its own dict)
        self._calls = itertools.count(1)
        self._conn: Any = None
        self._process: Any = None
        self.start()

    def start(self) -> None:
        """Start a writer when none runs (the first, or after one died)."""
        with self._lock:
            if self._process is not None and self._process.is_alive() and self._conn is not None:
                return
            ours, theirs = self._context.Pipe()
            process = self._context.Process(target=writer_main, args=(self.config, theirs),
                                            name="policyhub-record-writer", daemon=True)
            process.start()
            theirs.close()
            self._conn, self._process, self._waiters = ours, process, {}
            waiters = self._waiters
        log.info("decision_record_writer_started", pid=process.pid)
        threading.Thread(target=self._dispatch, args=(ours, process, waiters), name="record-writer-answers",
                         daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive() and self._conn is not None

    def append(self, parts: list) -> list[Outcome]:
        """Commit these records (one call's: all or none); their outcomes. StoreUnavailable when the
        store or the writer could not."""
        waiter = _Waiter()
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StoreUnavailable("decision record writer not running")
            call = next(self._calls)
            self._waiters[call] = waiter
            try:
                conn.send((call, parts))
            except (BrokenPipeError, OSError, ValueError) as exc:
                self._waiters.pop(call, None)
                self._conn = None
                raise StoreUnavailable(f"decision record writer gone: {exc}") from None
        waiter.done.acquire()  # a lock's wait releases the GIL
        if waiter.kind == "ok":
            answers: list[tuple] = waiter.payload
            return [Outcome("recorded") if answer[0] == "recorded" else Outcome(answer[0], answer[1], own=answer[2])
                    for answer in answers]
        if waiter.kind == "unavailable":
            raise StoreUnavailable(waiter.payload)
        raise RuntimeError(f"decision record writer: {waiter.payload}")

    def renew(self) -> None:
        """The store is back after an outage: the writer opens new connections (its own may have
        died in the outage without a commit of its failing)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send((0, None))
                except (BrokenPipeError, OSError, ValueError):
                    self._conn = None

    def _dispatch(self, conn, process, waiters: dict[int, _Waiter]) -> None:
        while True:
            try:
                call, kind, payload = conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                waiter = waiters.pop(call, None)
            if waiter is not None:
                waiter.kind, waiter.payload = kind, payload
                waiter.done.release()
        # The writer is gone: whoever still waits on it fails (their records may or may not be
        # committed; they are not answered), and the next call or probe starts a new writer.
        with self._lock:
            if self._conn is conn:
                self._conn = None
            waiting = dict(waiters)
            waiters.clear()
        if waiting:
            log.error("decision_record_writer_died", pid=process.pid, exitcode=process.exitcode, waiting=len(waiting))
        for waiter in waiting.values():
            waiter.done.release()
        try:
            conn.close()
        except OSError:
            pass

    def close(self, timeout: float = 10.0) -> None:
        """Ask the writer to stop: it answers what it holds, then exits. (Closing the pipe alone
        would not end it: the dispatcher's blocked read keeps the socket open.)"""
        with self._lock:
            conn, process, self._conn = self._conn, self._process, None
            if conn is not None:
                try:
                    conn.send((0, "stop"))
                except (BrokenPipeError, OSError, ValueError):
                    pass
        if process is not None:
            process.join(timeout)
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
