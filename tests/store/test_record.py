"""The decision record on each backend (SQLite file, real PostgreSQL): what is kept, the chain and
what `verify` catches, idempotency, history read back (shuangshu_shuangping.md, huoerqi_2010 三、5:
one unqualified year → warning_talk; two in a row → admonition_talk + pay_reduction {ratio 0.8};
three → dismissal for a two-committee member), batches, retention, concurrent writers."""

from __future__ import annotations

import multiprocessing

import orjson
import pytest

from policyhub.domain.errors import InvalidArgument, PolicyError
from policyhub.store import chain
from policyhub.store.base import StoreUnavailable
from policyhub.evaluation.evaluator import Evaluator
from policyhub.store.recorder import Recorder, answer
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.store.writer import WriterClient

from .helpers import codes, count, evaluate, huoerqi_ballot, recording, tamper


def test_a_decision_is_kept_with_its_pack_version_input_and_trace(registry, store, pseudonymise):
    decision = evaluate(recording(registry, store, pseudonymise), huoerqi_ballot(2011, request_id="r-1"))
    row = store.get(decision.decision_id)
    pack = registry.get("huoerqi_2010")
    assert (row["pack_id"], row["pack_version"], row["pack_digest"]) == ("huoerqi_2010", pack.version, pack.digest)
    assert decision.pack.digest == pack.digest and pack.digest.startswith("sha256:")
    assert (row["request_id"], row["as_of"], row["locality"], row["kind"], row["year"]) == ("r-1", "2011-12-05", "huoerqi", "ballot", 2011)
    assert row["grade"] == "unqualified"  # 30 of 40 valid ballots
    assert row["subject"] == pseudonymise("M-HEQ-09") and row["subject"].startswith("pn:")
    stored_input = orjson.loads(row["input"])
    assert stored_input["ballot"]["subject"] == {"id": pseudonymise("M-HEQ-09"), "name": pseudonymise("王隐私"),
                                                 "kind": "individual", "role": "two_committees"}
    assert stored_input["ballot"]["rounds"][0]["tallies"] == {"qualified": 10, "unqualified": 30}
    stored = orjson.loads(row["decision"])
    assert [c["code"] for c in stored["consequences"]] == ["warning_talk"]
    assert {g["subject_id"] for g in stored["grades"]} == {pseudonymise("M-HEQ-09")}
    assert sorted(t["rule_id"] for t in orjson.loads(row["trace"])) == ["huoerqi_2010.ballot.escalation", "huoerqi_2010.ballot.grade"]
    assert "M-HEQ-09" not in row["input"] + row["decision"] + row["trace"]


def test_history_comes_from_the_record_when_the_request_has_none(registry, store, pseudonymise):
    evaluator = recording(registry, store, pseudonymise)
    first = evaluate(evaluator, huoerqi_ballot(2010))
    assert codes(first) == ["warning_talk"] and first.history_source == "record" and list(first.history_refs) == []
    second = evaluate(evaluator, huoerqi_ballot(2011))
    assert codes(second) == ["admonition_talk", "pay_reduction"]
    assert second.consequences[1].params["ratio"] == 0.8
    assert list(second.history_refs) == [first.decision_id] and second.history_source == "record"
    third = evaluate(evaluator, huoerqi_ballot(2012))
    assert codes(third) == ["dismissal"]
    assert list(third.history_refs) == [first.decision_id, second.decision_id]
    # Another subject, and the same subject id in another locality's record, start afresh.
    assert codes(evaluate(evaluator, huoerqi_ballot(2012, subject="M-OTHER"))) == ["warning_talk"]


def test_a_requests_own_history_wins(registry, store, pseudonymise):
    evaluator = recording(registry, store, pseudonymise)
    evaluate(evaluator, huoerqi_ballot(2010))
    decision = evaluate(evaluator, huoerqi_ballot(2011, history=[{"year": 2010, "grade": "qualified"}]))
    assert codes(decision) == ["warning_talk"]  # the request says 2010 was qualified: a run of one
    assert decision.history_source == "request" and list(decision.history_refs) == []


