"""The evaluator's hook into the decision record: history in, the finished decision out.

`history` runs before a pack's derive functions: a ballot for a pack that reads history, sent
without one, gets the subject's earlier grades from the record (the latest decision of each
earlier year, under the same locality), and the decision names the decisions used.
`finished` turns a decision into a record (personal data pseudonymised) and commits it before
the answer goes; inside `batch()` the records are held and committed together at its end.
Inside `hold()` they are held for the caller to commit: the grpc.aio worker commits them off its
event loop (`LoopCommits`), grouped with the records of the other calls in flight.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple, cast

import orjson
import structlog
from google.protobuf import json_format

from ..domain.errors import InvalidArgument
from ..v1 import policyhub_pb2 as pb
from .base import Outcome, Pending, SQLStore, StoreUnavailable, WriterGone
from .pseudonym import Pseudonymiser, Replacer

log = structlog.get_logger("policyhub.store")


def _text(text: pb.Text) -> dict:
    return {k: v for k, v in (("zh", text.zh), ("en", text.en)) if v}


def _citation(citation: pb.Citation) -> dict:
    return {k: v for k, v in (("document", citation.document), ("clause", citation.clause)) if v}


def _items(pairs) -> dict:
    return {k: v for k, v in pairs if v}


def _violation(v: pb.Violation) -> dict:
    return _items((("rule_id", v.rule_id), ("severity", v.severity), ("path", v.path),
                   ("message", _text(v.message)), ("citation", _citation(v.citation))))


def _grade(g: pb.Grade) -> dict:
    return _items((("scheme", g.scheme), ("code", g.code), ("label", _text(g.label)), ("rule_id", g.rule_id),
                   ("citation", _citation(g.citation))))


def _consequence(c: pb.Consequence) -> dict:
    return _items((("code", c.code), ("label", _text(c.label)), ("rule_id", c.rule_id), ("citation", _citation(c.citation)),
                   ("params", json_format.MessageToDict(c.params) if c.HasField("params") else None)))


# An item's JSON by its wire bytes (subject id aside): a rule's violations, grades and consequences
# repeat across decisions, so most are found here rather than built field by field. Read-only dicts.
_ITEMS: dict[bytes, dict] = {}
_ITEMS_MAX = 16384


def _item(message, build) -> dict:
    key = message.SerializeToString()
    found = _ITEMS.get(key)
    if found is None:
        if len(_ITEMS) >= _ITEMS_MAX:
            _ITEMS.clear()
        found = _ITEMS[key] = build(message)
    return found


def _with_subject(message, build) -> dict:
    subject = message.subject_id
    if not subject:
        return _item(message, build)
    message.subject_id = ""  # the decision was parsed for this: changing it changes nothing sent
    return {"subject_id": subject, **_item(message, build)}


def decision_dict(decision: pb.Decision) -> dict:
    """The decision's canonical JSON (json_format's, defaults left out, the trace too), written out:
    json_format's generic walk cost more than everything else the record does per decision.
    Consumes `decision` (its subject ids are cleared on the way)."""
    out: dict[str, Any] = _items((("decision_id", decision.decision_id), ("request_id", decision.request_id)))
    pack = decision.pack
    out["pack"] = _items((("id", pack.id), ("version", pack.version), ("digest", pack.digest)))
    if decision.compliant:
        out["compliant"] = True
    if decision.violations:
        out["violations"] = [_item(v, _violation) for v in decision.violations]
    if decision.notes:
        out["notes"] = [_item(n, _violation) for n in decision.notes]
    if decision.grades:
        out["grades"] = [_with_subject(g, _grade) for g in decision.grades]
    if decision.consequences:
        out["consequences"] = [_with_subject(c, _consequence) for c in decision.consequences]
    if decision.history_refs:
        out["history_refs"] = list(decision.history_refs)
    if decision.history_source:
        out["history_source"] = decision.history_source
    return out


def stored_wire(row: dict) -> bytes:
    """A record's decision as wire bytes (what a retried request is answered with)."""
    decision = pb.Decision()
    json_format.ParseDict(orjson.loads(row["decision"]), decision)
    return decision.SerializeToString()


