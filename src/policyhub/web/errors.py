"""A PolicyError as an HTTP answer: the gRPC status's HTTP code and google.rpc.Status-shaped JSON.

Bad input carries the same `google.rpc.BadRequest` field violations the gRPC service sends.
"""

from __future__ import annotations

from typing import Any

import grpc

from ..domain.errors import InvalidArgument, PolicyError

# google.rpc.Code -> HTTP, as in Google's HTTP mapping (FAILED_PRECONDITION: the issue asks 409).
HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 413,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.INTERNAL: 500,
}
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class HttpError(PolicyError):
    """An error only HTTP has (body too large, not JSON, too slow), with its gRPC status."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_body(exc: PolicyError, extra: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, {"error": {code, status, message, details}}) for `exc`."""
    status = HTTP_STATUS.get(exc.code, 500)
    error: dict[str, Any] = {"code": status, "status": exc.code.name, "message": exc.message, "details": []}
    if isinstance(exc, InvalidArgument):
        error["details"].append({
            "@type": BAD_REQUEST_TYPE,
            "field_violations": [{"field": f, "description": d} for f, d in exc.violations],
        })
    if extra:
        error.update(extra)
    return status, {"error": error}