def test_the_latest_decision_of_a_year_counts_and_supersedes_the_earlier(registry, store, pseudonymise):
    evaluator = recording(registry, store, pseudonymise)
    wrong = evaluate(evaluator, huoerqi_ballot(2010, unqualified=30))
    corrected = evaluate(evaluator, huoerqi_ballot(2010, unqualified=10))  # a recount: qualified
    assert store.get(corrected.decision_id)["supersedes"] == wrong.decision_id
    assert store.get(wrong.decision_id)["supersedes"] == ""
    decision = evaluate(evaluator, huoerqi_ballot(2011))
    assert codes(decision) == ["warning_talk"]  # 2010 is qualified now: the run is one year
    assert list(decision.history_refs) == [corrected.decision_id]


def test_packs_that_read_no_history_say_nothing_of_it(registry, store, pseudonymise):
    from tests.reliability import corpus

    evaluator = recording(registry, store, pseudonymise)
    for _, data in corpus.fixture_requests():
        if "pledge" in data and data.get("locality") == "yuyao":
            try:
                decision = evaluate(evaluator, data)
            except PolicyError:  # a case whose point is a refusal
                continue
            assert decision.history_source == "" and list(decision.history_refs) == []
            break
    else:
        pytest.fail("no yuyao pledge fixture")


def test_a_retried_request_id_gets_the_stored_decision_and_a_different_input_is_refused(registry, store, pseudonymise):
    evaluator = recording(registry, store, pseudonymise)
    first = evaluate(evaluator, huoerqi_ballot(2011, request_id="retry-1"))
    again = evaluate(evaluator, huoerqi_ballot(2011, request_id="retry-1"))
    assert again == first  # the same decision, in clear (names in messages, subject ids), under the same id
    assert again.grades[0].subject_id == "M-HEQ-09"
    assert count(store) == 1
    with pytest.raises(InvalidArgument) as refused:
        evaluate(evaluator, huoerqi_ballot(2011, unqualified=5, request_id="retry-1"))
    assert [field for field, _ in refused.value.violations] == ["request_id"]
    assert first.decision_id in refused.value.violations[0][1]
    assert count(store) == 1


def test_bad_input_is_refused_before_anything_is_stored(registry, store, pseudonymise):
    evaluator = recording(registry, store, pseudonymise)
    bad = huoerqi_ballot(2011)
    bad["ballot"]["rounds"][0]["month"] = "2011-13"
    with pytest.raises(InvalidArgument):
        evaluate(evaluator, bad)
    assert count(store) == 0


def test_a_batch_is_committed_together_at_its_end(registry, store, pseudonymise):
    from policyhub.domain.caseio import request_from_dict

    recorder = Recorder(store, pseudonymise)
    evaluator = recording(registry, store, pseudonymise)
    evaluator.hook = recorder
    with recorder.batch() as batch:
        for index, year in enumerate((2010, 2011, 2012)):
            batch.index = index
            evaluator.evaluate(request_from_dict(huoerqi_ballot(year, subject="B-1", request_id=f"b-{year}")))
        assert count(store) == 0  # held until the batch ends
    assert count(store) == 3
    assert [o.status for o, _, _ in batch.outcomes.values()] == ["recorded"] * 3
    assert chain.verify(store.rows(), store.anchor()).ok


def _five(registry, store, pseudonymise) -> list[str]:
    evaluator = recording(registry, store, pseudonymise)
    return [evaluate(evaluator, huoerqi_ballot(2010 + n, subject=f"S-{n}")).decision_id for n in range(5)]


def test_verify_passes_an_untouched_chain(registry, store, pseudonymise):
    ids = _five(registry, store, pseudonymise)
    result = chain.verify(store.rows(), store.anchor())
    assert result.ok and result.records == 5 and result.head_seq == 5
    assert [r["decision_id"] for r in store.rows()] == ids
    assert result.head_hash == store.get(ids[-1])["hash"]


@pytest.mark.parametrize("statements, finding", [
    (["UPDATE decisions SET grade = 'qualified' WHERE seq = 3"], "seq 3 .*edited"),
    (["UPDATE decisions SET decision = replace(decision, 'warning_talk', 'reminder_talk') WHERE seq = 2"], "seq 2 .*edited"),
    (["DELETE FROM decisions WHERE seq = 3"], "seq 4 .*missing or reordered"),
    (["UPDATE decisions SET seq = -1 WHERE seq = 2", "UPDATE decisions SET seq = 2 WHERE seq = 4",
      "UPDATE decisions SET seq = 4 WHERE seq = -1"], "seq 2 .*does not follow"),
])
def test_verify_catches_an_edited_deleted_or_reordered_record(registry, store, pseudonymise, store_url, statements, finding):
    import re

    _five(registry, store, pseudonymise)
    store.close()
    tamper(store_url, *statements)
    result = chain.verify(store.rows(), store.anchor())
    assert not result.ok
    assert any(re.search(finding, problem) for problem in result.problems), result.problems


