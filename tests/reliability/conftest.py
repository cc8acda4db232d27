"""The reliability suite's set-up: hypothesis profiles, a real server with the test packs, the tally.

Profiles (POLICYHUB_FUZZ_PROFILE): `ci` (default) runs a few hundred derandomized examples per
test, so CI is short and repeatable; `long` (make fuzz-long) draws fresh random examples and
shares POLICYHUB_FUZZ_REQUESTS requests out among the fuzz tests.
"""

from __future__ import annotations

import os

import grpc
import pytest
from hypothesis import HealthCheck, settings

from tests.integration.conftest import RunningServer

from . import tally
from .corpus import DEMO_PACK, FAULTY_PACK
from .workers import wait_workers

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                 HealthCheck.large_base_example]
settings.register_profile("ci", derandomize=True, deadline=None, database=None,
                          suppress_health_check=_SLOW_IS_FINE, print_blob=True)
settings.register_profile("long", derandomize=False, deadline=None, database=None,
                          suppress_health_check=_SLOW_IS_FINE, print_blob=True)
PROFILE = os.environ.get("POLICYHUB_FUZZ_PROFILE", "ci")
settings.load_profile(PROFILE)
LONG_REQUESTS = int(os.environ.get("POLICYHUB_FUZZ_REQUESTS", "100000"))

# Large enough for any answer the fuzz can provoke; the server's own limit is what is tested.
# A channel of its own connection (not gRPC's shared subchannel pool), so clients reach both workers.
CLIENT_OPTIONS = [("grpc.max_receive_message_length", 256 * 1024 * 1024),
                  ("grpc.max_send_message_length", 256 * 1024 * 1024), ("grpc.use_local_subchannel_pool", 1)]


def examples(in_ci: int, share_of_long: float) -> int:
    """How many examples a fuzz test draws: `in_ci` in CI, its share of the long run's requests."""
    return in_ci if PROFILE == "ci" else max(1, int(LONG_REQUESTS * share_of_long))


@pytest.fixture(scope="session")
def reliability_server():
    """Two workers, every bundled pack, the demo and the faulty test packs, /metrics on.

    No decision record: these tests compare answers with in-process evaluation, and history read
    from a record would (rightly) change huoerqi's escalations. The record under the same load and
    the same planted personal data: tests/integration/test_decision_record.py."""
    running = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK), "--pack-path", str(FAULTY_PACK),
                            "--metrics-port", "0", "--decision-store", "none")
    wait_workers(running, 2)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="session")
def reliability_channel(reliability_server):
    with grpc.insecure_channel(reliability_server.target, options=CLIENT_OPTIONS) as channel:
        yield channel


def pytest_terminal_summary(terminalreporter):
    if tally.total():
        terminalreporter.section("policyhub fuzz")
        for line in tally.lines():
            terminalreporter.write_line(line)
        if tally.report_path():
            tally.write(tally.report_path())
