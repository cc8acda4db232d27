"""The decision record through a real server, on SQLite and on a real PostgreSQL: the issue's
"done when" (huoerqi 2011 then 2012 without history: admonition and 80 % pay naming the first;
replay after an upgrade; verify catching a hand edit), the Decisions service on the admin port,
a store that goes down, workers killed with -9 under load, and no personal data in the store.

Expected consequences: shuangshu_shuangping.md, huoerqi_2010.ballot.escalation (三、5): a run of
one unqualified year → warning_talk; two → admonition_talk + pay_reduction {ratio: 0.8}.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.store import chain
from policyhub.store.config import StoreConfig, open_store
from policyhub.v1 import decisions_pb2, decisions_pb2_grpc
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.v1 import policyhub_pb2_grpc

from tests.reliability.workers import current_pids, wait_workers
from tests.store.helpers import huoerqi_ballot
from tests.store.test_replay import upgraded_huoerqi

from .conftest import RunningServer

CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]  # each channel its own connection: both workers get calls


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("integration-key-" + "x" * 32)
    return str(path)


@pytest.fixture
def store_args(store_url, key_file):
    return ["--decision-store", store_url, "--decision-key-file", key_file]


def decisions_cli(store_args, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policyhub", "decisions", *args, *store_args],
                          capture_output=True, text=True, timeout=120)


def opened(store_url, key_file):
    return open_store(StoreConfig(store=store_url, key_file=key_file))


def test_one_batch_escalates_over_its_own_earlier_years(store_url, store_args, grpc_server):
    """Three unqualified years of one cadre in one EvaluateBatch without history: the second is
    admonition and 80 % pay, the third dismissal, each naming the earlier items (threads and aio;
    committed inline or by the record writer, whichever is ready)."""
    server = RunningServer("--workers", "1", *store_args)
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            batch = pb.EvaluateBatchRequest(requests=[request_from_dict(huoerqi_ballot(year)) for year in (2010, 2011, 2012)])
            first, second, third = (r.decision for r in stub.EvaluateBatch(batch, timeout=30).results)
    finally:
        assert server.stop() == 0
    assert [c.code for c in first.consequences] == ["warning_talk"]
    assert [c.code for c in second.consequences] == ["admonition_talk", "pay_reduction"]
    assert second.consequences[1].params["ratio"] == 0.8 and list(second.history_refs) == [first.decision_id]
    assert [c.code for c in third.consequences] == ["dismissal"]
    assert list(third.history_refs) == [first.decision_id, second.decision_id]


def test_done_when_history_from_the_record_replay_after_upgrade_and_verify(store_url, store_args, key_file, tmp_path):
    server = RunningServer("--workers", "2", "--admin-port", "0", *store_args)
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            first = stub.Evaluate(request_from_dict(huoerqi_ballot(2011)), timeout=30)
            second = stub.Evaluate(request_from_dict(huoerqi_ballot(2012)), timeout=30)
        assert [c.code for c in first.consequences] == ["warning_talk"]
        assert [c.code for c in second.consequences] == ["admonition_talk", "pay_reduction"]
        assert second.consequences[1].params["ratio"] == 0.8
        assert list(second.history_refs) == [first.decision_id] and second.history_source == "record"
        assert second.pack.digest.startswith("sha256:")

        with grpc.insecure_channel(f"127.0.0.1:{server.serving['admin_port']}") as admin:
            decisions = decisions_pb2_grpc.DecisionsStub(admin)
            record = decisions.GetDecision(decisions_pb2.GetDecisionRequest(decision_id=second.decision_id), timeout=30)
            assert record.seq == 2 and record.year == 2012 and record.grade == "unqualified"
            assert record.decision.history_refs == [first.decision_id]
            assert record.subject.startswith("pn:") and "M-HEQ-09" not in str(record)
            listed = decisions.ListDecisions(decisions_pb2.ListDecisionsRequest(subject_id="M-HEQ-09", locality="huoerqi"),
                                             timeout=30)
            assert [r.decision_id for r in listed.records] == [first.decision_id, second.decision_id]
            assert decisions.ReplayDecision(decisions_pb2.ReplayDecisionRequest(decision_id=second.decision_id),
                                            timeout=60).identical
            assert decisions.VerifyRecord(decisions_pb2.VerifyRecordRequest(), timeout=30).ok
            with pytest.raises(grpc.RpcError) as missing:
                decisions.GetDecision(decisions_pb2.GetDecisionRequest(decision_id="01NOSUCH"), timeout=30)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            with pytest.raises(grpc.RpcError) as bad:
                decisions.ListDecisions(decisions_pb2.ListDecisionsRequest(recorded_from="last week"), timeout=30)
            assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "recorded_from" in bad.value.details()
        with grpc.insecure_channel(server.target) as channel:  # the record is not on the public port
            with pytest.raises(grpc.RpcError) as public:
                decisions_pb2_grpc.DecisionsStub(channel).VerifyRecord(decisions_pb2.VerifyRecordRequest(), timeout=30)
            assert public.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        assert server.stop() == 0

    # The pack is upgraded (1.1.0 pays 70 %) and 1.0.0 is no longer installed or served.
    upgraded = upgraded_huoerqi(tmp_path)
    server = RunningServer("--workers", "1", "--no-installed-packs", "--pack-path", str(upgraded), *store_args)
    try:
        with grpc.insecure_channel(server.target) as channel:
            third = policyhub_pb2_grpc.PolicyHubStub(channel).Evaluate(
                request_from_dict(huoerqi_ballot(2014, subject="M-LATER")), timeout=30)
        assert third.pack.version == "1.1.0"
    finally:
        assert server.stop() == 0
    replayed = decisions_cli(store_args, "replay", second.decision_id)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert f"{second.decision_id}: identical on huoerqi_2010@1.0.0 ({second.pack.digest})" in replayed.stdout
    shown = json.loads(decisions_cli(store_args, "show", second.decision_id).stdout)
    assert shown["decision"]["consequences"][1]["params"] == {"ratio": 0.8}
    verified = decisions_cli(store_args, "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok: 3 records"), verified.stdout

    # A record edited by hand in the database: verify names it and fails.
    if store_url.startswith("sqlite:///"):
        with sqlite3.connect(store_url[len("sqlite:///"):]) as conn:
            conn.execute("UPDATE decisions SET decision = replace(decision, 'pay_reduction', 'warning_talk') WHERE seq = 2")
    else:
        import psycopg

        with psycopg.connect(store_url) as conn:
            conn.execute("UPDATE decisions SET decision = replace(decision, 'pay_reduction', 'warning_talk') WHERE seq = 2")
    verified = decisions_cli(store_args, "verify")
    assert verified.returncode == 1
    assert f"record seq 2 ({second.decision_id}): content does not match its hash (edited)" in verified.stdout


def _health(target: str, service: str) -> int:
    with grpc.insecure_channel(target) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)


def test_a_store_that_is_down_or_full_fails_calls_with_unavailable_and_health_says_so(store_url, store_args, request, grpc_server):
    postgres = store_url.startswith("postgresql://")
    extra = [] if postgres else ["--decision-store-max-mb", "1"]
    server = RunningServer("--workers", "1", *store_args, *extra)
    serving, not_serving = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            stub.Evaluate(request_from_dict(huoerqi_ballot(2011)), timeout=30)
            if postgres:
                request.getfixturevalue("postgres").pause()
            failed = None
            try:
                for n in range(400):  # SQLite: until the 1 MB cap is reached
                    batch = pb.EvaluateBatchRequest(requests=[request_from_dict(huoerqi_ballot(2011, subject=f"F-{n}-{i}"))
                                                              for i in range(25)])
                    try:
                        stub.EvaluateBatch(batch, timeout=30)
                    except grpc.RpcError as exc:
                        failed = exc
                        break
                assert failed is not None and failed.code() == grpc.StatusCode.UNAVAILABLE, failed
                assert "decision store" in failed.details()
                with pytest.raises(grpc.RpcError) as unary:
                    for n in range(100):  # a single record may still fit where a batch did not
                        stub.Evaluate(request_from_dict(huoerqi_ballot(2011, subject=f"U-{n}")), timeout=30)
                assert unary.value.code() == grpc.StatusCode.UNAVAILABLE
                _wait(lambda: _health(server.target, "policyhub.v1.PolicyHub") == not_serving)
                assert _health(server.target, "") == serving  # liveness: restarting would not help
                assert server.events("decision_store_unavailable")
            finally:
                if postgres:
                    request.getfixturevalue("postgres").resume()
            if postgres:  # back: the probe finds it, and calls are recorded again
                _wait(lambda: _health(server.target, "policyhub.v1.PolicyHub") == serving)
                stub.Evaluate(request_from_dict(huoerqi_ballot(2011, subject="U-2")), timeout=30)
    finally:
        assert server.stop() == 0


def _load(target: str, tag: str, stop: threading.Event, answered: list[str], failed) -> None:
    """Until `stop`: unary huoerqi ballots (request ids `tag`-i) and, every third call, a batch of 8
    years of one subject; each answered decision id into `answered`, each failed call to `failed`."""
    with grpc.insecure_channel(target, options=CHANNEL_OPTIONS) as channel:
        stub = policyhub_pb2_grpc.PolicyHubStub(channel)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 3:
                    decision = stub.Evaluate(request_from_dict(huoerqi_ballot(2011, subject=f"{tag}-{i}",
                                                                              request_id=f"{tag}-{i}")), timeout=10)
                    answered.append(decision.decision_id)
                else:
                    batch = pb.EvaluateBatchRequest(requests=[request_from_dict(huoerqi_ballot(2010 + j, subject=f"{tag}-{i}"))
                                                              for j in range(8)])
                    answered.extend(r.decision.decision_id for r in stub.EvaluateBatch(batch, timeout=10).results)
            except grpc.RpcError as exc:
                failed(exc)


def test_workers_killed_under_load_lose_no_answered_decision_and_leave_no_half_record(store_url, store_args, key_file, grpc_server):
    server = RunningServer("--workers", "2", *store_args)
    answered: list[str] = []
    errors: list[str] = []
    stop = threading.Event()

    def failed(exc: grpc.RpcError) -> None:  # a call on a killed worker fails: it was not answered
        if exc.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                              grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL):
            errors.append(f"{exc.code().name}: {exc.details()}")

    def client(n: int) -> None:
        _load(server.target, f"kill-{n}", stop, answered, failed)

    try:
        wait_workers(server, 2)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        killed = 0
        for _ in range(3):
            _wait(lambda: len(answered) > 150 * (killed + 1), timeout=120)
            pids = current_pids(server)
            os.kill(pids[killed % 2], signal.SIGKILL)  # mid-write, as a crash in the engine would
            killed += 1
            _wait(lambda: len(server.events("worker_serving")) >= 2 + killed, timeout=60)
        _wait(lambda: len(answered) > 150 * (killed + 1), timeout=120)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop.set()
        assert server.stop() == 0
    assert errors == []
    assert len(server.events("worker_died")) == 3
    store, _ = opened(store_url, key_file)
    rows = list(store.rows())
    kept = {row["decision_id"] for row in rows}
    missing = [decision_id for decision_id in answered if decision_id not in kept]
    assert missing == [] and len(answered) > 600
    result = chain.verify(rows, store.anchor())  # a half-written record would break its hash or the links
    assert result.ok, result.problems
    assert all(json.loads(row["decision"])["decision_id"] == row["decision_id"] for row in rows)


def test_a_record_writer_killed_under_load_fails_only_unanswered_calls_and_a_new_one_takes_over(
        store_url, store_args, key_file, grpc_server):
    """The worker's record writer process (store/writer.py) killed -9 mid-commit: the calls waiting on
    it fail UNAVAILABLE, every call answered OK is in the store, and the worker (still the same
    process) records again through a new writer."""
    server = RunningServer("--workers", "1", *store_args)
    answered: list[str] = []
    failed: list[str] = []
    stop = threading.Event()

    def client(n: int) -> None:
        _load(server.target, f"writer-{n}", stop, answered, lambda exc: failed.append(f"{exc.code().name}: {exc.details()}"))

    try:
        wait_workers(server, 1)
        worker = current_pids(server)[0]
        # the writer starts once the worker serves (records are committed inline until it is ready)
        _wait(lambda: server.events("decision_record_writer_started"), timeout=60)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for killed in range(1, 3):
            _wait(lambda: len(answered) > 150 * killed, timeout=120)
            writers = server.events("decision_record_writer_started")
            os.kill(writers[-1]["pid"], signal.SIGKILL)
            _wait(lambda: len(server.events("decision_record_writer_started")) > len(writers), timeout=60)
        count = len(answered)
        _wait(lambda: len(answered) > count + 150, timeout=120)  # served again, through the new writer
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert current_pids(server) == {0: worker} and not server.events("worker_died")
    finally:
        stop.set()
        assert server.stop() == 0
    # a kill between two commits fails no call: those that waited on the killed writer fail UNAVAILABLE
    assert all(f.startswith("UNAVAILABLE: decision record writer") for f in failed), failed[:5]
    assert not server.events("decision_store_unavailable")  # a writer's death is not the store's: health stays
    store, _ = opened(store_url, key_file)
    rows = list(store.rows())
    kept = {row["decision_id"] for row in rows}
    assert [decision_id for decision_id in answered if decision_id not in kept] == []
    result = chain.verify(rows, store.anchor())
    assert result.ok, result.problems


def _planted(n: int) -> list[str]:
    """The names, phones and e-mails tests/reliability/test_privacy.py writes into request n."""
    return [f"隐私姓名{n}", f"户主隐私{n}", f"1390{n:07d}", f"1370{n:07d}", f"1380{n:07d}", f"0574-{n:08d}",
            f"privacy.{n}@example.cn", f"wang{n}@mail.example.cn", f"li{n}@example.cn", f"jdjb{n}@privacy.example.cn"]


def test_no_planted_name_phone_or_email_reaches_the_store(store_url, store_args, key_file):
    from tests.reliability.corpus import DEMO_PACK, FAULTY_PACK
    from tests.reliability.test_privacy import _requests

    requests, _ = _requests()
    server = RunningServer("--workers", "2", "--pack-path", str(DEMO_PACK), "--pack-path", str(FAULTY_PACK),
                           "--metrics-port", "0", *store_args)
    try:
        with grpc.insecure_channel(server.target) as channel:
            stub = policyhub_pb2_grpc.PolicyHubStub(channel)
            half = len(requests) // 2
            for request in requests[:half]:
                try:
                    stub.Evaluate(request, timeout=30)
                except grpc.RpcError:
                    pass
            for start in range(half, len(requests), 50):
                stub.EvaluateBatch(pb.EvaluateBatchRequest(requests=requests[start:start + 50]), timeout=60)
        with urllib.request.urlopen(f"http://127.0.0.1:{server.serving['metrics_port']}/metrics", timeout=10) as reply:
            exposition = reply.read().decode("utf-8")
    finally:
        assert server.stop() == 0
    store, pseudonymise = opened(store_url, key_file)
    recorded = sum(1 for _ in store.rows())
    assert recorded > 250
    if store_url.startswith("sqlite:///"):
        path = store_url[len("sqlite:///"):]
        contents = b"".join(open(p, "rb").read() for p in (path, path + "-wal", path + "-shm") if os.path.exists(p))
        text = contents.decode("utf-8", "ignore")
    else:
        import psycopg

        with psycopg.connect(store_url) as conn:
            text = "\n".join(row[0] for table in ("decisions", "chain_anchor", "pack_archive")
                             for row in conn.execute(f"SELECT t::text FROM {table} t").fetchall())
    planted = [value for n in range(len(requests)) for value in _planted(n)]
    leaked = sorted(value for value in planted if value in text)
    assert leaked == []
    logged = "\n".join(server.log_lines)
    assert "decision_store" in logged and "policyhub_evaluations_total" in exposition
    assert sorted(value for value in planted if value in logged or value in exposition) == []
    # Not vacuous: the planted values are there, as their pseudonyms.
    kept = [value for value in planted if pseudonymise(value) in text]
    assert len(kept) > 500, len(kept)


def test_a_streams_messages_see_the_records_of_the_ones_before_them(store_url, store_args, key_file, grpc_server):
    """A stream's messages are evaluated in groups of those already received, one commit per group;
    yet each must be answered as if sent alone after the ones before: huoerqi 2012 without history
    right after the same subject's 2011 reads 2011 from the record (admonition and 80 % pay, 三、5),
    a retried request id gets the decision recorded for it, and every answer is recorded."""
    server = RunningServer("--workers", "1", *store_args)
    subjects = [f"S-{n}" for n in range(20)]
    messages = []
    for n, subject in enumerate(subjects):  # sent in one burst, so the server reads several at once
        messages.append(request_from_dict(huoerqi_ballot(2011, subject=subject, request_id=f"r-{n}")))
        messages.append(request_from_dict(huoerqi_ballot(2012, subject=subject)))
        messages.append(request_from_dict(huoerqi_ballot(2011, subject=subject, request_id=f"r-{n}")))  # a retry
        messages.append(request_from_dict({**huoerqi_ballot(2012, subject=subject), "date": "2012-02-30"}))  # refused
    try:
        with grpc.insecure_channel(server.target) as channel:
            results = list(policyhub_pb2_grpc.PolicyHubStub(channel).EvaluateStream(iter(messages), timeout=120))
    finally:
        assert server.stop() == 0
    assert [r.index for r in results] == list(range(len(messages)))
    answered = []
    for n in range(len(subjects)):
        first, second, retry, refused = results[4 * n:4 * n + 4]
        assert [c.code for c in first.decision.consequences] == ["warning_talk"]
        assert [c.code for c in second.decision.consequences] == ["admonition_talk", "pay_reduction"]
        assert list(second.decision.history_refs) == [first.decision.decision_id]
        assert retry.decision.decision_id == first.decision.decision_id
        assert refused.WhichOneof("outcome") == "error" and refused.error.code == "INVALID_ARGUMENT"
        answered += [first.decision.decision_id, second.decision.decision_id]
    store, _ = opened(store_url, key_file)
    rows = list(store.rows())
    assert sorted(row["decision_id"] for row in rows) == sorted(answered)
    result = chain.verify(rows, store.anchor())
    assert result.ok, result.problems
