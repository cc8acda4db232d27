"""Read the deployment files (Dockerfile, compose.yaml, deploy/) the way the tests need them."""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml
from dockerfile_parse import DockerfileParser

from policyhub import cli

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DEPLOY = ROOT / "deploy"
# server.supervise waits this long past --grace before killing a worker that has not drained.
SUPERVISOR_MARGIN_S = 5


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, value)

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]


class Dockerfile:
    def __init__(self, path: Path = DOCKERFILE, parent_env: dict[str, str] | None = None) -> None:
        self.parser = DockerfileParser(str(path), cache_content=True, env_replace=True,
                                       parent_env=parent_env or {})
        self.stages: list[Stage] = []
        for item in self.parser.structure:
            instruction, value = item["instruction"], item["value"]
            if instruction == "FROM":
                words = value.split()
                name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
                self.stages.append(Stage(words[0], name))
            elif instruction != "COMMENT" and self.stages:
                self.stages[-1].instructions.append((instruction, value))

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def env(self) -> dict[str, str]:
        """The final stage's ENV, as the image's processes see it."""
        return dict(self.parser.envs)

    def exec_form(self, instruction: str) -> list[str]:
        (value,) = self.final.values(instruction)
        return json.loads(value)

    def command(self) -> list[str]:
        """What `docker run IMAGE` runs: ENTRYPOINT + CMD."""
        return self.exec_form("ENTRYPOINT") + self.exec_form("CMD")

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """(options, exec-form command) of the final stage's HEALTHCHECK."""
        (value,) = self.final.values("HEALTHCHECK")
        options_text, _, command = value.partition(" CMD ")
        options = dict(word.lstrip("-").split("=", 1) for word in options_text.split())
        return options, json.loads(command)

    def exposed_ports(self) -> set[int]:
        return {int(word.split("/")[0]) for value in self.final.values("EXPOSE") for word in value.split()}

    def run_commands(self, stage: Stage) -> list[list[str]]:
        """Each `&&`-separated shell command of the stage's RUN lines, split into words."""
        commands = []
        for value in stage.values("RUN"):
            words = [w for w in shlex.split(value) if not w.startswith("--mount=")]
            current: list[str] = []
            for word in words + ["&&"]:
                if word in ("&&", ";", "||"):
                    if current:
                        commands.append(current)
                    current = []
                else:
                    current.append(word)
        return commands


def load_yaml_docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def kustomization() -> dict:
    (doc,) = load_yaml_docs(DEPLOY / "kustomization.yaml")
    return doc


def manifests() -> list[dict]:
    """Every Kubernetes object the kustomization applies, in order."""
    return [doc for name in kustomization()["resources"] for doc in load_yaml_docs(DEPLOY / name)]


def only(kind: str) -> dict:
    (found,) = [doc for doc in manifests() if doc["kind"] == kind]
    return found


def compose_services() -> dict[str, dict]:
    return load_yaml_docs(COMPOSE)[0]["services"]


def compose_service() -> dict:
    """The policyhub service (compose.yaml also runs its PostgreSQL)."""
    return compose_services()["policyhub"]


def option_env_vars() -> dict[str, click.Parameter]:
    """Every environment variable the CLI reads for `policyhub` and `policyhub serve` options."""
    found = {}
    for prefix, command in (("POLICYHUB", cli.main), ("POLICYHUB_SERVE", cli.serve)):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            if param.envvar:
                names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar)
            else:  # click's auto_envvar_prefix, used only where no envvar is named
                names = [f"{prefix}_{param.name.upper()}"]
            for name in names:
                found[name] = param
    return found


def serving_env(*layers: dict[str, str]) -> dict[str, str]:
    """POLICYHUB_* settings after applying each layer over the previous (image, then deployment)."""
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update({k: str(v) for k, v in layer.items() if k.startswith("POLICYHUB_")})
    return merged


def venv_bin() -> str:
    """The bin directory of the Python running the tests (the repo's .venv)."""
    return os.path.dirname(sys.executable)
