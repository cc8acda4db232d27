"""Every bundled pack's fixture cases through the real server: the same verdicts as in-process.

A case with `settings` (an interpretation's alternative reading) goes to a server of its own,
serving only its pack with thresholds.yaml changed as the settings say.
"""

import shutil
from pathlib import Path

import pytest
import yaml

from policyhub.domain.caseio import load_yaml
from policyhub.authoring.fixtures import case_files, judge, load_cases, rules_of
from policyhub.authoring.testing import grpc_runner

from .conftest import RunningServer

PACKS_DIR = Path(__file__).resolve().parents[2] / "policy_packs"
CASES = [case for f in case_files(sorted(PACKS_DIR.glob("*/fixtures"))) for case in load_cases(f)]


@pytest.fixture(scope="module")
def run_over_grpc(server):
    return grpc_runner(server.target)


def variant(pack_dir: Path, settings: dict, into: Path) -> Path:
    """A copy of the pack with the settings written into its thresholds.yaml."""
    copy = into / pack_dir.name
    shutil.copytree(pack_dir, copy, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    data = load_yaml((copy / "thresholds.yaml").read_text(encoding="utf-8"))
    for key, value in settings.items():
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node[part]
        if isinstance(node[last], dict) and "value" in node[last]:  # {value, clause, quote}
            node[last]["value"] = value
        else:
            node[last] = value
    (copy / "thresholds.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def variant_servers(tmp_path_factory):
    """(pack directory, settings) -> a server serving that pack read with those settings, started on first use."""
    servers: dict = {}

    def get(case):
        pack_dir = Path(case.source.split(":", 1)[0]).resolve().parent.parent
        key = (pack_dir, tuple(sorted((k, repr(v)) for k, v in case.settings.items())))
        if key not in servers:
            directory = variant(pack_dir, case.settings, tmp_path_factory.mktemp("variant"))
            servers[key] = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(directory))
        return servers[key]

    yield get
    for running in servers.values():
        assert running.stop() == 0


@pytest.mark.parametrize("case", CASES, ids=[c.source.split("policy_packs/")[-1] for c in CASES])
def test_fixture_case_over_grpc(case, run_over_grpc, variant_servers, registry):
    run = grpc_runner(variant_servers(case).target) if case.settings else run_over_grpc
    outcome = run(case.request)
    assert judge(case, outcome, rules_of(registry, outcome)) == []
