"""What the image would run, run here as a plain process with the image's environment.

The suite needs no container engine (`make image-test` builds and runs the real image, in CI after
the suite), so here the Dockerfile's final stage is read instead:
its ENV, its ENTRYPOINT + CMD and its HEALTHCHECK command. The command runs from the repo's
.venv with that environment, overriding only what differs outside a container: the venv's
bin directory for /opt/policyhub/bin, 127.0.0.1 for 0.0.0.0, free ports for the fixed ones, and
a lock file made here, by the build stage's own `pack lock` command, for the one the image copies.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request

from tests.deploy_files import SUPERVISOR_MARGIN_S, Dockerfile, venv_bin

IMAGE_VENV_BIN = "/opt/policyhub/bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resolve(command: list[str], env: dict[str, str]) -> list[str]:
    """argv[0] looked up on the environment's PATH, as the container runtime does."""
    found = shutil.which(command[0], path=env["PATH"])
    assert found, f"{command[0]} not on {env['PATH']}"
    return [found, *command[1:]]


def duration_s(text: str) -> float:
    return float(text[:-1]) * {"s": 1, "m": 60}[text[-1]]


def image_environment(dockerfile: Dockerfile, lock_file: str) -> dict[str, str]:
    image_env = dockerfile.env()
    assert image_env["PATH"].startswith(IMAGE_VENV_BIN + ":")
    overrides = {
        "PATH": image_env["PATH"].replace(IMAGE_VENV_BIN, venv_bin(), 1),
        "POLICYHUB_SERVE_HOST": "127.0.0.1",
        "POLICYHUB_SERVE_PORT": str(free_port()),
        "POLICYHUB_SERVE_METRICS_PORT": str(free_port()),
        "POLICYHUB_SERVE_LOCK_FILE": lock_file,
        # the image's volume for the decision record: a directory of the test's own here
        "POLICYHUB_SERVE_STATE_DIR": os.path.join(os.path.dirname(lock_file), "state"),
    }
    assert set(overrides) <= set(image_env), "override only what the image sets"
    # The host's own policyhub or Prometheus settings must not leak in: the image has none.
    host = {k: v for k, v in os.environ.items()
            if not k.startswith("POLICYHUB_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    return {**host, **image_env, **overrides}


def make_lock(dockerfile: Dockerfile, env: dict[str, str], output: str) -> None:
    """The build stage's `policyhub pack lock --output FILE`, with FILE here."""
    (command,) = [words for words in dockerfile.run_commands(dockerfile.stages[0])
                  if words[-4:-1] == ["pack", "lock", "--output"]]
    assert os.path.dirname(command[0]) == IMAGE_VENV_BIN
    argv = resolve([os.path.basename(command[0]), *command[1:-1], output], env)
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_images_command_serves_passes_its_healthcheck_and_stops_cleanly_on_sigterm(tmp_path):
    dockerfile = Dockerfile(parent_env={"PATH": os.environ["PATH"]})
    lock_file = str(tmp_path / "packs.lock")
    env = image_environment(dockerfile, lock_file)
    make_lock(dockerfile, env, lock_file)
    options, healthcheck = dockerfile.healthcheck()

    workdir = tmp_path / "workdir"  # the image's WORKDIR: empty, nothing read from it
    workdir.mkdir()
    process = subprocess.Popen(resolve(dockerfile.command(), env), env=env, cwd=workdir,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log_lines: list[str] = []
    reader = threading.Thread(target=lambda: log_lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        # Docker's patience: the start period, then `retries` failed checks `interval` apart.
        patience = duration_s(options["start-period"]) + int(options["retries"]) * duration_s(options["interval"])
        deadline = time.monotonic() + patience
        while True:
            check = subprocess.run(resolve(healthcheck, env), env=env, capture_output=True, text=True,
                                   timeout=duration_s(options["timeout"]) + 10)
            if check.returncode == 0:
                break
            assert process.poll() is None, "serve exited:\n" + "".join(log_lines)
            assert time.monotonic() < deadline, check.stdout + "".join(log_lines)
            time.sleep(0.5)
        assert check.stdout.startswith(f"SERVING 127.0.0.1:{env['POLICYHUB_SERVE_PORT']} ")

        events = [json.loads(line) for line in list(log_lines) if line.startswith("{")]
        (serving,) = [e for e in events if e.get("event") == "serving"]
        assert serving["port"] == int(env["POLICYHUB_SERVE_PORT"])
        assert serving["workers"] == int(env["POLICYHUB_SERVE_WORKERS"])
        metrics_url = f"http://127.0.0.1:{env['POLICYHUB_SERVE_METRICS_PORT']}/metrics"
        with urllib.request.urlopen(metrics_url, timeout=10) as answer:
            assert answer.status == 200 and b"policyhub_" in answer.read()

        process.send_signal(signal.SIGTERM)
        budget = (float(env.get("POLICYHUB_SERVE_DRAIN_DELAY", 0)) + float(env["POLICYHUB_SERVE_GRACE"])
                  + SUPERVISOR_MARGIN_S + 10)
        assert process.wait(timeout=budget) == 0, "".join(log_lines)
        after = subprocess.run(resolve(healthcheck, env), env=env, capture_output=True, text=True, timeout=30)
        assert after.returncode == 1, after.stdout
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
