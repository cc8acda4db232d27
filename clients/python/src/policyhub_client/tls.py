"""Channel credentials: server-authenticated TLS, or mutual TLS with a client certificate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import grpc

# PEM content as bytes, or the path of a PEM file.
Pem = Union[bytes, str, "os.PathLike[str]"]


@dataclass(frozen=True)
class TLS:
    """TLS settings for PolicyHubClient(tls=...).

    root_certificates: the CA that signed the server's certificate (default: the system's roots).
    certificate_chain, private_key: this client's certificate and key, for mutual TLS.
    server_name: the name to check the server's certificate against, when it is not the target's host.
    """

    root_certificates: Optional[Pem] = None
    certificate_chain: Optional[Pem] = None
    private_key: Optional[Pem] = None
    server_name: Optional[str] = None

    def __post_init__(self) -> None:
        if (self.certificate_chain is None) != (self.private_key is None):
            raise ValueError("mutual TLS needs both certificate_chain and private_key")

    def credentials(self) -> grpc.ChannelCredentials:
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.root_certificates),
            private_key=_read(self.private_key),
            certificate_chain=_read(self.certificate_chain),
        )

    def channel_options(self) -> list[tuple[str, str]]:
        return [("grpc.ssl_target_name_override", self.server_name)] if self.server_name else []


def _read(pem: Optional[Pem]) -> Optional[bytes]:
    if pem is None or isinstance(pem, bytes):
        return pem
    return Path(pem).read_bytes()
