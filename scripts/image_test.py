"""`make image-test`: build the container image, run it as compose.yaml does, check it, remove it.

Each check prints PASS or FAIL with what it saw; the exit code is 0 only if every check passed.
Everything this run builds or starts carries a per-run tag or name and is removed at the end,
whatever happened (vfs storage grows fast).

Engine: CONTAINER_ENGINE if set (a command, e.g. "docker" or "podman --storage-driver vfs");
else docker when its daemon answers; else podman with the flags the sandboxed CI machines need
(vfs storage, cgroupfs, runc; see tools/container/README.md), with CONTAINERS_CONF defaulting to
tools/container/containers.conf.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's: policyhub test --target runs from it
SERVICE = "policyhub"  # compose.yaml's service of this image (others, e.g. a database, may follow)
# compose keeps the decision record in its PostgreSQL service, with a key from a compose secret; the
# image alone keeps it in SQLite on its volume (Dockerfile), which is what is checked here.
STORE_SETTINGS = frozenset({"POLICYHUB_SERVE_DECISION_STORE", "POLICYHUB_SERVE_DECISION_KEY_FILE"})
TAMPERED_PACK = "yuyao_2011"
EXIT_PACKS_REFUSED = 3
HEALTHY_WITHIN_S = 120  # vfs makes container start slow (≈10 s here); the HEALTHCHECK's start period is 30 s
SANDBOX_PODMAN = ["podman", "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                  "--runtime", shutil.which("runc") or "/usr/sbin/runc"]
# Printed from inside the image: who runs, what the venv holds, where each pack is installed.
FACTS = """
import importlib.metadata as m, importlib.util as u, json, os, sys
dists = {d.metadata["Name"]: d.version for d in m.distributions()}
packs = {ep.name: os.path.dirname(ep.load().__file__) for ep in m.entry_points(group="policyhub.packs")}
print(json.dumps({"uid": os.getuid(), "prefix": sys.prefix, "dists": dists, "packs": packs,
                  "pip": u.find_spec("pip") is not None, "setuptools": u.find_spec("setuptools") is not None}))
"""

results: list[tuple[str, bool]] = []


def check(name: str, passed: bool, detail: str = "") -> bool:
    results.append((name, passed))
    print(f"{'PASS' if passed else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)
    return passed


def engine_command() -> list[str]:
    if os.environ.get("CONTAINER_ENGINE"):
        return shlex.split(os.environ["CONTAINER_ENGINE"])
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        return ["docker"]
    if shutil.which("podman"):
        os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "tools" / "container" / "containers.conf"))
        return SANDBOX_PODMAN
    sys.exit("image-test: neither a docker daemon nor podman (set CONTAINER_ENGINE)")


ENGINE = engine_command()
PODMAN = Path(ENGINE[0]).name == "podman"
RUN_ID = f"{os.getpid()}-{int(time.time())}"
# IMAGE_TEST_IMAGE: check an image already built (not built here, nor removed): for working on this script.
GIVEN_IMAGE = os.environ.get("IMAGE_TEST_IMAGE", "")
IMAGE = GIVEN_IMAGE or f"localhost/policyhub:image-test-{RUN_ID}"
made_containers: list[str] = []


def engine(*args: str, timeout: float = 600, check_rc: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([*ENGINE, *args], capture_output=True, text=True, timeout=timeout)
    if check_rc and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return done


def compose_service() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))["services"][SERVICE]


def hardening_flags(service: dict) -> list[str]:
    """compose.yaml's hardening of the service, as run flags."""
    flags = []
    if service.get("read_only"):
        flags.append("--read-only")
    for tmpfs in service.get("tmpfs", []):
        flags += ["--tmpfs", tmpfs]
    for cap in service.get("cap_drop", []):
        flags += ["--cap-drop", cap]
    for option in service.get("security_opt", []):
        flags += ["--security-opt", option]
    if service.get("user"):
        flags += ["--user", str(service["user"])]
    for key, value in (service.get("environment") or {}).items():
        if key not in STORE_SETTINGS:
            flags += ["--env", f"{key}={value}"]
    return flags


