from pathlib import Path

import pytest

from policyhub.evaluator import Evaluator
from policyhub.registry import PackRegistry

ROOT = Path(__file__).resolve().parent.parent
PACKS_DIR = ROOT / "policy_packs"


@pytest.fixture(scope="session")
def registry() -> PackRegistry:
    """Every bundled pack, loaded from its installed distribution."""
    return PackRegistry.discover()


@pytest.fixture(scope="session")
def evaluator(registry) -> Evaluator:
    return Evaluator(registry)
