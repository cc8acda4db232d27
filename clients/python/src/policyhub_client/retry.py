"""Retries on UNAVAILABLE only, with exponential backoff and full jitter, inside one deadline."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

import grpc

from .errors import from_rpc_error

log = logging.getLogger("policyhub_client")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a call the server could not take (UNAVAILABLE).

    Other codes are never retried: they are answers, and asking again gives the same one.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.1  # seconds before the second attempt, at most
    max_backoff: float = 5.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < self.initial_backoff <= self.max_backoff or self.multiplier < 1:
            raise ValueError("need 0 < initial_backoff <= max_backoff and multiplier >= 1")

    def backoff(self, failed_attempts: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after that many failed attempts: uniform in [0, capped exponential)."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (failed_attempts - 1))
        return rand() * ceiling

    def channel_options(self) -> list[tuple[str, int]]:
        # After a failed connect, gRPC fails calls at once until its own reconnect timer fires
        # (1 s, growing to 120 s by default); keep that timer in step with our backoff so a
        # retry can actually reach a server that has come back. (Not min_reconnect_backoff_ms:
        # gRPC uses it as the connect timeout, and a slow handshake must still complete.)
        return [
            ("grpc.initial_reconnect_backoff_ms", int(self.initial_backoff * 1000)),
            ("grpc.max_reconnect_backoff_ms", int(self.max_backoff * 1000)),
        ]


def call_with_retry(
    attempt: Callable[[float], T],
    policy: RetryPolicy,
    deadline: float,
    *,
    name: str,
    first: Optional[Callable[[], T]] = None,
) -> T:
    """attempt(timeout) until it succeeds, fails with another code, attempts run out or the deadline
    (time.monotonic()) passes. `first`, if given, collects an attempt already in flight.

    Raises the typed PolicyHubError of the last failure.
    """
    attempts = 0
    unavailable: Optional[grpc.RpcError] = None  # the last retried failure
    while True:
        attempts += 1
        try:
            if first is not None:
                collect, first = first, None
                return collect()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if unavailable is not None:  # a sleep overshot the deadline: report what we retried
                    raise from_rpc_error(unavailable, attempts=attempts - 1) from None
                raise _deadline_passed()
            return attempt(remaining)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE or attempts >= policy.max_attempts:
                raise from_rpc_error(exc, attempts=attempts) from None
            pause = policy.backoff(attempts)
            if time.monotonic() + pause >= deadline:  # no time left for another attempt
                raise from_rpc_error(exc, attempts=attempts) from None
            unavailable = exc
            log.info("%s: UNAVAILABLE (attempt %d of %d), retrying in %.2fs", name, attempts,
                     policy.max_attempts, pause)
            time.sleep(pause)


def _deadline_passed() -> grpc.RpcError:
    return _LocalStatus(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call could be made")


class _LocalStatus(grpc.RpcError):
    """A status decided on this side, shaped like a failed call."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self):
        return ()