def published_ports(service: dict) -> list[int]:
    """The container ports compose publishes; published here on loopback at ports the engine picks."""
    return [int(str(p).rsplit(":", 1)[1].split("/")[0]) for p in service.get("ports", [])]


def run_container(name: str, *extra: str) -> None:
    service = compose_service()
    ports = [f"127.0.0.1::{port}" for port in published_ports(service)]
    made_containers.append(name)
    engine("run", "-d", "--name", name, *hardening_flags(service),
           *[flag for port in ports for flag in ("-p", port)], *extra, IMAGE, check_rc=True, timeout=300)


def host_port(name: str, container_port: int) -> int:
    out = engine("port", name, f"{container_port}/tcp", check_rc=True).stdout.strip().splitlines()[0]
    return int(out.rsplit(":", 1)[1])


def build() -> bool:
    if GIVEN_IMAGE:
        return check("image given (IMAGE_TEST_IMAGE), not built", engine("image", "exists", IMAGE).returncode == 0
                     if PODMAN else engine("image", "inspect", IMAGE).returncode == 0, IMAGE)
    args = ["build", "-t", IMAGE, "-f", str(ROOT / "Dockerfile")]
    if PODMAN:
        # docker format keeps HEALTHCHECK; --layers=false leaves no intermediate images behind;
        # host networking lets RUN steps reach the package indexes as the host does.
        args += ["--format", "docker", "--layers=false", "--network", "host"]
        ca = os.environ.get("IMAGE_TEST_BUILD_CA", "/etc/ssl/certs/ca-certificates.crt")
        certifi = os.environ.get("IMAGE_TEST_BASE_CERTIFI",
                                 "/usr/local/lib/python3.11/site-packages/pip/_vendor/certifi/cacert.pem")
        if ca and Path(ca).is_file():
            # pip in the base trusts its vendored bundle; during the build only, the host's CA
            # (a mount on `build` applies to RUN steps and leaves nothing in a layer).
            args += ["-v", f"{ca}:{certifi}:ro"]
    started = time.monotonic()
    done = engine(*args, str(ROOT), timeout=3000)
    took = time.monotonic() - started
    log = Path(tempfile.gettempdir()) / f"policyhub-image-test-{RUN_ID}-build.log"
    log.write_text(done.stdout + done.stderr, "utf-8")
    return check("image builds", done.returncode == 0, f"{took:.0f} s, log {log}" if done.returncode else f"{took:.0f} s")


