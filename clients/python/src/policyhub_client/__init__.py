"""A client for policyhub, the gRPC service that checks party-building paperwork.

    from policyhub_client import PolicyHubClient
    with PolicyHubClient("127.0.0.1:50051") as client:
        decision = client.evaluate({"locality": "yuyao", "date": "2011-02-24", "pledge": {...}})
"""

from .client import DEFAULT_BATCH_SIZE, DEFAULT_TARGET, DEFAULT_TIMEOUT, MAX_BATCH_SIZE, PolicyHubClient
from .errors import (
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PolicyHubError,
    UnavailableError,
    from_result_error,
)
from .inputs import load_requests, load_yaml
from .retry import RetryPolicy
from .tls import TLS

__all__ = [
    "PolicyHubClient", "TLS", "RetryPolicy",
    "PolicyHubError", "InvalidArgumentError", "NotFoundError", "FailedPreconditionError",
    "UnavailableError", "DeadlineExceededError", "InternalError", "from_result_error",
    "load_requests", "load_yaml",
    "DEFAULT_TARGET", "DEFAULT_TIMEOUT", "DEFAULT_BATCH_SIZE", "MAX_BATCH_SIZE",
]