def test_retention_removes_the_oldest_and_the_rest_still_verifies(registry, store, pseudonymise, store_url):
    ids = _five(registry, store, pseudonymise)
    cutoff = store.get(ids[2])["recorded_at"]
    assert store.purge_before(cutoff) == 2
    result = chain.verify(store.rows(), store.anchor())
    assert result.ok and result.records == 3 and store.anchor()[0] == 2
    store.close()
    tamper(store_url, "DELETE FROM decisions WHERE seq = 3")  # the new first record: the anchor catches it
    assert not chain.verify(store.rows(), store.anchor()).ok


def test_list_filters_and_pages(registry, store, pseudonymise):
    from policyhub.store.service import list_filters
    from policyhub.v1 import decisions_pb2

    evaluator = recording(registry, store, pseudonymise)
    mine = [evaluate(evaluator, huoerqi_ballot(year)).decision_id for year in (2010, 2011, 2012)]
    evaluate(evaluator, huoerqi_ballot(2012, subject="M-OTHER"))
    request = decisions_pb2.ListDecisionsRequest(subject_id="M-HEQ-09", page_size=2)
    filters, after, size = list_filters(request, pseudonymise)
    page = store.list(filters, after, size + 1)
    assert [r["decision_id"] for r in page[:size]] == mine[:2] and len(page) == 3
    filters, after, size = list_filters(decisions_pb2.ListDecisionsRequest(
        subject=pseudonymise("M-HEQ-09"), page_size=2, page_token=str(page[1]["seq"])), pseudonymise)
    assert [r["decision_id"] for r in store.list(filters, after, size + 1)] == mine[2:]
    filters, _, _ = list_filters(decisions_pb2.ListDecisionsRequest(pack="huoerqi_2010@1.0.0", kind="ballot",
                                                                     locality="huoerqi", recorded_from="2000-01-01"), pseudonymise)
    assert len(store.list(filters)) == 4
    filters, _, _ = list_filters(decisions_pb2.ListDecisionsRequest(recorded_to="2000-01-01"), pseudonymise)
    assert store.list(filters) == []
    with pytest.raises(InvalidArgument) as bad:
        list_filters(decisions_pb2.ListDecisionsRequest(recorded_from="yesterday", kind="vote"), pseudonymise)
    assert {field for field, _ in bad.value.violations} == {"recorded_from", "kind"}


def test_concurrent_writers_in_several_processes_keep_one_chain(store_url, store, key_file):
    from .writers import append_many

    context = multiprocessing.get_context("spawn")
    writers, each = 4, 15
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(writers) as pool:
            pending = [pool.apply_async(append_many, (store_url, key_file, w, each, start)) for w in range(writers)]
            start.set()
            ids = [i for p in pending for i in p.get(timeout=300)]
    rows = list(store.rows())
    assert sorted(r["decision_id"] for r in rows) == sorted(ids)
    assert [r["seq"] for r in rows] == list(range(1, writers * each + 1))
    result = chain.verify(rows, store.anchor())
    assert result.ok, result.problems


def test_a_store_that_cannot_write_fails_the_call_with_unavailable(registry, store_config, store, pseudonymise, postgres_if_used):
    evaluator = recording(registry, store, pseudonymise)
    evaluate(evaluator, huoerqi_ballot(2010))
    recorder = evaluator.hook
    changes = []
    recorder.on_health = changes.append
    with postgres_if_used.down(store):
        with pytest.raises(StoreUnavailable):  # a record of more than a page: it needs room the store lacks
            evaluate(evaluator, huoerqi_ballot(2011, subject="X", request_id="retry-" + "x" * 8192))
        assert changes == [False] and not recorder.healthy
        assert not recorder.probe()
    assert recorder.probe() and changes == [False, True]
    decision = evaluate(evaluator, huoerqi_ballot(2011, subject="X"))
    assert store.get(decision.decision_id) is not None