def lock_pins() -> dict[str, str]:
    """The lock's pins that apply to the image (Linux, CPython 3.11): `tzdata ; sys_platform == 'win32'` does not."""
    from packaging.markers import Marker

    image = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
             "python_version": "3.11", "python_full_version": "3.11.0", "implementation_name": "cpython",
             "platform_python_implementation": "CPython"}
    pins = {}
    for line in (ROOT / "requirements" / "runtime.txt").read_text("utf-8").splitlines():
        requirement, _, marker = line.split("#", 1)[0].partition(";")
        if requirement.strip() and (not marker.strip() or Marker(marker.strip()).evaluate(image)):
            name, _, version = requirement.strip().partition("==")
            pins[canonical(name)] = version.strip()
    return pins


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def check_image_contents() -> dict:
    inspect = json.loads(engine("image", "inspect", IMAGE, check_rc=True).stdout)[0]
    config = inspect.get("Config") or {}
    healthcheck = config.get("Healthcheck") or inspect.get("Healthcheck") or {}  # docker / podman
    check("image keeps its HEALTHCHECK", (healthcheck.get("Test") or [""])[0] in ("CMD", "CMD-SHELL"),
          " ".join(healthcheck.get("Test") or ["none"]))
    check("image runs as a numeric non-root user", config.get("User", "").split(":")[0].isdigit()
          and config.get("User", "").split(":")[0] != "0", config.get("User", ""))
    size = inspect.get("Size") or inspect.get("VirtualSize") or 0
    print(f"      image size {size / 1e6:.0f} MB", flush=True)
    done = engine("run", "--rm", "--network", "none", "--entrypoint", "python", IMAGE, "-c", FACTS, timeout=300)
    if not check("facts read inside the image", done.returncode == 0, "" if done.returncode == 0 else done.stderr[-1000:]):
        return {}
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    check("no pip or setuptools in the runtime venv", not facts["pip"] and not facts["setuptools"],
          f"pip {facts['pip']}, setuptools {facts['setuptools']}, venv {facts['prefix']}")
    pins, dists = lock_pins(), {canonical(k): v for k, v in facts["dists"].items()}
    drift = {name: (dists.get(name), version) for name, version in pins.items() if dists.get(name) != version}
    check("the image's dependencies are requirements/runtime.txt's pins", not drift,
          f"{len(pins)} pinned" if not drift else f"image vs pin: {drift}")
    bundled = sorted(p.name for p in (ROOT / "policy_packs").iterdir() if (p / "pack.yaml").is_file())
    check("every bundled pack is installed", sorted(facts["packs"]) == bundled, ", ".join(sorted(facts["packs"])))
    return facts


