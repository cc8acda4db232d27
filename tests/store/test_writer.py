"""The record writer process (store/writer.py): the rows it stores are those the worker would have
built itself, a batch is committed all or none, retried request ids are answered from the record,
and a writer that dies fails the calls waiting on it (StoreUnavailable) until a new one runs."""

from __future__ import annotations

import os
import signal
import time

import pytest

from policyhub.store.base import StoreUnavailable
from policyhub.store.recorder import Recorder
from policyhub.store.writer import WriterClient
from policyhub.evaluation.evaluator import Evaluator

from .helpers import evaluate, huoerqi_ballot

# Given by the chain once appended (append's own work, the same on both paths).
PLACED = ("seq", "prev_hash", "hash", "recorded_at", "supersedes")


class _Both(Recorder):
    """Records through the writer process, and keeps the row the inline path builds from the same decision."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.inline: dict[str, dict] = {}

    def finished(self, done) -> bytes:
        self.inline[done.decision_id] = self.pending(done).row
        return super().finished(done)


@pytest.fixture
def writer(store, store_config):
    client = WriterClient(store_config)
    yield client
    client.close()


def test_the_writer_stores_the_rows_the_worker_would_have_built(registry, store, pseudonymise, writer):
    recorder = _Both(store, pseudonymise, writer)
    evaluator = Evaluator(registry, observed=False, hook=recorder)
    decisions = [evaluate(evaluator, huoerqi_ballot(2011, request_id="w-1")),
                 evaluate(evaluator, huoerqi_ballot(2012, name="李四 13800138000 li@example.org")),
                 evaluate(evaluator, huoerqi_ballot(2013, unqualified=5, subject="M-OTHER"))]
    with recorder.batch():
        decisions += [evaluate(evaluator, huoerqi_ballot(2014, subject=f"B-{i}")) for i in range(3)]
    assert len(recorder.inline) == 6
    for decision in decisions:
        row = store.get(decision.decision_id)
        built = recorder.inline[decision.decision_id]
        assert {k: v for k, v in row.items() if k not in PLACED} == {k: v for k, v in built.items() if k not in PLACED}
    # the second used the first as history (read in the worker, from what the writer committed)
    assert list(decisions[1].history_refs) == [decisions[0].decision_id]
    assert "李四" not in store.get(decisions[1].decision_id)["input"]


def test_a_retried_request_id_is_answered_from_the_record(registry, store, pseudonymise, writer):
    evaluator = Evaluator(registry, observed=False, hook=Recorder(store, pseudonymise, writer))
    first = evaluate(evaluator, huoerqi_ballot(2011, request_id="again"))
    second = evaluate(evaluator, huoerqi_ballot(2011, request_id="again"))
    assert second.decision_id == first.decision_id
    with pytest.raises(Exception) as refused:
        evaluate(evaluator, huoerqi_ballot(2011, unqualified=3, request_id="again"))
    assert "already used for a different request" in str(refused.value)


def test_a_writer_killed_fails_the_waiting_call_and_a_new_writer_takes_over(registry, store, pseudonymise, writer):
    recorder = Recorder(store, pseudonymise, writer)
    evaluator = Evaluator(registry, observed=False, hook=recorder)
    evaluate(evaluator, huoerqi_ballot(2011, subject="before"))
    first = writer.pid
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while writer.alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not writer.alive()
    # the next call starts a new writer (or, had it raced the death, fails UNAVAILABLE: never unrecorded)
    try:
        decision = evaluate(evaluator, huoerqi_ballot(2012, subject="after"))
    except StoreUnavailable:
        decision = evaluate(evaluator, huoerqi_ballot(2012, subject="after"))
    assert writer.pid != first and writer.alive()
    assert store.get(decision.decision_id) is not None