@pytest.fixture
def postgres_if_used(store_config, request):
    """How to take this backend's store down: PostgreSQL stopped; SQLite full (its size cap reached)."""
    import contextlib

    class Down:
        @contextlib.contextmanager
        def down(self, store):
            if store_config.is_postgresql:
                server = request.getfixturevalue("postgres")
                server.pause()
                try:
                    yield
                finally:
                    server.resume()
            else:
                # A cap at the database's size (SQLite never lowers max_page_count below it): a
                # record larger than the room left in its pages is "database or disk is full".
                store.close()
                store.max_bytes = 1
                try:
                    yield
                finally:
                    store.close()
                    store.max_bytes = None
    return Down()


def test_the_stored_decision_is_the_answer_in_canonical_json(evaluator):
    """decision_dict is a hand-written json_format: it must keep every field an answer has (notes too)."""
    from google.protobuf import json_format

    from policyhub.store.recorder import decision_dict
    from tests.reliability import corpus

    checked = 0
    for _, data in corpus.fixture_requests():
        try:
            decision = evaluate(evaluator, data)
        except PolicyError:
            continue
        expected = json_format.MessageToDict(decision, preserving_proto_field_name=True)
        expected.pop("trace", None)
        assert decision_dict(decision) == expected
        checked += 1
    assert checked > 300


@pytest.mark.parametrize("through", ["inline", "writer process"])
def test_a_batch_reads_the_history_its_earlier_items_decided(registry, store, pseudonymise, store_config, through):
    """Three unqualified years of one cadre in one EvaluateBatch, no history sent: each item sees the
    items decided before it, as three calls one after the other would (huoerqi 三、5: the second
    unqualified year is admonition and 80 % pay, the third dismissal), naming them in history_refs;
    all three are committed together."""
    writer = None
    if through == "writer process":
        writer = WriterClient(store_config)
        writer.start()
        assert writer.wait_ready(60)
    try:
        recorder = Recorder(store, pseudonymise, writer)
        evaluator = Evaluator(registry, observed=False, hook=recorder)
        with recorder.batch() as batch:
            decided = []
            for index, year in enumerate((2010, 2011, 2012)):
                batch.index = index
                decided.append(evaluate(evaluator, huoerqi_ballot(year)))
            batch.index = 3
            other = evaluate(evaluator, huoerqi_ballot(2012, subject="M-OTHER"))  # another cadre: afresh
        first, second, third = decided
        assert codes(first) == ["warning_talk"] and list(first.history_refs) == []
        assert codes(second) == ["admonition_talk", "pay_reduction"] and second.consequences[1].params["ratio"] == 0.8
        assert list(second.history_refs) == [first.decision_id] and second.history_source == "record"
        assert codes(third) == ["dismissal"] and list(third.history_refs) == [first.decision_id, second.decision_id]
        assert codes(other) == ["warning_talk"] and list(other.history_refs) == []
        assert all(store.get(d.decision_id) is not None for d in (*decided, other))
        # and a later call reads all three from the record
        fourth = evaluate(evaluator, huoerqi_ballot(2013))
        assert list(fourth.history_refs) == [first.decision_id, second.decision_id, third.decision_id]
    finally:
        if writer is not None:
            writer.close()


def test_a_retried_batch_is_answered_as_recorded_with_its_history(registry, store, pseudonymise):
    """The same batch sent twice (request ids kept): the second time every item is answered with its
    recorded decision, in clear, citing the recorded decisions (not the retry's own, never stored)."""
    recorder = Recorder(store, pseudonymise)
    evaluator = Evaluator(registry, observed=False, hook=recorder)

    def send():
        with recorder.batch() as batch:
            for index, year in enumerate((2010, 2011)):
                batch.index = index
                evaluate(evaluator, huoerqi_ballot(year, request_id=f"retry-{year}"))
        return [pb.Decision.FromString(answer(*batch.outcomes[i])) for i in range(2)]

    first = send()
    again = send()
    assert codes(first[1]) == ["admonition_talk", "pay_reduction"] and list(first[1].history_refs) == [first[0].decision_id]
    assert again == first
    assert count(store) == 2
