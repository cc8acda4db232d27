"""The gRPC servicer: policyhub.v1.PolicyHub over an Evaluator."""

from __future__ import annotations

import asyncio
import queue
import threading
from contextlib import nullcontext
from typing import Any

import grpc
import structlog
from google.protobuf import json_format

from ..telemetry import logs
from ..evaluation.assembly import batch_wire, result_wire
from ..domain.errors import InvalidArgument, PolicyError, rich_status
from ..evaluation.evaluator import Evaluator
from ..packs.pack import Pack
from ..v1 import policyhub_pb2 as pb
from ..v1 import policyhub_pb2_grpc

log = structlog.get_logger("policyhub.service")

# Requests per EvaluateBatch message: a larger batch is refused, not half-served.
MAX_BATCH = 10_000


def pack_info(pack: Pack) -> pb.PackInfo:
    return pb.PackInfo(
        id=pack.id,
        version=pack.version,
        title=pb.Text(**pack.title),
        locality=pack.locality,
        issuing_body=pb.Text(**pack.issuing_body),
        document_number=pack.document_number,
        source_seed=pack.source_seed,
        effective_from=pack.effective_from.isoformat(),
        effective_to=pack.effective_to.isoformat() if pack.effective_to else "",
        kinds=pack.kinds,
    )


def pack_detail(pack: Pack) -> pb.GetPackResponse:
    from ..rules.thresholds import flatten
    from ..ruledata.trace import threshold_sources

    response = pb.GetPackResponse(info=pack_info(pack))
    for rule in pack.rules:
        spec = rule.spec
        response.rules.add(
            id=rule.id,
            kinds=list(rule.kinds),
            severity=rule.severity or "",
            citation=pb.Citation(document=rule.document or pack.document, clause=rule.clause),
            message=pb.Text(**(rule.message or {"zh": "", "en": ""})),
            thresholds=list(rule.thresholds),
            consequences=[c["code"] if isinstance(c, dict) else c for c in rule.consequences]
            + [c for c in rule.fact_consequences],
            grades=rule.grade,
            condition_words=spec.words if spec else "",
            threshold_sources=threshold_sources(pack, spec.reads) if spec else [],
            fact_type=spec.fact_type if spec else "",
            declared_in=spec.source if spec else "python",
        )
    response.thresholds.update(_json_safe(pack.thresholds_data))
    response.threshold_sources.extend(threshold_sources(pack, sorted(flatten(pack.thresholds_data))))
    response.uses.extend(pack.uses)
    for item in pack.interpretations:
        entry = response.interpretations.add(
            id=item.id, text=pb.Text(**item.text), setting=item.setting, rule_ids=list(item.rule_ids)
        )
        json_format.ParseDict(_json_safe(item.default), entry.default_value)
        json_format.ParseDict(_json_safe(pack.thresholds.get(item.setting)), entry.value)
    return response


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def error_message(exc: PolicyError) -> pb.Error:
    error = pb.Error(code=exc.code.name, message=exc.message)
    if isinstance(exc, InvalidArgument):
        for field, description in exc.violations:
            error.field_violations.add(field=field, description=description)
    return error


