"""PolicyHubClient: policyhub.v1.PolicyHub over gRPC, with deadlines and retries on every call."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import grpc

from .errors import InvalidArgumentError, PolicyHubError
from .messages import to_dict, to_request
from .retry import RetryPolicy, call_with_retry
from .tls import TLS
from .v1 import policyhub_pb2 as pb
from .v1 import policyhub_pb2_grpc

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 10.0  # seconds, per call (a batch call included), across its retries
DEFAULT_BATCH_SIZE = 200
MAX_BATCH_SIZE = 10_000  # the server refuses larger EvaluateBatch messages
MAX_RECEIVE_BYTES = 64 * 1024 * 1024  # a batch of traced decisions outgrows gRPC's 4 MiB default

Request = Union[dict, pb.EvaluateRequest]


@dataclass
class _Invalid:
    """A batch item refused on this side, before sending: it keeps its place in the results."""

    request_id: str
    error: InvalidArgumentError


class PolicyHubClient:
    """A client for one policyhub server.

    target: "host:port". tls: None or False for plaintext; True for TLS with the system's roots;
    a TLS(...) for a private CA and/or a client certificate (mutual TLS); or grpc.ChannelCredentials.
    timeout: the deadline of each call in seconds, retries included (each method takes timeout= too).
    retry: when to retry a call the server could not take (UNAVAILABLE only).

    Requests are dicts in the canonical JSON of the rulebook's vocabulary.md, or EvaluateRequest
    messages. Every answer is a dict in that canonical JSON. Failures raise PolicyHubError
    subclasses (InvalidArgumentError carries field_violations).
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        tls: Union[None, bool, TLS, grpc.ChannelCredentials] = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = RetryPolicy(),
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.target = target
        self.timeout = timeout
        self.retry = retry
        channel_options = [("grpc.max_receive_message_length", MAX_RECEIVE_BYTES), *retry.channel_options()]
        if tls is True:
            tls = TLS()
        if isinstance(tls, TLS):
            channel_options += tls.channel_options()
            tls = tls.credentials()
        channel_options += list(options)
        if tls:
            self._channel = grpc.secure_channel(target, tls, options=channel_options)
        else:
            self._channel = grpc.insecure_channel(target, options=channel_options)
        self._stub = policyhub_pb2_grpc.PolicyHubStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "PolicyHubClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def evaluate(self, request: Request, *, timeout: Optional[float] = None) -> dict[str, Any]:
        """One submission's decision (a dict: decision_id, pack, compliant, violations, grades, ...)."""
        message = to_request(request)
        return to_dict(self._call(self._stub.Evaluate, message, timeout, "Evaluate"))

    def evaluate_batch(
        self,
        requests: Iterable[Request],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        timeout: Optional[float] = None,
    ) -> Iterator[dict[str, Any]]:
        """Results in input order, one per request, as the input is read.

        The iterable is read lazily, batch_size requests per EvaluateBatch call, with one call
        in flight while the previous results are handed out: memory stays bounded by two
        batches however long the input. Each result is {"index", "request_id", and "decision"
        or "error": {"code", "message", "field_violations"}}; index counts from 0 over the
        whole input. A request that does not parse gets its INVALID_ARGUMENT error in place
        without being sent. A call that fails as a whole (UNAVAILABLE after retries,
        DEADLINE_EXCEEDED) raises; the results already yielded stand.
        """
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}")
        return self._evaluate_prepared((_prepare(item) for item in requests), batch_size, timeout)

    def list_packs(self, locality: Optional[str] = None, *, timeout: Optional[float] = None) -> list[dict[str, Any]]:
        """The server's packs (id, version, title, locality, period, kinds), optionally of one locality."""
        request = pb.ListPacksRequest(locality=locality or "")
        return [to_dict(p) for p in self._call(self._stub.ListPacks, request, timeout, "ListPacks").packs]

    def get_pack(self, pack: str, *, timeout: Optional[float] = None) -> dict[str, Any]:
        """A pack ("id" or "id@version"): info, rules with citations, thresholds, interpretations."""
        return to_dict(self._call(self._stub.GetPack, pb.GetPackRequest(pack=pack), timeout, "GetPack"))

    # ------------------------------------------------------------------ internals

    def _deadline(self, timeout: Optional[float]) -> float:
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def _call(self, method: Callable, request, timeout: Optional[float], name: str):
        deadline = self._deadline(timeout)
        return call_with_retry(lambda t: method(request, timeout=t), self.retry, deadline, name=name)

    def _evaluate_prepared(self, items: Iterable[Union[pb.EvaluateRequest, _Invalid]], batch_size: int,
                           timeout: Optional[float]) -> Iterator[dict[str, Any]]:
        chunks = _chunks(items, batch_size)
        offset = 0
        in_flight = self._send(next(chunks, None), timeout)
        following = None
        try:
            while in_flight is not None:
                # The server works on the next batch while this one's results are consumed.
                following = self._send(next(chunks, None), timeout)
                yield from in_flight.results(offset)
                offset += len(in_flight.items)
                in_flight, following = following, None
        finally:
            for batch in (in_flight, following):
                if batch is not None:
                    batch.cancel()

    def _send(self, items: Optional[list], timeout: Optional[float]) -> Optional["_InFlightBatch"]:
        if items is None:
            return None
        return _InFlightBatch(self, items, self._deadline(timeout))


class _InFlightBatch:
    """One EvaluateBatch call, started at once and collected (with retries) when its turn comes."""

    def __init__(self, client: PolicyHubClient, items: list, deadline: float) -> None:
        self.client = client
        self.items = items
        self.deadline = deadline
        self.request = pb.EvaluateBatchRequest(requests=[i for i in items if not isinstance(i, _Invalid)])
        self.future = None
        if self.request.requests:
            remaining = max(deadline - time.monotonic(), 0.001)
            self.future = client._stub.EvaluateBatch.future(self.request, timeout=remaining)

    def cancel(self) -> None:
        if self.future is not None:
            self.future.cancel()

    def results(self, offset: int) -> Iterator[dict[str, Any]]:
        answers: Iterator[pb.Result] = iter(())
        if self.future is not None:
            stub = self.client._stub
            response = call_with_retry(
                lambda t: stub.EvaluateBatch(self.request, timeout=t), self.client.retry, self.deadline,
                name="EvaluateBatch", first=self.future.result,
            )
            if len(response.results) != len(self.request.requests):
                raise PolicyHubError("INTERNAL", f"the server answered {len(response.results)} results "
                                                 f"for {len(self.request.requests)} requests")
            answers = iter(response.results)
        for position, item in enumerate(self.items):
            if isinstance(item, _Invalid):
                yield _error_result(offset + position, item)
            else:
                result = to_dict(next(answers))
                result["index"] = offset + position
                yield result


def _prepare(item: Any) -> Union[pb.EvaluateRequest, _Invalid]:
    try:
        return to_request(item)
    except InvalidArgumentError as exc:
        request_id = item.get("request_id") if isinstance(item, dict) else None
        return _Invalid(request_id if isinstance(request_id, str) else "", exc)


def _error_result(index: int, invalid: _Invalid) -> dict[str, Any]:
    return {
        "index": index,
        "request_id": invalid.request_id,
        "error": {
            "code": invalid.error.code,
            "message": invalid.error.message,
            "field_violations": [{"field": f, "description": d} for f, d in invalid.error.field_violations],
        },
    }


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