def subject_key(ballot: dict) -> str:
    """Who a ballot grades: the subject's id, else name (as the packs' own rules take it)."""
    subject = ballot.get("subject") or {}
    return str(subject.get("id") or subject.get("name") or "")


def canonical_input(request: pb.EvaluateRequest) -> bytes:
    """The request as idempotency compares it: deterministic wire bytes, request id and trace left out."""
    if not request.request_id and not request.trace:
        return request.SerializeToString(deterministic=True)
    copy = pb.EvaluateRequest()
    copy.CopyFrom(request)
    copy.ClearField("request_id")
    copy.ClearField("trace")
    return copy.SerializeToString(deterministic=True)


class RecordParts(NamedTuple):
    """What a record is built from, cheap to make and to pickle (the record writer process gets
    these): the request's and the decision's wire bytes, the already normalised submission, the
    fired rules' ids with their facts (in rule order)."""

    request: bytes | pb.EvaluateRequest  # the message itself when built in the worker (no copy)
    kind: str
    pack: tuple[str, str, str, str]  # id, version, digest, locality
    trace: list[tuple[str, Any]]
    submission: dict
    decision: bytes
    decision_id: str
    day: Any  # dt.date | None
    history_source: str


def ballot_place(submission: dict, day, grades) -> tuple[str, Any, str]:
    """A ballot's subject (its clear key), year, and the grade the decision gave that subject, from
    `grades` as (subject id, code) pairs: what its record keeps and what history is read by."""
    year = submission.get("year") or (day.year if day else None)
    clear_id = str((submission.get("subject") or {}).get("id", ""))
    return subject_key(submission), year, next((code for subject_id, code in grades if subject_id == clear_id), "")


def record_parts(done, to_send: bool = True) -> RecordParts:
    """`to_send`: for a writer process (the request as wire bytes), else for `build_pending` here."""
    pack, rules = done.pack, done.pack.rules
    return RecordParts(done.request.SerializeToString() if to_send else done.request, done.kind, (pack.id, pack.version, pack.digest, pack.locality),
                       [(rules[match.rule_index].id, match.fact) for match in done.matches], done.submission,
                       done.wire, done.decision_id, done.day, done.history_source)


def build_pending(pseudonymise: Pseudonymiser, parts: RecordParts) -> Pending:
    """The record of a decision (personal data pseudonymised), before its place in the chain: the
    same bytes whether built in the worker (inline) or in the record writer process."""
    request = parts.request if isinstance(parts.request, pb.EvaluateRequest) else pb.EvaluateRequest.FromString(parts.request)
    kind = parts.kind
    pack_id, pack_version, pack_digest, pack_locality = parts.pack
    clear_submission = parts.submission
    submission, replaced = pseudonymise.submission(kind, clear_submission)
    replace = Replacer(replaced).json
    decision = decision_dict(pb.Decision.FromString(parts.decision))
    trace: list[dict[str, Any]] = []
    for rule_id, fact in parts.trace:  # in rule order
        if not trace or trace[-1]["rule_id"] != rule_id:
            trace.append({"rule_id": rule_id, "matched": []})
        trace[-1]["matched"].append(fact)
    stored_input: dict[str, Any] = {name: value for name, value in
                                    (("pack", request.pack), ("locality", request.locality), ("date", request.date)) if value}
    stored_input[kind] = submission
    subject, year, grade = "", None, ""
    locality = request.locality or pack_locality
    if kind == "ballot":
        clear, year, grade = ballot_place(clear_submission, parts.day,
                                          ((g.get("subject_id", ""), g.get("code", "")) for g in decision.get("grades", ())))
        subject = pseudonymise(clear) if clear else ""
    row = {
        "decision_id": parts.decision_id, "request_id": request.request_id, "as_of": request.date,
        "locality": locality, "pack_id": pack_id, "pack_version": pack_version, "pack_digest": pack_digest,
        "kind": kind, "subject": subject, "year": int(year) if year else None, "grade": grade, "supersedes": "",
        "history_source": parts.history_source, "input_digest": pseudonymise.digest(canonical_input(request)),
        # personal values the walk replaced by field are replaced again wherever free text repeats them
        "input": replace(orjson.dumps(stored_input).decode()), "decision": replace(orjson.dumps(decision).decode()),
        "trace": replace(orjson.dumps(trace).decode()),
    }
    slot = (locality, subject, kind, int(year)) if subject and year else None
    return Pending(row, slot)


