"""What ops rely on, against a real server: TLS and mTLS, lock files, drain, health, metrics."""

import datetime as dt
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import admin_pb2, admin_pb2_grpc, policyhub_pb2, policyhub_pb2_grpc
from tests.integration.conftest import DEMO_PACK, RunningServer
from tests.integration.test_reload import demo_pack_copy, metric, scrape

REQUEST = {"locality": "demo", "date": "2020-06-01", "pledge": {"copies": 4}}


# --- certificates made by the test -------------------------------------------------------

def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificate(subject: str, key, issuer_name, issuer_key, ca: bool, names=()):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer_name or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class Certificates:
    """A CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files."""

    def __init__(self, directory, name: str = "ca") -> None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate(f"policyhub test {name}", ca_key, None, ca_key, ca=True)
        self.paths = {}
        self._write(directory, f"{name}.pem", ca.public_bytes(serialization.Encoding.PEM))
        for role, names in (("server", [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                            ("client", [])):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _certificate(f"policyhub {role}", key, ca.subject, ca_key, ca=False, names=names)
            self._write(directory, f"{name}-{role}.pem", cert.public_bytes(serialization.Encoding.PEM))
            self._write(directory, f"{name}-{role}-key.pem", _pem_key(key))
        self.ca = self.paths[f"{name}.pem"]
        self.server_cert, self.server_key = self.paths[f"{name}-server.pem"], self.paths[f"{name}-server-key.pem"]
        self.client_cert, self.client_key = self.paths[f"{name}-client.pem"], self.paths[f"{name}-client-key.pem"]

    def _write(self, directory, filename: str, data: bytes) -> None:
        path = directory / filename
        path.write_bytes(data)
        self.paths[filename] = str(path)

    def credentials(self, client_cert: bool) -> grpc.ChannelCredentials:
        read = lambda p: open(p, "rb").read()  # noqa: E731
        if client_cert:
            return grpc.ssl_channel_credentials(read(self.ca), read(self.client_key), read(self.client_cert))
        return grpc.ssl_channel_credentials(read(self.ca))


def _evaluate(channel) -> policyhub_pb2.Decision:
    return policyhub_pb2_grpc.PolicyHubStub(channel).Evaluate(request_from_dict(REQUEST), timeout=10)


def _tls_server(certs: Certificates, mutual: bool) -> RunningServer:
    args = ["--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
            "--tls-cert", certs.server_cert, "--tls-key", certs.server_key]
    if mutual:
        args += ["--tls-client-ca", certs.ca]
    return RunningServer(*args, credentials=certs.credentials(client_cert=mutual))


def test_tls_serves_verified_clients_and_refuses_plaintext(tmp_path):
    certs = Certificates(tmp_path)
    server = _tls_server(certs, mutual=False)
    try:
        with grpc.secure_channel(server.target, certs.credentials(client_cert=False)) as channel:
            assert _evaluate(channel).compliant
        with grpc.insecure_channel(server.target) as channel, pytest.raises(grpc.RpcError) as refused:
            _evaluate(channel)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        stranger = Certificates(tmp_path, name="other-ca")  # a server cert signed by another CA fails
        with grpc.secure_channel(server.target, stranger.credentials(client_cert=False)) as channel:
            with pytest.raises(grpc.RpcError):
                _evaluate(channel)
    finally:
        assert server.stop() == 0


def test_mtls_requires_a_client_certificate_signed_by_the_client_ca(tmp_path):
    certs = Certificates(tmp_path)
    server = _tls_server(certs, mutual=True)
    try:
        with grpc.secure_channel(server.target, certs.credentials(client_cert=True)) as channel:
            assert _evaluate(channel).compliant
        with grpc.secure_channel(server.target, certs.credentials(client_cert=False)) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                _evaluate(channel)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        health = subprocess.run(
            [sys.executable, "-m", "policyhub", "health", "--target", server.target, "--tls-ca", certs.ca,
             "--tls-cert", certs.client_cert, "--tls-key", certs.client_key],
            capture_output=True, text=True, timeout=60,
        )
        assert health.returncode == 0, health.stdout + health.stderr
    finally:
        assert server.stop() == 0


def test_serve_refuses_half_a_tls_configuration(tmp_path):
    certs = Certificates(tmp_path)
    done = subprocess.run([sys.executable, "-m", "policyhub", "serve", "--port", "0", "--tls-cert", certs.server_cert],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--tls-key" in done.stderr


def test_with_a_lock_file_a_tampered_pack_is_refused_on_reload_and_the_old_one_serves(tmp_path):
    pack = demo_pack_copy(tmp_path)
    lock = tmp_path / "policyhub.lock"
    locked = subprocess.run([sys.executable, "-m", "policyhub", "pack", "lock", "--no-installed-packs",
                             "--pack-path", str(pack), "--output", str(lock)], capture_output=True, text=True, timeout=60)
    assert locked.returncode == 0, locked.stderr
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(pack),
                           "--lock-file", str(lock), "--admin-port", "0")
    try:
        thresholds = pack / "thresholds.yaml"  # changed without locking again
        thresholds.write_text(thresholds.read_text("utf-8") + "# edited after locking\n", "utf-8")
        with grpc.insecure_channel(f"127.0.0.1:{server.serving['admin_port']}") as admin_channel:
            answer = admin_pb2_grpc.AdminStub(admin_channel).Reload(admin_pb2.ReloadRequest(), timeout=60)
        assert not answer.accepted
        assert any("integrity: thresholds.yaml: changed since locked" in f for f in answer.workers[0].findings)
        with grpc.insecure_channel(server.target) as channel:
            assert _evaluate(channel).pack.version == "1.0.0"
    finally:
        assert server.stop() == 0


BUNDLED_PACK = Path(__file__).resolve().parents[2] / "policy_packs" / "yuyao_2011"


def _locked_copies(tmp_path):
    """A bundled pack and the demo pack copied, and a lock of both made by `policyhub pack lock`."""
    bundled = tmp_path / "yuyao_2011"
    shutil.copytree(BUNDLED_PACK, bundled, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    demo = demo_pack_copy(tmp_path)
    lock = tmp_path / "packs.lock"
    locked = subprocess.run([sys.executable, "-m", "policyhub", "pack", "lock", "--no-installed-packs",
                             "--pack-path", str(bundled), "--pack-path", str(demo), "--output", str(lock)],
                            capture_output=True, text=True, timeout=120)
    assert locked.returncode == 0, locked.stderr
    return bundled, demo, lock


def _serve_expecting_refusal(*args: str) -> tuple[int, list[dict], int]:
    """Start `serve` and ask health until it exits: (exit code, log events, SERVING answers seen)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "policyhub", "--log-level", "info", "serve", "--host", "127.0.0.1",
         "--port", "0", "--grace", "5", "--no-installed-packs", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    events: list[dict] = []

    def read():
        for line in process.stderr:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    serving_answers = 0
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None and not [e for e in events if e.get("event") == "serving"]:
            assert time.monotonic() < deadline, "no serving line"
            time.sleep(0.05)
        ports = [e["port"] for e in events if e.get("event") == "serving"]
        if ports:  # the supervisor holds the port; only workers that load their packs listen on it
            with grpc.insecure_channel(f"127.0.0.1:{ports[0]}") as channel:
                health = health_pb2_grpc.HealthStub(channel)
                while process.poll() is None and time.monotonic() < deadline:
                    try:
                        status = health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                        serving_answers += status == health_pb2.HealthCheckResponse.SERVING
                    except grpc.RpcError:
                        pass
                    time.sleep(0.1)
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(10)
    return code, events, serving_answers


def test_with_a_lock_file_a_tampered_pack_keeps_the_server_from_ever_serving(tmp_path):
    bundled, demo, lock = _locked_copies(tmp_path)
    manifest = bundled / "pack.yaml"
    manifest.write_text(manifest.read_text("utf-8") + "# edited after locking\n", "utf-8")
    code, events, serving_answers = _serve_expecting_refusal(
        "--workers", "2", "--pack-path", str(bundled), "--pack-path", str(demo), "--lock-file", str(lock))
    assert code == 3
    assert serving_answers == 0
    assert not [e for e in events if e.get("event") == "worker_serving"]
    refused = [e for e in events if e.get("event") == "packs_refused"]
    assert refused, events
    assert refused[0]["lock_file"] == str(lock)
    assert f"{bundled}: integrity: pack.yaml: changed since locked" in refused[0]["findings"]
    assert [e for e in events if e.get("event") == "server_refused_packs"]


def test_with_a_lock_file_a_locked_pack_that_is_missing_keeps_the_server_from_serving(tmp_path):
    bundled, demo, lock = _locked_copies(tmp_path)
    code, events, serving_answers = _serve_expecting_refusal(
        "--workers", "1", "--pack-path", str(demo), "--lock-file", str(lock))
    assert code == 3
    assert serving_answers == 0
    (refused,) = [e for e in events if e.get("event") == "packs_refused"]
    assert refused["findings"] == ["yuyao_2011@1.0.0: locked, but not loaded"]


def test_with_a_lock_file_a_worker_restarted_after_an_edit_serves_the_locked_set_and_a_reload_refuses_it(tmp_path):
    """Workers load the frozen copy checked at start (issue 14): an edit on disk is never served by a
    restarted worker; it is seen by the next reload, which the lock refuses."""
    bundled, demo, lock = _locked_copies(tmp_path)
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(bundled),
                           "--pack-path", str(demo), "--lock-file", str(lock), "--admin-port", "0")
    request = request_from_dict({"locality": "demo", "date": "2020-06-01", "pledge": {"copies": 4}})
    try:
        with grpc.insecure_channel(server.target) as channel:
            before = policyhub_pb2_grpc.PolicyHubStub(channel).Evaluate(request, timeout=10)
        thresholds = demo / "thresholds.yaml"
        thresholds.write_text(thresholds.read_text("utf-8").replace("copies: 4", "copies: 5")
                              + "# edited after locking\n", "utf-8")
        count = len(server.events("worker_serving"))
        os.kill(server.events("worker_serving")[0]["pid"], signal.SIGKILL)  # as a crash in the engine would
        deadline = time.monotonic() + 60
        while len(server.events("worker_serving")) == count:
            assert server.process.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the worker was not restarted"
            time.sleep(0.05)
        server.wait_serving()
        with grpc.insecure_channel(server.target) as channel:
            after = policyhub_pb2_grpc.PolicyHubStub(channel).Evaluate(request, timeout=10)
        assert after.compliant == before.compliant and list(after.violations) == list(before.violations)
        assert not server.events("packs_refused")
        admin = admin_pb2_grpc.AdminStub(grpc.insecure_channel(f"127.0.0.1:{server.serving['admin_port']}"))
        answer = admin.Reload(admin_pb2.ReloadRequest(), timeout=120)
        assert not answer.accepted
        assert f"{demo}: integrity: thresholds.yaml: changed since locked" in answer.workers[0].findings
    finally:
        server.stop()


def test_sigterm_flips_health_then_finishes_in_flight_calls_and_exits_0():
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                           "--drain-delay", "1.5")
    ledger = {"locality": "demo", "date": "2020-06-01",
              "log": {"meetings": [{"date": "2020-03-01", "attendance": {"party_members": 3}}] * 400}}
    batch = policyhub_pb2.EvaluateBatchRequest(requests=[request_from_dict(ledger)] * 40)
    channel = grpc.insecure_channel(server.target)
    try:
        health = health_pb2_grpc.HealthStub(channel)
        stub = policyhub_pb2_grpc.PolicyHubStub(channel)
        assert health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == health_pb2.HealthCheckResponse.SERVING
        answers, started = [], threading.Event()

        def call():
            started.set()
            answers.append(stub.EvaluateBatch(batch, timeout=120))

        caller = threading.Thread(target=call)
        caller.start()
        started.wait()
        time.sleep(0.2)
        worker_pid = server.events("worker_serving")[0]["pid"]
        os.kill(server.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while True:  # within the drain delay: still answering, but NOT_SERVING
            status = health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
            if status == health_pb2.HealthCheckResponse.NOT_SERVING:
                break
            assert time.monotonic() < deadline, "health never said NOT_SERVING:\n" + "\n".join(server.log_lines[-20:])
            time.sleep(0.05)
        caller.join(120)
        assert len(answers) == 1 and len(answers[0].results) == 40
        assert all(r.HasField("decision") for r in answers[0].results)
        assert server.process.wait(timeout=60) == 0
        assert [e["worker"] for e in server.events("worker_stopped")] == [0]
        assert worker_pid
    finally:
        channel.close()
        server.stop()


def test_metrics_count_errors_by_code_and_worker_restarts():
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                           "--metrics-port", "0")
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            for _ in range(3):
                _evaluate(channel)
            bad = request_from_dict({**REQUEST, "date": "2020-02-30"})
            with pytest.raises(grpc.RpcError):
                stub.Evaluate(bad, timeout=10)
            with pytest.raises(grpc.RpcError):
                stub.Evaluate(request_from_dict({**REQUEST, "pack": "nowhere_2020"}), timeout=10)
        text = scrape(server)
        assert metric(text, "policyhub_evaluations_total", pack="demo_2020@1.0.0", kind="pledge", outcome="compliant") == 3
        assert metric(text, "policyhub_evaluation_errors_total", code="INVALID_ARGUMENT") == 1
        assert metric(text, "policyhub_evaluation_errors_total", code="NOT_FOUND") == 1
        assert metric(text, "policyhub_rpcs_total", method="Evaluate", code="INVALID_ARGUMENT") == 1
        assert metric(text, "policyhub_evaluation_seconds_count", pack="demo_2020@1.0.0") == 3
        assert metric(text, "policyhub_worker_restarts_total") == 0

        os.kill(server.events("worker_serving")[0]["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(server.events("worker_serving")) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        server.wait_serving()
        text = scrape(server)
        assert metric(text, "policyhub_worker_restarts_total") == 1
        # the dead worker's counts stay in the totals
        assert metric(text, "policyhub_evaluations_total", pack="demo_2020@1.0.0", kind="pledge", outcome="compliant") == 3
    finally:
        assert server.stop() == 0


def test_max_connection_age_closes_connections_without_failing_calls():
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                           "--max-connection-age", "1", "--grace", "5")
    states = []
    try:
        with grpc.insecure_channel(server.target) as channel:
            channel.subscribe(states.append, try_to_connect=True)
            deadline = time.monotonic() + 4
            answered = 0
            while time.monotonic() < deadline:
                assert _evaluate(channel).compliant  # a GOAWAY never fails a call
                answered += 1
                time.sleep(0.05)
            # connected, then sent away by the server, then connected again
            ready = [i for i, s in enumerate(states) if s == grpc.ChannelConnectivity.READY]
            assert len(ready) >= 2, states
            assert answered > 10
    finally:
        assert server.stop() == 0
