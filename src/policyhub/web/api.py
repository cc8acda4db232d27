"""policyhub.v1.PolicyHub as JSON over HTTP: evaluate, batch, list packs, get pack.

Requests and answers are the contract's messages in the protobuf JSON mapping (proto field
names, as the vocabulary writes them; lowerCamelCase is accepted on input too). Requests are
read by the same code as the CLI's cases (caseio.request_from_dict) and judged by the same
Evaluator as the gRPC service, so the errors are the same: bad input is 400 with every field
named, an unknown pack 404, no pack in force 409 listing the locality's packs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import anyio
import grpc
from google.protobuf import json_format
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..domain.caseio import request_from_dict
from ..domain.errors import InvalidArgument, NoPackInForce, PolicyError
from ..evaluation.evaluator import Evaluator, decision_to_dict
from ..api.service import MAX_BATCH, error_message, pack_detail, pack_info
from ..v1 import policyhub_pb2 as pb
from .errors import HttpError, error_body


@dataclass
class Limits:
    """Bounds on one HTTP call, as the gRPC server bounds its messages and callers set deadlines."""

    max_body_bytes: int = 16 * 1024 * 1024  # the gRPC server's default --max-message-bytes
    evaluation_seconds: float = 10.0  # a call still evaluating after this gets 504
    threads: int = 4  # evaluations at once; the engine holds the GIL, more would only queue


def to_json(message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)


class Api:
    def __init__(self, evaluator: Evaluator, limits: Limits | None = None) -> None:
        self.evaluator = evaluator
        self.limits = limits or Limits()
        self._limiter: anyio.CapacityLimiter | None = None

    # -- plumbing ---------------------------------------------------------------------------

    async def read_json(self, request: Request) -> Any:
        """The body as JSON, refused past max_body_bytes without reading it all."""
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise HttpError(grpc.StatusCode.RESOURCE_EXHAUSTED, f"request body over {limit} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise HttpError(grpc.StatusCode.RESOURCE_EXHAUSTED, f"request body over {limit} bytes")
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise InvalidArgument([("body", f"not JSON: {str(exc)[:200]}")]) from None

    async def run(self, fn: Callable, *args: Any) -> Any:
        """`fn(*args)` on a worker thread, given up after evaluation_seconds (504).

        The engine cannot be interrupted: a call given up on finishes in its thread, still
        holding its place in the limiter, so slow calls cannot pile up past `threads`.
        """
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.limits.threads)
        try:
            with anyio.fail_after(self.limits.evaluation_seconds):
                return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise HttpError(grpc.StatusCode.DEADLINE_EXCEEDED,
                            f"evaluation took over {self.limits.evaluation_seconds:g} s") from None

    def failure(self, exc: PolicyError, data: Any = None) -> JSONResponse:
        extra = None
        if isinstance(exc, NoPackInForce) and isinstance(data, dict):
            locality = str(data.get("locality", ""))
            extra = {"packs": [to_json(pack_info(p)) for p in self.evaluator.registry.packs(locality)] if locality else []}
        status, body = error_body(exc, extra)
        return JSONResponse(body, status_code=status)

    # -- the operations ---------------------------------------------------------------------

    def evaluate_dict(self, data: Any) -> pb.Decision:
        """One request's canonical JSON -> its Decision (PolicyError on any failure)."""
        return self.evaluator.evaluate(request_from_dict(data))

    async def evaluate(self, request: Request) -> JSONResponse:
        data = None
        try:
            data = await self.read_json(request)
            decision = await self.run(self.evaluate_dict, data)
        except PolicyError as exc:
            return self.failure(exc, data)
        return JSONResponse(decision_to_dict(decision))

    def _batch(self, items: list, deadline: float) -> pb.EvaluateBatchResponse:
        answer = pb.EvaluateBatchResponse()
        for index, item in enumerate(items):
            if time.monotonic() > deadline:  # never a partial batch: 504, and no more work for no one
                raise HttpError(grpc.StatusCode.DEADLINE_EXCEEDED,
                                f"evaluation took over {self.limits.evaluation_seconds:g} s")
            request_id = str(item.get("request_id", item.get("requestId", ""))) if isinstance(item, dict) else ""
            try:
                answer.results.add(index=index, request_id=request_id, decision=self.evaluate_dict(item))
            except PolicyError as exc:
                answer.results.add(index=index, request_id=request_id, error=error_message(exc))
        return answer

    async def evaluate_batch(self, request: Request) -> JSONResponse:
        try:
            data = await self.read_json(request)
            if not isinstance(data, dict) or set(data) - {"requests"}:
                raise InvalidArgument([("body", "must be an EvaluateBatchRequest: {\"requests\": [...]}")])
            items = data.get("requests", [])
            if not isinstance(items, list):
                raise InvalidArgument([("requests", "must be a list of requests")])
            if len(items) > MAX_BATCH:
                raise InvalidArgument([("requests", f"at most {MAX_BATCH} per batch, got {len(items)}")])
            deadline = time.monotonic() + self.limits.evaluation_seconds
            answer = await self.run(self._batch, items, deadline)
        except PolicyError as exc:
            return self.failure(exc)
        return JSONResponse(to_json(answer))

    async def list_packs(self, request: Request) -> JSONResponse:
        packs = self.evaluator.registry.packs(request.query_params.get("locality") or None)
        return JSONResponse(to_json(pb.ListPacksResponse(packs=[pack_info(p) for p in packs])))

    async def get_pack(self, request: Request) -> JSONResponse:
        try:
            pack = self.evaluator.registry.get(request.path_params["pack"])
        except PolicyError as exc:
            return self.failure(exc)
        return JSONResponse(to_json(pack_detail(pack)))

    def routes(self) -> list[Route]:
        return [
            Route("/v1/evaluate", self.evaluate, methods=["POST"], name="api_evaluate"),
            Route("/v1/evaluate:batch", self.evaluate_batch, methods=["POST"], name="api_evaluate_batch"),
            Route("/v1/packs", self.list_packs, methods=["GET"], name="api_list_packs"),
            Route("/v1/packs/{pack}", self.get_pack, methods=["GET"], name="api_get_pack"),
        ]
