"""Retries on UNAVAILABLE only, within the call's deadline; every call carries its deadline."""

import logging
import socket
import threading

import pytest
from cases import example
from live_server import LiveServer, free_port

from policyhub_client import (
    DeadlineExceededError,
    InvalidArgumentError,
    PolicyHubClient,
    RetryPolicy,
    UnavailableError,
)

FAST = dict(initial_backoff=0.01, max_backoff=0.05)


@pytest.fixture
def request_():
    return example("examples/yuyao_2011/member_pledge.yaml")


@pytest.fixture
def dead_target():
    """A loopback port with nothing listening: every connection is refused."""
    return f"127.0.0.1:{free_port()}"


@pytest.fixture
def silent_target():
    """A port that accepts connections and never answers, so only a deadline can end a call."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []

    def hold():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=hold, daemon=True).start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection in accepted:
        connection.close()


class _RetryWatcher(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.retried = threading.Event()

    def emit(self, record):
        if "UNAVAILABLE" in record.getMessage():
            self.retried.set()


def test_unavailable_is_retried_up_to_max_attempts(dead_target, request_):
    with PolicyHubClient(dead_target, timeout=30, retry=RetryPolicy(max_attempts=3, **FAST)) as client:
        with pytest.raises(UnavailableError) as raised:
            client.evaluate(request_)
    assert raised.value.attempts == 3


def test_the_deadline_stops_retries_before_max_attempts(dead_target, request_):
    policy = RetryPolicy(max_attempts=10_000, initial_backoff=0.05, max_backoff=0.2)
    with PolicyHubClient(dead_target, timeout=1.0, retry=policy) as client:
        with pytest.raises(UnavailableError) as raised:
            client.list_packs()
    assert 1 < raised.value.attempts < 10_000


def test_a_batch_is_retried_too(dead_target, request_):
    with PolicyHubClient(dead_target, timeout=30, retry=RetryPolicy(max_attempts=2, **FAST)) as client:
        with pytest.raises(UnavailableError) as raised:
            list(client.evaluate_batch([request_]))
    assert raised.value.attempts == 2


def test_a_call_made_before_the_server_is_up_succeeds_once_it_is(request_):
    port = free_port()
    watcher = _RetryWatcher()
    logger = logging.getLogger("policyhub_client")
    logger.addHandler(watcher)
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    outcome = {}
    client = PolicyHubClient(f"127.0.0.1:{port}", timeout=120,
                             retry=RetryPolicy(max_attempts=100_000, initial_backoff=0.05, max_backoff=0.5))

    def call():
        try:
            outcome["decision"] = client.evaluate(request_)
        except Exception as exc:  # reported below
            outcome["error"] = exc

    caller = threading.Thread(target=call)
    caller.start()
    server = None
    try:
        assert watcher.retried.wait(30), "the client never retried"
        server = LiveServer(port)
        caller.join(120)
        assert not caller.is_alive()
        assert "error" not in outcome, outcome.get("error")
        assert outcome["decision"]["pack"]["id"] == "yuyao_2011"
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(previous_level)
        if server is not None:
            server.stop()
        caller.join(130)
        client.close()


def test_answers_other_than_unavailable_are_not_retried(client, request_):
    request_["pledge"]["published_at"] = "not a date"
    with pytest.raises(InvalidArgumentError) as raised:
        client.evaluate(request_)
    assert raised.value.attempts == 1


@pytest.mark.parametrize("call", [
    lambda c, r: c.evaluate(r),
    lambda c, r: list(c.evaluate_batch([r, r])),
    lambda c, r: c.list_packs(),
    lambda c, r: c.get_pack("yuyao_2011"),
])
def test_every_call_ends_at_its_deadline_when_the_server_never_answers(silent_target, request_, call):
    with PolicyHubClient(silent_target, timeout=0.3) as client:
        with pytest.raises(DeadlineExceededError) as raised:
            call(client, request_)
    assert raised.value.attempts == 1  # DEADLINE_EXCEEDED is an answer too: not retried


def test_backoff_is_exponential_capped_and_jittered_below_the_cap():
    policy = RetryPolicy(initial_backoff=0.1, max_backoff=1.0, multiplier=2.0)
    ceilings = [policy.backoff(n, rand=lambda: 1.0) for n in range(1, 7)]
    assert ceilings == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert [policy.backoff(n, rand=lambda: 0.5) for n in (1, 6)] == pytest.approx([0.05, 0.5])
    assert all(0 <= policy.backoff(n) <= c for n, c in zip(range(1, 7), ceilings))


def test_nonsense_settings_are_refused():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        PolicyHubClient("127.0.0.1:1", timeout=0)
    with pytest.raises(ValueError):
        PolicyHubClient("127.0.0.1:1").evaluate_batch([], batch_size=0)
