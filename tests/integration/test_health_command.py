"""`policyhub health` against real servers: 0 only for SERVING, 1 for anything else."""

import os
import signal
import socket
import subprocess
import sys
import time

from click.testing import CliRunner

from policyhub import cli
from tests.integration.conftest import DEMO_PACK, RunningServer
from tests.integration.test_ops import Certificates


def health(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command as a container runtime runs it: a fresh process."""
    return subprocess.run([sys.executable, "-m", "policyhub", "health", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def health_in_process(*args: str):
    """The same command without a new interpreter's start-up, where timing or speed matters."""
    result = CliRunner().invoke(cli.main, ["health", *args])
    result.returncode = result.exit_code
    return result


def one_line(result) -> str:
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


def test_a_serving_server_is_healthy_overall_and_per_service(server):
    done = health("--target", server.target)
    assert done.returncode == 0 and one_line(done).startswith("SERVING"), done.stdout + done.stderr
    done = health("--target", server.target, "--service", "policyhub.v1.PolicyHub")
    assert done.returncode == 0 and one_line(done).startswith("SERVING")
    done = health("--target", server.target, "--service", "policyhub.v1.NoSuchService")
    assert done.returncode == 1 and one_line(done).startswith("NOT_FOUND")


def test_without_target_it_checks_the_port_serve_would_use_here(server):
    port = server.target.rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYHUB_")}
    done = health(env={**env, "POLICYHUB_SERVE_PORT": port})
    assert done.returncode == 0 and one_line(done) == f"SERVING 127.0.0.1:{port} service=(server)"


def test_nothing_listening_is_unhealthy_at_once():
    with socket.socket() as held:  # bound, never listening: connections are refused
        held.bind(("127.0.0.1", 0))
        done = health("--target", f"127.0.0.1:{held.getsockname()[1]}", "--timeout", "30")
    assert done.returncode == 1 and one_line(done).startswith("UNAVAILABLE")


def test_a_server_that_never_answers_is_unhealthy_after_the_timeout():
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        done = health("--target", f"127.0.0.1:{silent.getsockname()[1]}", "--timeout", "0.5")
    assert done.returncode == 1 and one_line(done).startswith("DEADLINE_EXCEEDED")


def test_draining_server_is_unhealthy_and_so_is_a_stopped_one():
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                           "--drain-delay", "3")
    try:
        assert health("--target", server.target).returncode == 0
        server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not server.events("worker_draining"):
            assert time.monotonic() < deadline, "\n".join(server.log_lines)
            time.sleep(0.05)
        # In the drain delay the worker still answers, with NOT_SERVING. In-process, so the
        # check lands inside the delay even on a loaded machine.
        done = health_in_process("--target", server.target)
        assert server.process.poll() is None, "the check should have landed inside the drain delay"
        assert done.returncode == 1 and one_line(done).startswith("NOT_SERVING"), done.output
        assert server.process.wait(timeout=60) == 0
        done = health("--target", server.target)
        assert done.returncode == 1 and one_line(done).startswith("UNAVAILABLE")
    finally:
        server.stop()


def test_tls_needs_the_servers_ca_and_name(tmp_path):
    certs = Certificates(tmp_path)
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(DEMO_PACK),
                           "--tls-cert", certs.server_cert, "--tls-key", certs.server_key,
                           credentials=certs.credentials(client_cert=False))
    try:
        done = health("--target", server.target, "--tls-ca", certs.ca)
        assert done.returncode == 0, done.stdout + done.stderr
        # Plaintext against TLS (as a Kubernetes grpc probe would be): unhealthy, not a hang.
        done = health_in_process("--target", server.target, "--timeout", "5")
        assert done.returncode == 1 and one_line(done).startswith("UNAVAILABLE")
        tls = ("--target", server.target, "--tls-ca", certs.ca)
        done = health_in_process(*tls, "--tls-server-name", "elsewhere.example")  # not in the certificate
        assert done.returncode == 1 and one_line(done).startswith("UNAVAILABLE")
        assert health_in_process(*tls, "--tls-server-name", "localhost").returncode == 0
    finally:
        assert server.stop() == 0
