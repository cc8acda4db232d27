"""The client side of grpc.health.v1: is a policyhub server SERVING?

Used by the container's HEALTHCHECK and by anyone probing a server by hand; Kubernetes uses
its own native gRPC probe against the same service. Any answer other than SERVING (NOT_SERVING
while packs load or during a drain, an unknown service, nothing listening, a timeout, a TLS
failure) counts as unhealthy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVING = health_pb2.HealthCheckResponse.SERVING
SERVE_DEFAULT_PORT = 50051  # `policyhub serve --port`'s default (a test keeps the two equal)


def default_target(environ: Mapping[str, str] = os.environ) -> str:
    """The server `policyhub serve` would start in this environment, seen from the same host.

    So a container's HEALTHCHECK needs no shell to follow POLICYHUB_SERVE_PORT.
    """
    return f"127.0.0.1:{environ.get('POLICYHUB_SERVE_PORT') or SERVE_DEFAULT_PORT}"


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for a TLS channel; `cert` and `key` together present a client certificate (mTLS)."""

    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    server_name: str | None = None  # when the target is an address the certificate does not name

    def __post_init__(self) -> None:
        if bool(self.cert) != bool(self.key):
            raise ValueError("a client certificate needs both --tls-cert and --tls-key")

    def credentials(self) -> grpc.ChannelCredentials:
        def read(path: str | None) -> bytes | None:
            return Path(path).read_bytes() if path else None  # None: the system's roots / no client cert

        return grpc.ssl_channel_credentials(
            root_certificates=read(self.ca), private_key=read(self.key), certificate_chain=read(self.cert)
        )


@dataclass(frozen=True)
class HealthResult:
    healthy: bool
    line: str  # one line for a person or a container runtime's health log


def check(target: str, service: str = "", timeout: float = 2.0, tls: TlsFiles | None = None) -> HealthResult:
    """Ask `target`'s health service about `service` ("" = the whole server) within `timeout` seconds."""
    what = f"{target} service={service or '(server)'}"
    if tls is None:
        channel = grpc.insecure_channel(target)
    else:
        options = [("grpc.ssl_target_name_override", tls.server_name)] if tls.server_name else []
        channel = grpc.secure_channel(target, tls.credentials(), options=options)
    with channel:
        try:
            # No wait_for_ready: a refused connection fails at once instead of waiting out the timeout.
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as exc:
            code = exc.code()
            reason = "unknown service" if code == grpc.StatusCode.NOT_FOUND else " ".join((exc.details() or "").split())
            return HealthResult(False, f"{code.name} {what}" + (f": {reason}" if reason else ""))
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return HealthResult(reply.status == SERVING, f"{status} {what}")
