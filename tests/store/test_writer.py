"""The record writer process (store/writer.py): the rows it stores are those the worker would have
built itself, a batch is committed all or none, retried request ids are answered from the record,
and a writer that dies fails only the call it held (StoreUnavailable); the recorder commits the
records itself until a new writer is ready."""

from __future__ import annotations

import os
import signal

import pytest

from policyhub.store.base import StoreUnavailable
from policyhub.domain.errors import InvalidArgument
from policyhub.store.recorder import Recorder, answer
from policyhub.v1 import policyhub_pb2 as pb
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
    client.start()
    assert client.wait_ready(60)
    yield client
    client.close()


def test_the_writer_stores_the_rows_the_worker_would_have_built(registry, store, pseudonymise, writer):
    recorder = _Both(store, pseudonymise, writer)
    evaluator = Evaluator(registry, observed=False, hook=recorder)
    with recorder.batch():  # held records go to the writer (a unary call's are committed inline)
        decisions = [evaluate(evaluator, huoerqi_ballot(2011, request_id="w-1"))]
    with recorder.batch():
        decisions += [evaluate(evaluator, huoerqi_ballot(2012, name="李四 13800138000 li@example.org")),
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
    recorder = Recorder(store, pseudonymise, writer)
    evaluator = Evaluator(registry, observed=False, hook=recorder)

    def batched(ballot):
        with recorder.batch() as batch:
            return evaluate(evaluator, ballot), batch

    first, _ = batched(huoerqi_ballot(2011, request_id="again"))
    _, batch = batched(huoerqi_ballot(2011, request_id="again"))
    assert batch.outcomes[0][0].status == "stored"  # found by the writer
    assert pb.Decision.FromString(answer(*batch.outcomes[0])).decision_id == first.decision_id
    _, batch = batched(huoerqi_ballot(2011, unqualified=3, request_id="again"))
    with pytest.raises(InvalidArgument, match="already used for a different request"):
        answer(*batch.outcomes[0])


def test_a_writer_killed_fails_only_the_call_it_held_and_a_new_writer_takes_over(registry, store, pseudonymise, writer):
    recorder = Recorder(store, pseudonymise, writer)
    evaluator = Evaluator(registry, observed=False, hook=recorder)

    def batched(ballot):
        with recorder.batch():
            return evaluate(evaluator, ballot)

    batched(huoerqi_ballot(2011, subject="before"))
    first = writer.pid
    os.kill(first, signal.SIGKILL)
    writer._pipes.process.join(10)
    with pytest.raises(StoreUnavailable, match="writer gone"):  # held by the dead writer: may or may not be in
        batched(huoerqi_ballot(2012, subject="lost"))
    assert recorder.healthy  # the store itself is fine
    meanwhile = batched(huoerqi_ballot(2013, subject="meanwhile"))  # committed here until a new writer is ready
    assert store.get(meanwhile.decision_id) is not None
    assert writer.wait_ready(60) and writer.pid != first
    after = batched(huoerqi_ballot(2014, subject="after"))
    assert store.get(after.decision_id) is not None