class PolicyHubServicer(policyhub_pb2_grpc.PolicyHubServicer):
    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator

    # Evaluate, EvaluateBatch and EvaluateStream answer with wire bytes (decoding.add_servicer
    # sends bytes as they are): a decision is made as bytes, and parsing it into a message only
    # for gRPC to serialise it again, once per Result and once more for the batch, cost more
    # than the RPC layer itself.

    def _result(self, index: int, request: pb.EvaluateRequest, whole: bool = False) -> bytes:
        """`whole`: an unavailable decision store fails the call (a batch), not only this item."""
        try:
            return result_wire(index, request.request_id, decision=self.evaluator.evaluate_wire(request))
        except PolicyError as exc:
            if whole and exc.code == grpc.StatusCode.UNAVAILABLE:
                raise
            if exc.code == grpc.StatusCode.INTERNAL:
                log.error("evaluation_failed", index=index, error=getattr(exc, "summary", exc.code.name))
            return result_wire(index, request.request_id, error=error_message(exc))

    def Evaluate(self, request, context):
        try:
            return self.evaluator.evaluate_wire(request)
        except PolicyError as exc:
            if exc.code == grpc.StatusCode.INTERNAL:
                log.error("evaluation_failed", error=getattr(exc, "summary", exc.code.name))  # never the text
            context.abort_with_status(rich_status(exc))

    def EvaluateBatch(self, request, context):
        if len(request.requests) > MAX_BATCH:
            exc = InvalidArgument([("requests", f"at most {MAX_BATCH} per batch, got {len(request.requests)}")])
            context.abort_with_status(rich_status(exc))
        results = []
        record = self.evaluator.hook
        try:
            # The batch's decision lines in a few writes, and its records in one commit, before the answer goes.
            with logs.held_lines(), (record.batch() if record is not None else nullcontext()) as batch:
                for index, item in enumerate(request.requests):
                    if not context.is_active():  # the caller has gone (deadline, cancel): stop working for no one
                        return pb.EvaluateBatchResponse()
                    if batch is not None:
                        batch.index = index
                    results.append(self._result(index, item, whole=True))
        except PolicyError as exc:  # the record could not be read or committed: nothing of the batch is answered
            context.abort_with_status(rich_status(exc))
        if batch is not None:
            for index, (outcome, wire, row) in batch.outcomes.items():
                if outcome.status != "recorded":  # a retried request id: its earlier decision, or a refusal
                    results[index] = self._settled(index, request.requests[index], outcome, wire, row)
        return batch_wire(results)

    @staticmethod
    def _settled(index: int, request: pb.EvaluateRequest, outcome, wire: bytes, row: dict) -> bytes:
        from ..store.recorder import answer

        try:
            return result_wire(index, request.request_id, decision=answer(outcome, wire, row))
        except PolicyError as exc:
            return result_wire(index, request.request_id, error=error_message(exc))

    # A stream's messages are read ahead of the ones being evaluated (at most this many: a fast
    # client is still held up by HTTP/2 flow control, not buffered here), and those already
    # received are evaluated together, as a group: one wake-up, and with the decision record on
    # one commit, for several messages. Answers go in order, each after its group's commit.
    STREAM_READ_AHEAD = 8

    @staticmethod
    def _recorded_groups(requests: list) -> list[list]:
        """The messages read, split where a message retries a request id already in the group: it is
        answered with that decision once recorded, as it would be one message at a time. (A ballot
        reading its subject's history sees the earlier ballots of its group: Recorder.history.)"""
        groups: list[list] = []
        request_ids: set[str] = set()
        for request in requests:
            if not groups or (request.request_id and request.request_id in request_ids):
                groups.append([])
                request_ids.clear()
            groups[-1].append(request)
            if request.request_id:
                request_ids.add(request.request_id)
        return groups

    def _stream_parts(self, group: list) -> list[list]:
        """The groups a batch of read messages is evaluated in: one, or with the record on split as
        `_recorded_groups` says."""
        if not group:
            return []
        return self._recorded_groups(group) if self.evaluator.hook is not None else [group]

    def _stream_group(self, start: int, requests: list, held) -> list[bytes]:
        """The answers to a group of a stream's messages (stream indexes from `start`); their
        records held in `held` (None: the record is off)."""
        results = []
        for offset, request in enumerate(requests):
            if held is not None:
                held.index = offset
            results.append(self._result(start + offset, request))
        return results

    def _stream_settled(self, start: int, requests: list, results: list[bytes], held) -> list[bytes]:
        if held is not None:
            for offset, (outcome, wire, row) in held.outcomes.items():
                if outcome.status != "recorded":  # a retried request id: its earlier decision, or a refusal
                    results[offset] = self._settled(start + offset, requests[offset], outcome, wire, row)
        return results

    @staticmethod
    def _stream_unrecorded(start: int, requests: list, exc: PolicyError) -> list[bytes]:
        """The group's records could not be committed: each of its messages is answered with that error."""
        return [result_wire(start + offset, request.request_id, error=error_message(exc))
                for offset, request in enumerate(requests)]

    # Answers evaluated ahead of the one being sent, in groups (bounded, as the read-ahead is).
    STREAM_GROUPS_AHEAD = 2

    def EvaluateStream(self, request_iterator, context):
        # gRPC's serving thread reads a message only when asked, and sends an answer only once the
        # one before has gone, waiting for each. Three threads, so that none of these waits holds
        # up the others: a reader asks for the next messages (up to STREAM_READ_AHEAD ahead), an
        # evaluator evaluates what has been read as one group, and this handler's thread sends.
        ahead: queue.Queue = queue.Queue(self.STREAM_READ_AHEAD)
        answers: queue.Queue = queue.Queue(self.STREAM_GROUPS_AHEAD)
        finished = threading.Event()  # the call has ended: the helper threads stop waiting

        def put(into: queue.Queue, item) -> bool:
            while not finished.is_set():
                try:
                    into.put(item, timeout=0.25)
                    return True
                except queue.Full:  # the next step is held up (flow control): so is this one
                    continue
            return False

        def read() -> None:
            try:
                for request in request_iterator:
                    if not put(ahead, request):
                        return
            except BaseException as exc:  # an undecodable message (its abort), or the call's end
                put(ahead, exc)
                return
            put(ahead, None)

        def evaluate() -> None:
            record: Any = self.evaluator.hook  # the decision record's Recorder (store/recorder.py): batch()
            index = 0
            try:
                while not finished.is_set():
                    try:
                        group = [ahead.get(timeout=0.25)]
                    except queue.Empty:
                        continue
                    while len(group) <= self.STREAM_READ_AHEAD and isinstance(group[-1], pb.EvaluateRequest):
                        try:
                            group.append(ahead.get_nowait())
                        except queue.Empty:
                            break
                    end = group.pop() if not isinstance(group[-1], pb.EvaluateRequest) else False
                    for part in self._stream_parts(group):
                        try:
                            with logs.held_lines(), (record.batch() if record is not None else nullcontext()) as held:
                                results = self._stream_group(index, part, held)
                            results = self._stream_settled(index, part, results, held)
                        except PolicyError as exc:
                            results = self._stream_unrecorded(index, part, exc)
                        if not put(answers, results):
                            return
                        index += len(part)
                    if end is not False:
                        put(answers, end)
                        return
            except BaseException as exc:  # a fault of the server's own: the call ends with it
                put(answers, exc)

        threading.Thread(target=read, name="stream-reader", daemon=True).start()
        threading.Thread(target=evaluate, name="stream-evaluator", daemon=True).start()
        try:
            while True:
                results = answers.get()
                if results is None:
                    return
                if isinstance(results, BaseException):
                    raise results
                yield from results
        finally:
            finished.set()

    def ListPacks(self, request, context):
        packs = self.evaluator.registry.packs(request.locality or None)
        return pb.ListPacksResponse(packs=[pack_info(p) for p in packs])

    def GetPack(self, request, context):
        try:
            return pack_detail(self.evaluator.registry.get(request.pack))
        except PolicyError as exc:
            context.abort_with_status(rich_status(exc))


