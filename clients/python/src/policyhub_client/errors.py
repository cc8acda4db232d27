"""Typed exceptions for policyhub's gRPC status codes, with the fields a BadRequest names."""

from __future__ import annotations

from typing import Any, Iterable

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


class PolicyHubError(Exception):
    """A call failed. `code` is the gRPC status name, `message` the server's words.

    `attempts` counts the calls made (more than 1 only after retries on UNAVAILABLE).
    """

    def __init__(self, code: str, message: str, *, attempts: int = 1) -> None:
        self.code = code
        self.message = message
        self.attempts = attempts
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"{code}: {message}{suffix}")


class InvalidArgumentError(PolicyHubError):
    """Bad input. `field_violations` lists (field, description), e.g. ("pledge.items[2].due", "...")."""

    def __init__(self, message: str, field_violations: Iterable[tuple[str, str]] = (), *, attempts: int = 1) -> None:
        self.field_violations = list(field_violations)
        if self.field_violations and not message:
            message = "; ".join(f"{field}: {description}" for field, description in self.field_violations)
        super().__init__("INVALID_ARGUMENT", message, attempts=attempts)


class NotFoundError(PolicyHubError):
    """The pack named does not exist."""


class FailedPreconditionError(PolicyHubError):
    """No pack in force for the locality and date, or the pack has no rules for the submission kind."""


class UnavailableError(PolicyHubError):
    """The server could not be reached, after every retry the policy and the deadline allowed."""


class DeadlineExceededError(PolicyHubError):
    """The call's deadline passed before the answer came."""


class InternalError(PolicyHubError):
    """The server failed on this request (e.g. a pack's rule script raised)."""


_BY_CODE: dict[str, type[PolicyHubError]] = {
    "NOT_FOUND": NotFoundError,
    "FAILED_PRECONDITION": FailedPreconditionError,
    "UNAVAILABLE": UnavailableError,
    "DEADLINE_EXCEEDED": DeadlineExceededError,
    "INTERNAL": InternalError,
}


def make_error(code: str, message: str, field_violations: Iterable[tuple[str, str]] = (), *,
               attempts: int = 1) -> PolicyHubError:
    """The exception class for a status name; unknown codes give the base class."""
    if code == "INVALID_ARGUMENT":
        return InvalidArgumentError(message, field_violations, attempts=attempts)
    return _BY_CODE.get(code, PolicyHubError)(code, message, attempts=attempts)


def from_rpc_error(exc: grpc.RpcError, *, attempts: int = 1) -> PolicyHubError:
    """A failed call as a typed exception; BadRequest details become field_violations."""
    code = exc.code()
    return make_error(code.name if code else "UNKNOWN", exc.details() or "", _field_violations(exc), attempts=attempts)


def from_result_error(error: dict[str, Any]) -> PolicyHubError:
    """One batch item's error (the `error` of a result dict) as the matching exception."""
    violations = [(v.get("field", ""), v.get("description", "")) for v in error.get("field_violations", [])]
    return make_error(error.get("code", "UNKNOWN"), error.get("message", ""), violations)


def _field_violations(exc: grpc.RpcError) -> list[tuple[str, str]]:
    try:
        status = rpc_status.from_call(exc)
    except (ValueError, AttributeError):  # no rich status, or one that disagrees with the call's
        return []
    violations = []
    for detail in status.details if status else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            violations += [(v.field, v.description) for v in bad_request.field_violations]
    return violations
