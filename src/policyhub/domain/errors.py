"""The errors an evaluation can end in, each with the gRPC status it maps to (`rich_status`)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status


class PolicyError(Exception):
    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(PolicyError):
    """Malformed input; `violations` names each bad field."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        summary = "; ".join(f"{field}: {why}" for field, why in violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"invalid request: {summary}{more}")


class PackNotFound(PolicyError):
    code = grpc.StatusCode.NOT_FOUND


class NoPackInForce(PolicyError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class KindNotGoverned(PolicyError):
    """The pack has no rules for this kind of submission: no decision would mean anything."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class RuleFailure(PolicyError):
    """A rule script raised or produced something malformed; names the rule or derive function.

    `message` goes to the caller; `summary` is what may be logged: where it failed and the kind
    of failure, never an exception's text or a fact's value, which may quote the submission.
    """

    code = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, summary: str = "a rule script failed") -> None:
        super().__init__(message)
        self.summary = summary


class PackLoadError(Exception):
    """A pack that cannot be served: one message per finding, each naming file and key."""

    def __init__(self, pack_dir: str, findings: list[str]) -> None:
        self.pack_dir = pack_dir
        self.findings = findings
        super().__init__(f"{pack_dir}: " + "; ".join(findings))


# A status travels in trailers, and a client refuses trailers past 8 KiB (gRPC's default metadata
# limit) with RESOURCE_EXHAUSTED: an error quoting a huge value, or listing thousands of bad
# items, is cut to fit. The message is percent-encoded (up to 3x), the detail base64-encoded.
MAX_STATUS_MESSAGE_BYTES = 1024
MAX_BAD_REQUEST_BYTES = 3072


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore") + "…"


def rich_status(exc: PolicyError) -> grpc.Status:
    """The error as a gRPC status; bad input carries a google.rpc.BadRequest naming each field."""
    status = status_pb2.Status(code=getattr(code_pb2, exc.code.name), message=_cut(exc.message, MAX_STATUS_MESSAGE_BYTES))
    if isinstance(exc, InvalidArgument):
        detail = error_details_pb2.BadRequest()
        for listed, (field, description) in enumerate(exc.violations):
            detail.field_violations.add(field=_cut(field, 256), description=_cut(description, 384))
            if detail.ByteSize() > MAX_BAD_REQUEST_BYTES:
                del detail.field_violations[-1]
                detail.field_violations.add(field="request", description=f"{len(exc.violations) - listed} more not listed")
                break
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return rpc_status.to_status(status)
