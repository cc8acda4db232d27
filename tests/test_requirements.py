"""The pinned lock (requirements/): it covers what pyproject.toml asks for, its two files agree,
and the suite runs on exactly its pins (`make test` installs from it, as the image does)."""

import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK_RUNTIME = ROOT / "requirements" / "runtime.txt"
LOCK_DEV = ROOT / "requirements" / "dev.txt"


def pins(path: Path) -> dict[str, str]:
    """{canonical name: version} of every pin that applies on this interpreter."""
    found = {}
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{path.name}: {line} is not an exact pin"
        if requirement.marker is None or requirement.marker.evaluate(default_environment()):
            found[canonicalize_name(requirement.name)] = spec.version
    return found


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def test_every_runtime_dependency_is_pinned_within_what_pyproject_allows():
    pinned = pins(LOCK_RUNTIME)
    for line in project()["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {LOCK_RUNTIME.name}: run `make lock`"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} outside {requirement.specifier}"


def test_every_dev_dependency_is_pinned_within_what_pyproject_allows():
    pinned = pins(LOCK_DEV)
    for line in [*project()["dependencies"], *project()["optional-dependencies"]["dev"]]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {LOCK_DEV.name}: run `make lock`"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} outside {requirement.specifier}"


def test_the_dev_lock_pins_the_runtime_set_at_the_same_versions():
    runtime, dev = pins(LOCK_RUNTIME), pins(LOCK_DEV)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_suite_runs_on_the_pinned_versions():
    pinned = pins(LOCK_DEV)
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    for name in pins(LOCK_RUNTIME):
        assert name in installed, f"{name} is pinned but not installed in {sys.prefix}"
    drift = {name: (installed[name], version) for name, version in pinned.items()
             if name in installed and installed[name] != version}
    assert not drift, f"installed vs pinned (reinstall with `make .venv/.installed`): {drift}"
