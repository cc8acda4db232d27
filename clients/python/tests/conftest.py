import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import REPO, LiveServer  # noqa: E402

from policyhub_client import PolicyHubClient  # noqa: E402


@pytest.fixture(scope="session")
def server():
    running = LiveServer()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(server):
    with PolicyHubClient(server.target, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
