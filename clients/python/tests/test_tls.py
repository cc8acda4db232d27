"""TLS and mutual TLS against `policyhub serve --tls-cert --tls-key --tls-client-ca`."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from cases import example
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from live_server import LiveServer

from policyhub_client import TLS, PolicyHubClient, RetryPolicy, UnavailableError

SERVER_NAME = "policyhub.test"  # the only name in the server's certificate: clients must say it


def _issue(common_name, key, issuer=None, issuer_key=None, *, ca=False, dns_names=()):
    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _write(path, data):
    path.write_bytes(data)
    return str(path)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """A server CA, a client CA, a server certificate for policyhub.test and a client certificate."""
    directory = tmp_path_factory.mktemp("certs")
    pem = lambda cert: cert.public_bytes(serialization.Encoding.PEM)  # noqa: E731
    key_pem = lambda key: key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,  # noqa: E731
                                            serialization.NoEncryption())
    paths = {}
    for role in ("server", "client"):
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca = _issue(f"policyhub test {role} CA", ca_key, ca=True)
        cert = _issue(f"policyhub {role}", key, ca, ca_key, dns_names=[SERVER_NAME] if role == "server" else [])
        paths[f"{role}_ca"] = _write(directory / f"{role}-ca.pem", pem(ca))
        paths[f"{role}_cert"] = _write(directory / f"{role}.pem", pem(cert))
        paths[f"{role}_key"] = _write(directory / f"{role}-key.pem", key_pem(key))
    return paths


@pytest.fixture(scope="module")
def mtls_server(certs):
    running = LiveServer(0, "--tls-cert", certs["server_cert"], "--tls-key", certs["server_key"],
                         "--tls-client-ca", certs["client_ca"])
    yield running
    running.stop()


def _client(server, tls):
    return PolicyHubClient(server.target, tls=tls, timeout=10, retry=RetryPolicy(max_attempts=2, initial_backoff=0.05))


def test_mutual_tls_with_the_servers_ca_and_a_client_certificate(mtls_server, certs):
    tls = TLS(root_certificates=certs["server_ca"], certificate_chain=certs["client_cert"],
              private_key=certs["client_key"], server_name=SERVER_NAME)
    with _client(mtls_server, tls) as client:
        assert client.evaluate(example("examples/yuyao_2011/member_pledge.yaml"))["pack"]["id"] == "yuyao_2011"


def test_pem_bytes_work_as_well_as_paths(mtls_server, certs):
    read = lambda name: open(certs[name], "rb").read()  # noqa: E731
    tls = TLS(root_certificates=read("server_ca"), certificate_chain=read("client_cert"),
              private_key=read("client_key"), server_name=SERVER_NAME)
    with _client(mtls_server, tls) as client:
        assert client.list_packs()


def test_without_a_client_certificate_the_server_refuses(mtls_server, certs):
    with _client(mtls_server, TLS(root_certificates=certs["server_ca"], server_name=SERVER_NAME)) as client:
        with pytest.raises(UnavailableError):
            client.list_packs()


def test_a_certificate_for_another_name_is_refused(mtls_server, certs):
    tls = TLS(root_certificates=certs["server_ca"], certificate_chain=certs["client_cert"],
              private_key=certs["client_key"])  # 127.0.0.1 is not policyhub.test
    with _client(mtls_server, tls) as client:
        with pytest.raises(UnavailableError):
            client.list_packs()


def test_plaintext_to_a_tls_server_fails(mtls_server):
    with _client(mtls_server, None) as client:
        with pytest.raises(UnavailableError):
            client.list_packs()


def test_half_a_client_identity_is_refused(certs):
    with pytest.raises(ValueError):
        TLS(certificate_chain=certs["client_cert"])


def test_the_command_speaks_mutual_tls(mtls_server, certs):
    done = subprocess.run(
        [sys.executable, "-m", "policyhub_client", "packs", "--target", mtls_server.target,
         "--tls-ca", certs["server_ca"], "--tls-cert", certs["client_cert"], "--tls-key", certs["client_key"],
         "--tls-server-name", SERVER_NAME],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {p["id"] for p in json.loads(done.stdout)} >= {"yuyao_2011"}