class _Slot:
    """A call's record in the group commit. `done` is a bare lock, held from the start and released
    once (its record committed, or the lead handed to it): a follower's wait is one acquire, where
    an Event built a Condition and a waiter lock per call."""

    __slots__ = ("pending", "outcome", "error", "lead", "done")

    def __init__(self, pending: Pending) -> None:
        self.pending, self.lead = pending, False
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None
        self.done = threading.Lock()
        self.done.acquire()

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        return cast(Outcome, self.outcome)  # set whenever the group's commit raised no error


class GroupCommit:
    """Unary calls answered by one worker's threads share commits: the first to arrive commits what
    is queued by then, the others wait for it; whoever queued meanwhile goes next, as one commit.
    A commit (a lock, WAL writes, and an fsync with synchronous=full) is much of what a record costs:
    shared by the calls in flight, it costs each of them a fraction, and no call is answered before
    its record is committed."""

    def __init__(self, append) -> None:
        self.append = append
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._busy = False

    def submit(self, pending: Pending) -> Outcome:
        slot = _Slot(pending)
        with self._lock:
            self._queue.append(slot)
            lead = not self._busy
            self._busy = True
        if not lead:
            slot.done.acquire()  # until its commit is done, or the lead is handed to it
            if not slot.lead:
                return slot.result()
        with self._lock:  # the leader: everything queued so far, its own record included
            group, self._queue = self._queue, []
        outcomes: list[Outcome] | None
        error: BaseException | None
        try:
            outcomes, error = self.append([s.pending for s in group]), None
        except BaseException as exc:  # the store is down: every call of the group fails alike
            outcomes, error = None, exc
        for index, member in enumerate(group):
            member.outcome = outcomes[index] if outcomes is not None else None
            member.error = error
            if member is not slot:
                member.done.release()
        with self._lock:
            if self._queue:  # queued during this commit: hand the lead to the first of them
                follower = self._queue[0]
                follower.lead = True
                follower.done.release()
            else:
                self._busy = False
        return slot.result()