def wait_healthy(name: str) -> bool:
    started = time.monotonic()
    while time.monotonic() - started < HEALTHY_WITHIN_S:
        if PODMAN:  # no systemd timer here: run the image's own HEALTHCHECK once per try
            healthy = engine("healthcheck", "run", name, timeout=60).returncode == 0
        else:
            status = engine("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
            healthy = status == "healthy"
        if healthy:
            return check("the image's HEALTHCHECK passes", True, f"{time.monotonic() - started:.1f} s after start")
        state = engine("inspect", "-f", "{{.State.Status}}", name).stdout.strip()
        if state in ("exited", "stopped", "dead"):
            break
        time.sleep(2)
    logs = engine("logs", name).stderr[-2000:]
    return check("the image's HEALTHCHECK passes", False, f"not healthy after {time.monotonic() - started:.0f} s\n{logs}")


def check_serving(facts: dict) -> None:
    service = compose_service()
    name = f"policyhub-image-test-{RUN_ID}"
    started = time.monotonic()
    run_container(name)
    print(f"      container started in {time.monotonic() - started:.1f} s", flush=True)
    if not wait_healthy(name):
        return
    grpc_port, metrics_port = (host_port(name, port) for port in published_ports(service)[:2])
    target = f"127.0.0.1:{grpc_port}"
    report = Path(tempfile.gettempdir()) / f"policyhub-image-test-{RUN_ID}-fixtures.json"
    done = subprocess.run([str(BIN / "policyhub"), "test", "--target", target, "--json", str(report),
                           "--min-coverage", "100", "--min-threshold-coverage", "100"],
                          capture_output=True, text=True, timeout=600)
    summary = done.stdout.strip().splitlines()[-1:] or done.stderr.strip().splitlines()[-3:]
    check("every pack's fixtures pass against the published port", done.returncode == 0,
          f"{target}: {' '.join(summary)}" if done.returncode == 0 else done.stdout[-3000:] + done.stderr[-2000:])
    report.unlink(missing_ok=True)
    # Every answered decision is kept on the image's volume (SQLite): the chain walks clean.
    verified = engine("exec", name, "policyhub", "decisions", "verify", timeout=120)
    lines = (verified.stdout + verified.stderr).strip().splitlines()
    kept = next((int(w) for line in lines if line.startswith("ok:") for w in line.split()[1:2] if w.isdigit()), 0)
    check("the decision record kept the answers and its chain verifies", verified.returncode == 0 and kept > 0,
          lines[-1] if lines else f"exit {verified.returncode}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        loaded = [line for line in text.splitlines() if line.startswith("policyhub_pack_loaded{") and line.endswith(" 1.0")]
        check("/metrics on the published port counts every pack loaded",
              len(loaded) == len(facts.get("packs", {})) > 0, f"{len(loaded)} packs")
    except OSError as exc:
        check("/metrics on the published port counts every pack loaded", False, str(exc))
    grace = float(env_of_image().get("POLICYHUB_SERVE_GRACE", "10")) + float(env_of_image().get("POLICYHUB_SERVE_DRAIN_DELAY", "0"))
    # stop: SIGTERM, then SIGKILL after the timeout; exit code 0 means it drained and exited in time.
    started = time.monotonic()
    engine("stop", "-t", str(int(grace)), name, timeout=120)
    took = time.monotonic() - started
    code = engine("inspect", "-f", "{{.State.ExitCode}}", name).stdout.strip()
    check(f"SIGTERM: exit 0 within the grace period ({grace:.0f} s)", code == "0", f"exit {code} after {took:.1f} s")


def env_of_image() -> dict[str, str]:
    config = json.loads(engine("image", "inspect", IMAGE, check_rc=True).stdout)[0].get("Config") or {}
    return dict(item.split("=", 1) for item in config.get("Env") or [])


def check_tampered(facts: dict) -> None:
    """The same image with one pack's pack.yaml edited (bind-mounted over it): it must exit 3."""
    installed = facts.get("packs", {}).get(TAMPERED_PACK)
    if not check(f"{TAMPERED_PACK} is installed in the image", bool(installed)):
        return
    with tempfile.TemporaryDirectory(prefix="policyhub-image-test-") as scratch:
        edited = Path(scratch) / "pack.yaml"
        edited.write_text((ROOT / "policy_packs" / TAMPERED_PACK / "pack.yaml").read_text("utf-8")
                          + "# edited after the image locked it\n", "utf-8")
        edited.chmod(0o644)
        Path(scratch).chmod(0o755)
        name = f"policyhub-image-test-tampered-{RUN_ID}"
        run_container(name, "-v", f"{edited}:{installed}/pack.yaml:ro")
        done = engine("wait", name, timeout=HEALTHY_WITHIN_S)
        code = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "?"
        logs = engine("logs", name)
        lines = []
        for line in (logs.stdout + logs.stderr).splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
        refused = [e for e in lines if e.get("event") == "packs_refused"]
        findings = refused[0]["findings"] if refused else []
        expected = f"{installed}: integrity: pack.yaml: changed since locked"
        check("a tampered pack: the container exits 3 at start", code == str(EXIT_PACKS_REFUSED), f"exit {code}")
        check("a tampered pack: packs_refused names the pack and file", expected in findings,
              "; ".join(findings) or "no packs_refused line")
        check("a tampered pack: no worker ever served", not [e for e in lines if e.get("event") == "worker_serving"])


def cleanup() -> None:
    for name in made_containers:
        engine("rm", "-f", name, timeout=300)
    if not GIVEN_IMAGE:
        engine("rmi", "-f", IMAGE, timeout=300)


def main() -> int:
    print(f"image-test: {' '.join(ENGINE)}, image {IMAGE}", flush=True)
    started = time.monotonic()
    try:
        if build():
            facts = check_image_contents()
            phase = time.monotonic()
            check_serving(facts)
            check_tampered(facts)
            print(f"      checks took {time.monotonic() - phase:.0f} s", flush=True)
    except (subprocess.TimeoutExpired, RuntimeError, OSError, ValueError) as exc:  # an engine that hangs or fails
        check("image-test ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        cleanup()
    failed = [name for name, passed in results if not passed]
    print(f"image-test: {len(results) - len(failed)} passed, {len(failed)} failed, {time.monotonic() - started:.0f} s"
          + (f"; FAILED: {'; '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
