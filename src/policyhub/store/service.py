"""policyhub.v1.Decisions: the record looked up, replayed and verified, on the admin address."""

from __future__ import annotations

import datetime as dt

import grpc
import orjson
from google.protobuf import json_format

from ..domain.errors import InvalidArgument, PolicyError
from ..v1 import decisions_pb2 as dpb
from ..v1 import decisions_pb2_grpc
from ..v1 import policyhub_pb2 as pb
from . import chain
from .base import SQLStore
from .pseudonym import Pseudonymiser

DEFAULT_PAGE = 50
MAX_PAGE = 1000


def record_message(row: dict) -> dpb.DecisionRecord:
    record = dpb.DecisionRecord(
        seq=row["seq"], decision_id=row["decision_id"], request_id=row["request_id"], recorded_at=row["recorded_at"],
        as_of=row["as_of"], locality=row["locality"],
        pack=pb.PackRef(id=row["pack_id"], version=row["pack_version"], digest=row["pack_digest"]),
        kind=row["kind"], subject=row["subject"], year=row["year"] or 0, grade=row["grade"],
        supersedes=row["supersedes"], history_source=row["history_source"], input_digest=row["input_digest"],
        prev_hash=row["prev_hash"], hash=row["hash"],
    )
    record.input.update(orjson.loads(row["input"]))
    json_format.ParseDict(orjson.loads(row["decision"]), record.decision)
    record.trace.extend(orjson.loads(row["trace"]))
    return record


def _instant(field: str, value: str) -> str:
    """A filter's date or date-time, as recorded_at compares (ISO 8601, UTC)."""
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgument([(field, f"not an ISO 8601 date or date-time: {value!r}")]) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed.isoformat(timespec="microseconds") + "Z"


def list_filters(request: dpb.ListDecisionsRequest, pseudonymise: Pseudonymiser | None) -> tuple[dict, int, int]:
    """(filters, after seq, page size) from a ListDecisionsRequest; bad fields are InvalidArgument."""
    problems = []
    if request.subject and request.subject_id:
        problems.append(("subject_id", "give subject (a pseudonym) or subject_id, not both"))
    if request.subject and not request.subject.startswith("pn:"):
        problems.append(("subject", "a pseudonym starts with 'pn:' (for a clear id use subject_id)"))
    if request.page_size < 0 or request.page_size > MAX_PAGE:
        problems.append(("page_size", f"from 1 to {MAX_PAGE} (0: {DEFAULT_PAGE}), got {request.page_size}"))
    after = 0
    if request.page_token:
        try:
            after = int(request.page_token)
        except ValueError:
            problems.append(("page_token", "not a token this service gave"))
    filters: dict = {"locality": request.locality, "kind": request.kind}
    if request.kind and request.kind not in ("pledge", "meeting", "log", "ballot"):
        problems.append(("kind", f"one of pledge, meeting, log, ballot, got {request.kind!r}"))
    subject = request.subject or (pseudonymise(request.subject_id) if request.subject_id and pseudonymise else "")
    filters["subject"] = subject
    pack_id, _, version = request.pack.partition("@")
    filters["pack_id"], filters["pack_version"] = pack_id, version
    for field in ("recorded_from", "recorded_to"):
        value = getattr(request, field)
        if value:
            try:
                filters[field] = _instant(field, value)
            except InvalidArgument as exc:
                problems.extend(exc.violations)
    if problems:
        raise InvalidArgument(problems)
    return filters, after, request.page_size or DEFAULT_PAGE


class DecisionsServicer(decisions_pb2_grpc.DecisionsServicer):
    def __init__(self, store: SQLStore, pseudonymise: Pseudonymiser | None, source=None) -> None:
        self.store = store
        self.pseudonymise = pseudonymise
        self.source = source

    def _abort(self, context, exc: PolicyError):
        from ..domain.errors import rich_status

        context.abort_with_status(rich_status(exc))

    def GetDecision(self, request, context):
        try:
            if not request.decision_id:
                raise InvalidArgument([("decision_id", "must not be empty")])
            row = self.store.get(request.decision_id)
        except PolicyError as exc:
            self._abort(context, exc)
        if row is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no decision {request.decision_id!r} in the record")
        return record_message(row)

    def ListDecisions(self, request, context):
        try:
            filters, after, size = list_filters(request, self.pseudonymise)
            rows = self.store.list(filters, after, size + 1)
        except PolicyError as exc:
            self._abort(context, exc)
        response = dpb.ListDecisionsResponse(records=[record_message(r) for r in rows[:size]])
        if len(rows) > size:
            response.next_page_token = str(rows[size - 1]["seq"])
        return response

    def ReplayDecision(self, request, context):
        from .replay import replay, replayed_message

        try:
            if not request.decision_id:
                raise InvalidArgument([("decision_id", "must not be empty")])
            result = replay(self.store, request.decision_id)
        except PolicyError as exc:
            self._abort(context, exc)
        return dpb.ReplayDecisionResponse(identical=result.identical, difference=result.difference,
                                          replayed=replayed_message(result), pack=pb.PackRef(**result.pack))

    def VerifyRecord(self, request, context):
        try:
            result = chain.verify(self.store.rows(), self.store.anchor())
        except PolicyError as exc:
            self._abort(context, exc)
        return dpb.VerifyRecordResponse(ok=result.ok, records=result.records, head_seq=result.head_seq,
                                        head_hash=result.head_hash, problems=result.problems)


def add_decisions_service(server: grpc.Server, store: SQLStore, pseudonymise: Pseudonymiser | None, source=None) -> None:
    decisions_pb2_grpc.add_DecisionsServicer_to_server(DecisionsServicer(store, pseudonymise, source), server)