class LoopCommits:
    """GroupCommit for an event loop: the calls' records are committed by one writer thread, never
    on the loop, so a commit does not hold up the other calls; whatever is queued while a commit
    runs goes as the next one. All of it runs on the loop's thread except `append`."""

    def __init__(self, append) -> None:
        self.append = append
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="record-writer")
        self._queue: list[tuple[list[Pending], asyncio.Future]] = []
        self._busy = False

    async def submit(self, pending: list[Pending]) -> list[Outcome]:
        """Commit `pending` (one call's records, all or none); their outcomes once committed."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append((pending, future))
        if not self._busy:
            self._next()
        return await future

    def _next(self) -> None:
        group, self._queue = self._queue, []
        self._busy = True
        records = [p for pending, _ in group for p in pending]
        commit = asyncio.get_running_loop().run_in_executor(self._writer, self.append, records)
        commit.add_done_callback(lambda done: self._settle(group, done))

    def _settle(self, group, done: asyncio.Future) -> None:
        error = done.exception()  # the store is down: every call of the group fails alike
        outcomes: list[Outcome] = [] if error is not None else done.result()  # read only when no error
        start = 0
        for pending, future in group:
            if future.cancelled():  # its call has gone (deadline, cancel); the records stay committed
                pass
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(outcomes[start:start + len(pending)])
            start += len(pending)
        if self._queue:
            self._next()
        else:
            self._busy = False

    def close(self) -> None:
        self._writer.shutdown(wait=True)


class Graded(NamedTuple):
    """A held ballot's place in its subject's history, as its record will hold it (build_pending)."""

    locality: str
    subject: str  # pseudonym
    kind: str
    year: int
    grade: str
    decision_id: str
    request_id: str


@dataclass
class Batch:
    index: int = 0
    held: list[tuple[int, Any, bytes]] = field(default_factory=list)  # a Pending, or RecordParts for a writer
    outcomes: dict[int, tuple[Outcome, bytes, dict | None]] = field(default_factory=dict)
    # the held ballots of packs reading history, in the order decided: read by the items after them
    graded: list[Graded] = field(default_factory=list)


class Recorder:
    def __init__(self, store: SQLStore, pseudonymise: Pseudonymiser, writer=None) -> None:
        self.store = store
        self.pseudonymise = pseudonymise
        # A record writer process (writer.WriterClient) builds and commits the records; None: here.
        self.writer = writer
        # the records held by the call running here (a thread, or an asyncio task)
        self._held: contextvars.ContextVar[Batch | None] = contextvars.ContextVar("held_records", default=None)
        self._health_lock = threading.Lock()
        self.healthy = True
        self.on_health = None  # called with True/False when the store goes down or comes back
        self._commits = GroupCommit(lambda pending: self._guard(self.store.append, pending, True))
        self._loop_commits: LoopCommits | None = None

    # -- before derive --------------------------------------------------------------------------
    def history(self, pack, kind: str, request: pb.EvaluateRequest, submission: dict, day) -> tuple[str, list[str]] | None:
        if kind != "ballot" or not getattr(pack, "reads_history", False):
            return None
        if submission.get("history"):
            return "request", []
        subject = subject_key(submission)
        year = submission.get("year") or (day.year if day else None)
        if not subject or not year:
            return "record", []
        locality, pseudonym = request.locality or pack.locality, self.pseudonymise(subject)
        entries = self._guard(self.store.history, locality, pseudonym, kind, int(year))
        batch = self._held.get()
        if batch is not None and batch.graded:  # the same batch's (or stream group's) earlier ballots
            held = [g for g in batch.graded if (g.locality, g.subject, g.kind) == (locality, pseudonym, kind) and g.year < int(year)]
            retried = {g.request_id for g in held if g.request_id}
            if retried:  # a retry is answered with its recorded decision, which the store gave already
                recorded = self._guard(self.store.recorded_request_ids, retried)
                held = [g for g in held if g.request_id not in recorded]
            entries = _with_held(entries, held)
        if entries:
            submission["history"] = [{"year": y, "grade": grade} for y, grade, _ in entries]
        return "record", [decision_id for _, _, decision_id in entries]

    # -- after the decision is made ---------------------------------------------------------------
    def finished(self, done) -> bytes:
        self._guard(self.store.archive_pack, done.pack.digest, done.pack.id, done.pack.version, done.pack.files)
        batch = self._held.get()
        if batch is not None and done.kind == "ballot" and getattr(done.pack, "reads_history", False):
            graded = self._graded(done)
            if graded is not None and not (graded.request_id and any(g.request_id == graded.request_id for g in batch.graded)):
                batch.graded.append(graded)  # (a request id twice in one batch: the first is the record)
        if batch is None:  # a unary call on a thread: built and committed here, grouped with its
            # neighbours' (a writer process's round trip costs the worker more than it saves here)
            pending = self.pending(done)
            return answer(self._commits.submit(pending), done.wire, pending.row)
        # held for a batch, a stream's group or the event loop: with a writer, only the parts
        batch.held.append((batch.index, record_parts(done) if self.writer is not None else self.pending(done), done.wire))
        return done.wire

    def _write(self, items: list) -> list[Outcome]:
        """Commit held records (Pending, or RecordParts when a writer is configured): by the writer
        process when one is ready, else here. Each outcome not `recorded` carries its own row."""
        if self.writer is not None and self.writer.ready:
            return self.writer.append(items)
        pending = [item if isinstance(item, Pending) else build_pending(self.pseudonymise, item) for item in items]
        outcomes = self.store.append(pending)
        for outcome, item in zip(outcomes, pending):
            outcome.own = item.row
        return outcomes

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Hold the records of the calls inside; commit them together (all or none) at the end."""
        with self.hold() as batch:
            yield batch
        if batch.held:
            self._settled(batch, self._guard(self._write, [item for _, item, _ in batch.held]))

    @contextmanager
    def hold(self) -> Iterator[Batch]:
        """Hold the records of the calls inside, for `commit` (on an event loop) to commit."""
        batch = Batch()
        token = self._held.set(batch)
        try:
            yield batch
        finally:
            self._held.reset(token)

    async def commit(self, batch: Batch) -> None:
        """Commit what `hold` held, off the event loop and grouped with the other calls' records;
        returns once it is committed (StoreUnavailable if it could not be)."""
        if not batch.held:
            return
        if self._loop_commits is None:
            self._loop_commits = LoopCommits(lambda items: self._guard(self._write, items))
        self._settled(batch, await self._loop_commits.submit([pending for _, pending, _ in batch.held]))

    @staticmethod
    def _settled(batch: Batch, outcomes: list[Outcome]) -> None:
        batch.outcomes = {index: (outcome, wire, outcome.own) for (index, _, wire), outcome in zip(batch.held, outcomes)}

    def close(self) -> None:
        """Wait for the writer's last commit (a worker stopping)."""
        if self._loop_commits is not None:
            self._loop_commits.close()
        if self.writer is not None:
            self.writer.close()

    def _graded(self, done) -> Graded | None:
        """A held ballot's place in its subject's history, for the later items of its batch or group,
        which read it before it is committed."""
        clear, year, grade = ballot_place(done.submission, done.day,
                                          ((g.subject_id, g.code) for g in pb.Decision.FromString(done.wire).grades))
        if not clear or not year:
            return None
        return Graded(done.request.locality or done.pack.locality, self.pseudonymise(clear), done.kind, int(year), grade,
                      done.decision_id, done.request.request_id)

    def pending(self, done) -> Pending:
        return build_pending(self.pseudonymise, record_parts(done, to_send=False))

    def _guard(self, call, *args):
        """A store call; a failure flips health to NOT_SERVING until a probe finds the store again."""
        try:
            result = call(*args)
        except StoreUnavailable as exc:
            if not isinstance(exc, WriterGone):  # (a writer's death says nothing of the store)
                self._set_health(False, str(exc))
            raise
        if not self.healthy:
            self._set_health(True, "")
        return result

    def _set_health(self, healthy: bool, why: str) -> None:
        with self._health_lock:
            if self.healthy == healthy:
                return
            self.healthy = healthy
        if healthy:
            self.store.renew_connections()
            if self.writer is not None:
                self.writer.renew()
            log.info("decision_store_available")
        else:
            log.error("decision_store_unavailable", error=why)
        if self.on_health is not None:
            self.on_health(healthy)

    def probe(self) -> bool:
        """Try the store (while it is down): True, and health back to SERVING, once it answers."""
        try:
            self._guard(self.store.ping)
        except StoreUnavailable:
            return False
        return True


