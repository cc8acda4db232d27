from pathlib import Path

import pytest

from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry

ROOT = Path(__file__).resolve().parent.parent
PACKS_DIR = ROOT / "policy_packs"


@pytest.fixture(scope="session", autouse=True)
def own_state_directory(tmp_path_factory):
    """Servers the tests start keep their decision record (on by default) in this run's own state
    directory: never in the user's, and never carrying history from one run into the next."""
    import os

    previous = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if previous is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = previous


@pytest.fixture(scope="session")
def registry() -> PackRegistry:
    """Every bundled pack, loaded from its installed distribution."""
    return PackRegistry.discover()


@pytest.fixture(scope="session")
def evaluator(registry) -> Evaluator:
    return Evaluator(registry)

DEMO_PACK = Path(__file__).resolve().parent / "packs" / "demo_2020"


@pytest.fixture(scope="session")
def demo_registry() -> PackRegistry:
    """Only the core's test pack: tests of the engine do not depend on the bundled packs."""
    return PackRegistry.discover([DEMO_PACK], installed=False)


@pytest.fixture(scope="session")
def demo(demo_registry) -> Evaluator:
    return Evaluator(demo_registry)


def demo_request(**submission):
    from policyhub.domain.caseio import request_from_dict

    return request_from_dict({"locality": "demo", "date": "2020-06-01", **submission})


@pytest.fixture(scope="session", autouse=True)
def _decision_store_state(tmp_path_factory):
    """Servers the tests start keep their decision record (on by default) in a fresh directory,
    not in the user's state directory: no test sees another run's records."""
    import os

    state = tmp_path_factory.mktemp("policyhub-state")
    previous = os.environ.get("POLICYHUB_SERVE_STATE_DIR")
    os.environ["POLICYHUB_SERVE_STATE_DIR"] = str(state)
    yield state
    if previous is None:
        os.environ.pop("POLICYHUB_SERVE_STATE_DIR", None)
    else:
        os.environ["POLICYHUB_SERVE_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (tests/postgres_server.py), started once for the session."""
    from tests.postgres_server import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


# The decision record's backends: every store test runs on each.
STORE_BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=STORE_BACKENDS)
def store_url(request, tmp_path):
    """A fresh, empty decision store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'decisions.db'}"
    return request.getfixturevalue("postgres").new_database()
