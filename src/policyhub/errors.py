"""The errors an evaluation can end in, each with the gRPC status it maps to."""

from __future__ import annotations

import grpc


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