def _same_decision(recorded: str, again: str) -> bool:
    drop = ("decision_id",)
    first, second = orjson.loads(recorded), orjson.loads(again)
    return {k: v for k, v in first.items() if k not in drop} == {k: v for k, v in second.items() if k not in drop}


def _with_held(entries: list[tuple[int, str, str]], held: list[Graded]) -> list[tuple[int, str, str]]:
    """The stored history (store.history's (year, grade, decision id)) with the same batch's earlier
    decisions of the subject laid over it: each is later than anything stored, so it is its year's
    latest (a year whose latest decision graded nobody drops out, as in store.history)."""
    latest = {year: (grade, decision_id) for year, grade, decision_id in entries}
    for graded in held:
        latest[graded.year] = (graded.grade, graded.decision_id)
    return [(year, grade, decision_id) for year, (grade, decision_id) in sorted(latest.items()) if grade]


def answer(outcome: Outcome, wire: bytes, row: dict | None = None) -> bytes:
    """What a call answers once its record's outcome is known. A retry (same request id, same
    input) was evaluated again: when that decision is the recorded one it is answered in clear under
    the recorded decision id; otherwise (the packs changed since) the recorded decision is, as stored."""
    if outcome.status == "recorded":
        return wire
    assert outcome.row is not None
    if outcome.status == "stored":
        if row is not None and _same_decision(outcome.row["decision"], row["decision"]):
            decision = pb.Decision.FromString(wire)
            decision.decision_id = outcome.row["decision_id"]
            return decision.SerializeToString()
        return stored_wire(outcome.row)
    raise InvalidArgument([("request_id", f"already used for a different request (decision {outcome.row['decision_id']});"
                                          " a request id names one request")])
