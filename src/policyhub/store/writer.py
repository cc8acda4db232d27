"""The record writer: a process beside each worker that builds and commits the worker's records.

Building a record (the decision's JSON, the pseudonymising walk, the chain hash) and committing it
is Python under a GIL; in the worker it held up the evaluations. The worker sends each call's
records as cheap parts (`recorder.RecordParts`: wire bytes, dicts, ids) down a pipe of its own and
reads the answer from it, which releases its GIL. The writer takes every message waiting on any
pipe, builds their records with the code the inline path uses (`recorder.build_pending`, so the
rows are the same bytes) and commits them as one transaction (all or none: a failed commit fails
every call of the group alike), then answers each call with its records' outcomes.

A writer that dies fails the calls waiting on it with WriterGone, a StoreUnavailable (never an
answer without a record; the store may be fine, so health is left alone); the first of them starts
a successor in the background, and the recorder commits itself until it is ready. A worker that
dies or stops closes its pipes: the writer finishes the commit it is in (its calls were not
answered) and exits once all are closed.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import signal
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any, cast

import structlog

from .base import Outcome, StoreUnavailable, WriterGone
from .config import StoreConfig, open_store

log = structlog.get_logger("policyhub.store")

READY = b"ready"  # the writer's first message, once its store is open


def _answer_of(outcome: Outcome, row: dict) -> tuple:
    """What goes back per record: the status; the stored row and this record's decision JSON only
    when it was not recorded (a retried request id is answered from them: recorder.answer)."""
    if outcome.status == "recorded":
        return ("recorded",)
    return (outcome.status, outcome.row, {"decision": row["decision"]})


def writer_main(config: StoreConfig, conns: list) -> None:
    """The writer process: on each of its pipes, RecordParts lists in, answers out (one in flight
    per pipe: its caller waits for the answer). Everything waiting on any pipe is one commit."""
    from .recorder import build_pending

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the worker decides
    store, pseudonymise = open_store(config)  # the supervisor migrated it
    conns[0].send_bytes(READY)
    open_conns = list(conns)
    while open_conns:
        group: list[tuple[Any, Any]] = []
        for conn in cast(list[Connection], wait(open_conns)):
            try:
                group.append((conn, pickle.loads(conn.recv_bytes())))
            except (EOFError, OSError):  # the worker closed this pipe (it is stopping, or gone)
                open_conns.remove(conn)
        answers: list[tuple] = []
        built: list[tuple[Any, list]] = []
        for conn, parts in group:
            if parts is None:  # the worker found the store back after an outage: fresh connections
                store.renew_connections()
                answers.append((conn, ("ok", [])))
                continue
            try:
                built.append((conn, [build_pending(pseudonymise, part) for part in parts]))
            except Exception as exc:  # a bug of ours: that call fails, the others are committed
                answers.append((conn, ("error", f"{type(exc).__name__}: {exc}")))
        pending = [p for _, items in built for p in items]
        try:
            outcomes = store.append(pending, shared=True) if pending else []
        except StoreUnavailable as exc:
            answers += [(conn, ("unavailable", str(exc))) for conn, _ in built]
        except Exception as exc:
            answers += [(conn, ("error", f"{type(exc).__name__}: {exc}")) for conn, _ in built]
        else:
            start = 0
            for conn, items in built:
                mine = outcomes[start:start + len(items)]
                answers.append((conn, ("ok", [_answer_of(o, p.row) for o, p in zip(mine, items)])))
                start += len(items)
        for conn, answer in answers:
            try:
                conn.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:  # that caller's worker end is gone
                if conn in open_conns:
                    open_conns.remove(conn)
    store.close()


class _Pipes:
    """One running writer: its process and the worker's ends of its pipes, lent to one call at a
    time (a call sends its parts and reads its own answer: no thread in between)."""

    def __init__(self, process, ends: list) -> None:
        self.process = process
        self.ends = ends
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        for end in ends:
            self.free.put(end)
        self.broken = False  # a pipe found the writer gone


class WriterClient:
    """The worker's end: `append(parts)` from any thread (a batch's, a stream's, the event loop's
    commit thread), blocking until the writer has committed them.

    The writer is started in the background (`start`): until it has said it is ready, and again
    from the moment one is found gone until its successor is ready, `ready` is False and the
    recorder builds and commits its records itself, so neither start-up nor a writer's death
    holds a call up. Each call borrows one of PIPES pipes for its round trip (a call that finds
    none free waits for one): a pickled tuple each way, with no thread in between.
    """

    PIPES = 16  # more than a worker's threads ever write at once (8 by default), so few ever wait

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._context = multiprocessing.get_context("spawn")  # never fork after gRPC is imported
        self._lock = threading.Lock()  # guards starting and closing
        self._pipes: _Pipes | None = None  # the ready writer's, else None
        self._starting = False
        self._closed = False

    @property
    def ready(self) -> bool:
        pipes = self._pipes
        return pipes is not None and not pipes.broken

    def start(self) -> None:
        """Start a writer in the background, unless one is ready or starting."""
        with self._lock:
            if self._closed or self._starting or self.ready:
                return
            self._starting = True
        threading.Thread(target=self._start, name="record-writer-start", daemon=True).start()

    def _start(self) -> None:
        process = None
        try:
            pairs = [self._context.Pipe() for _ in range(self.PIPES)]
            process = self._context.Process(target=writer_main, args=(self.config, [theirs for _, theirs in pairs]),
                                            name="policyhub-record-writer", daemon=True)
            process.start()
            for _, theirs in pairs:
                theirs.close()
            ends = [ours for ours, _ in pairs]
            if ends[0].recv_bytes() != READY:  # its store is open: calls can go to it
                raise OSError("the record writer did not say it was ready")
        except (EOFError, OSError) as exc:
            log.error("decision_record_writer_failed_to_start", error=f"{type(exc).__name__}: {exc}")
            with self._lock:
                self._starting = False
            if process is not None:
                process.kill()
            return  # the recorder keeps writing itself; the next batch tries again
        with self._lock:
            self._starting = False
            if self._closed:
                _close_ends(_Pipes(process, ends))
                return
            self._pipes = _Pipes(process, ends)
        log.info("decision_record_writer_started", pid=process.pid)

    def wait_ready(self, timeout: float) -> bool:
        """For tests and benchmarks: True once a writer is ready."""
        deadline = time.monotonic() + timeout
        while not self.ready:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    @property
    def pid(self) -> int | None:
        return self._pipes.process.pid if self._pipes is not None else None

    def append(self, parts: list) -> list[Outcome]:
        """Commit these records (one call's: all or none) through the ready writer; their outcomes.
        StoreUnavailable when the store or the writer could not (a writer found gone is replaced)."""
        pipes = self._pipes
        if pipes is None or pipes.broken:
            raise StoreUnavailable("decision record writer not ready")
        end = pipes.free.get()
        try:
            end.send_bytes(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL))
            kind, payload = pickle.loads(end.recv_bytes())  # blocking in a read releases the GIL
        except (EOFError, OSError) as exc:
            self._gone(pipes, exc)
            raise WriterGone(f"decision record writer gone: {type(exc).__name__}") from None
        finally:
            pipes.free.put(end)
        if kind == "ok":
            answers: list[tuple] = payload
            return [Outcome("recorded") if answer[0] == "recorded" else Outcome(answer[0], answer[1], own=answer[2])
                    for answer in answers]
        if kind == "unavailable":
            raise StoreUnavailable(payload)
        raise RuntimeError(f"decision record writer: {payload}")

    def _gone(self, pipes: _Pipes, exc: BaseException) -> None:
        with self._lock:
            if pipes.broken:
                return
            pipes.broken = True
            if self._pipes is pipes:
                self._pipes = None
        log.error("decision_record_writer_died", pid=pipes.process.pid, error=type(exc).__name__)
        self.start()  # (the calls still waiting on the dead one read the end of their pipes)

    def renew(self) -> None:
        """The store is back after an outage: the writer opens new connections (its own may have
        died in the outage without a commit of its failing)."""
        try:
            self.append(None)  # type: ignore[arg-type]  # the writer's "renew" message
        except StoreUnavailable:
            pass

    def close(self, timeout: float = 10.0) -> None:
        """The writer ends once every pipe is closed (it answers what it holds first)."""
        with self._lock:
            pipes, self._pipes, self._closed = self._pipes, None, True
        if pipes is not None:
            _close_ends(pipes)
            pipes.process.join(timeout)


def _close_ends(pipes: _Pipes) -> None:
    for end in pipes.ends:
        try:
            end.close()
        except OSError:
            pass