class AioPolicyHubServicer(PolicyHubServicer):
    """The same methods for the grpc.aio worker: each a coroutine on the event loop, so a unary call
    or a stream's message is evaluated where it arrived, with no hand-off to a pool thread.

    An evaluation is CPU work under the GIL and runs on the loop as it is. The decision record's
    commit is I/O: the records are held during the evaluation (`Recorder.hold`) and committed by
    the recorder's writer thread, grouped with those of the other calls in flight, while the loop
    serves them; the answer goes once its record is committed."""

    # A batch gives the loop a turn every this many items: other calls are not held up for a whole
    # batch, and a deadline or a cancel is seen (the task is cancelled at the next turn).
    BATCH_TURN = 8

    async def _evaluated(self, request: pb.EvaluateRequest) -> bytes:
        """The decision's wire, its record committed (PolicyError when not decided or not recorded)."""
        record: Any = self.evaluator.hook  # the decision record's Recorder (store/recorder.py): hold, commit
        if record is None:
            return self.evaluator.evaluate_wire(request)
        with record.hold() as held:
            wire = self.evaluator.evaluate_wire(request)
        await record.commit(held)
        for outcome, _wire, row in held.outcomes.values():  # one: this call's
            return self._answer(outcome, wire, row)
        return wire

    @staticmethod
    def _answer(outcome, wire: bytes, row: dict) -> bytes:
        from ..store.recorder import answer

        return answer(outcome, wire, row)

    async def Evaluate(self, request, context):
        try:
            return await self._evaluated(request)
        except PolicyError as exc:
            if exc.code == grpc.StatusCode.INTERNAL:
                log.error("evaluation_failed", error=getattr(exc, "summary", exc.code.name))  # never the text
            await context.abort_with_status(rich_status(exc))

    async def EvaluateBatch(self, request, context):
        if len(request.requests) > MAX_BATCH:
            exc = InvalidArgument([("requests", f"at most {MAX_BATCH} per batch, got {len(request.requests)}")])
            await context.abort_with_status(rich_status(exc))
        results = []
        record = self.evaluator.hook
        try:
            # The batch's decision lines in a few writes, written after its records' one commit.
            with logs.held_lines(), (record.hold() if record is not None else nullcontext()) as batch:
                for index, item in enumerate(request.requests):
                    if index % self.BATCH_TURN == self.BATCH_TURN - 1:
                        await asyncio.sleep(0)
                        if context.done():  # the caller has gone (deadline, cancel): stop working for no one
                            return pb.EvaluateBatchResponse()
                    if batch is not None:
                        batch.index = index
                    results.append(self._result(index, item, whole=True))
                if batch is not None:
                    await record.commit(batch)
        except PolicyError as exc:  # the record could not be read or committed: nothing of the batch is answered
            await context.abort_with_status(rich_status(exc))
        if batch is not None:
            for index, (outcome, wire, row) in batch.outcomes.items():
                if outcome.status != "recorded":  # a retried request id: its earlier decision, or a refusal
                    results[index] = self._settled(index, request.requests[index], outcome, wire, row)
        return batch_wire(results)

    async def _stream_group_aio(self, start: int, requests: list) -> list[bytes]:
        record: Any = self.evaluator.hook
        try:
            with logs.held_lines(), (record.hold() if record is not None else nullcontext()) as held:
                results = self._stream_group(start, requests, held)
                if held is not None:
                    await record.commit(held)  # grouped with the other calls' records, off the loop
        except PolicyError as exc:
            return self._stream_unrecorded(start, requests, exc)
        return self._stream_settled(start, requests, results, held)

    async def EvaluateStream(self, request_iterator, context):
        # Three steps on the loop, each its own task, so that none waits for another's I/O: reading
        # (up to STREAM_READ_AHEAD messages ahead), evaluating what has been read as one group, and
        # sending (this generator: gRPC awaits each answer's send before the next). While an
        # answer's send waits for gRPC's poller, the loop evaluates the next group.
        ahead: asyncio.Queue = asyncio.Queue(self.STREAM_READ_AHEAD)
        answers: asyncio.Queue = asyncio.Queue(self.STREAM_GROUPS_AHEAD)

        async def read() -> None:
            try:
                async for request in request_iterator:
                    await ahead.put(request)
            except asyncio.CancelledError:  # the call is over: nobody reads the queue any more
                raise
            except BaseException as exc:  # an undecodable message (its abort), or the call's end
                await ahead.put(exc)
                return
            await ahead.put(None)

        async def evaluate() -> None:
            index = 0
            try:
                while True:
                    group = [await ahead.get()]
                    while not ahead.empty() and isinstance(group[-1], pb.EvaluateRequest):
                        group.append(ahead.get_nowait())
                    end = group.pop() if not isinstance(group[-1], pb.EvaluateRequest) else False
                    for part in self._stream_parts(group):
                        await answers.put(await self._stream_group_aio(index, part))
                        index += len(part)
                    if end is not False:
                        await answers.put(end)
                        return
            except Exception as exc:  # a fault of the server's own: the call ends with it
                await answers.put(exc)

        tasks = [asyncio.ensure_future(read()), asyncio.ensure_future(evaluate())]
        try:
            while True:
                results = await answers.get()
                if results is None:
                    return
                if isinstance(results, BaseException):
                    raise results
                for result in results:
                    yield result
        finally:
            for task in tasks:
                task.cancel()

    async def ListPacks(self, request, context):
        return super().ListPacks(request, context)

    async def GetPack(self, request, context):
        try:
            return pack_detail(self.evaluator.registry.get(request.pack))
        except PolicyError as exc:
            await context.abort_with_status(rich_status(exc))
