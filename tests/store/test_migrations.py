"""A store made before a migration upgrades in place: its records keep their values (the chain
still verifies), history and idempotency still find them, and new records chain on after them.
On each backend (SQLite file, real PostgreSQL)."""

from __future__ import annotations

import sqlite3

import pytest

from policyhub.store import chain
from policyhub.store.config import StoreConfig, open_store
from policyhub.store.migrate import MIGRATIONS, apply_migrations

from .helpers import codes, evaluate, huoerqi_ballot, recording


def _yoyo_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _apply_only(url: str, ids: set[str]) -> None:
    from yoyo import get_backend, read_migrations

    backend = get_backend(_yoyo_url(url))
    try:
        with backend.lock():
            backend.apply_migrations(backend.to_apply(read_migrations(str(MIGRATIONS)).filter(lambda m: m.id in ids)))
    finally:
        backend.connection.close()


def _indexes(url: str) -> set[str]:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///"):])
        try:
            return {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions' AND sql IS NOT NULL")}
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url) as conn:
        return {name for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'decisions'")}


def test_a_store_made_before_0002_upgrades_and_keeps_its_chain(registry, store_url, key_file, tmp_path):
    _apply_only(store_url, {"0001_decision_record"})
    indexes = _indexes(store_url)
    config = StoreConfig(store=store_url, state_dir=str(tmp_path / "state"), key_file=key_file)
    old, pseudonymise = open_store(config)  # not migrated: written as a store of 0001's time was
    first = evaluate(recording(registry, old, pseudonymise), huoerqi_ballot(2011, request_id="before-1"))
    evaluate(recording(registry, old, pseudonymise), huoerqi_ballot(2011, subject="M-HEQ-10", request_id="before-2"))
    before = list(old.rows())
    old.close()

    assert apply_migrations(_yoyo_url(store_url)) == ["0002_seq_as_rowid", "0003_no_recorded_at_index"]
    # the same named indexes (made again on SQLite) but recorded_at's: time ranges search seq
    assert _indexes(store_url) == indexes - {"decisions_recorded_at"} and "decisions_recorded_at" in indexes
    store, pseudonymise = open_store(config, migrate=True)  # nothing left to apply
    try:
        assert list(store.rows()) == before
        if store_url.startswith("sqlite:///"):  # seq is the table's rowid now: no index of its own
            conn = sqlite3.connect(store_url[len("sqlite:///"):])
            assert conn.execute("SELECT COUNT(*) FROM decisions WHERE rowid = seq").fetchone()[0] == 2
            indexed = [[column for _, _, column in conn.execute(f"PRAGMA index_info({index[1]})")]
                       for index in conn.execute("PRAGMA index_list(decisions)").fetchall()]
            assert ["decision_id"] in indexed and ["seq"] not in indexed
            conn.close()
        evaluator = recording(registry, store, pseudonymise)
        # history from the records written before the upgrade: 2011 unqualified, 2012 unqualified
        second = evaluate(evaluator, huoerqi_ballot(2012))
        assert codes(second) == ["admonition_talk", "pay_reduction"]
        assert list(second.history_refs) == [first.decision_id]
        # idempotency across the upgrade
        assert evaluate(evaluator, huoerqi_ballot(2011, request_id="before-1")).decision_id == first.decision_id
        result = chain.verify(store.rows(), store.anchor())
        assert result.ok and result.records == 3 and result.head_seq == 3
        assert store.get(second.decision_id)["prev_hash"] == before[-1]["hash"]
        # a time range over records from before and after the upgrade
        assert [r["decision_id"] for r in store.list({"recorded_from": before[0]["recorded_at"]})] == \
            [before[0]["decision_id"], before[1]["decision_id"], second.decision_id]
        assert [r["decision_id"] for r in store.list({"recorded_to": before[1]["recorded_at"]})] == \
            [r["decision_id"] for r in before if r["recorded_at"] < before[1]["recorded_at"]]
    finally:
        store.close()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_0003_and_0002_roll_back_to_the_shape_before(store_url):
    from yoyo import get_backend, read_migrations

    apply_migrations(store_url)
    indexes = _indexes(store_url) | {"decisions_recorded_at"}
    backend = get_backend(store_url)
    try:
        with backend.lock():
            for newest_first in ("0003_no_recorded_at_index", "0002_seq_as_rowid"):
                backend.rollback_migrations(read_migrations(str(MIGRATIONS)).filter(lambda m: m.id == newest_first))
    finally:
        backend.connection.close()
    conn = sqlite3.connect(store_url[len("sqlite:///"):])
    indexed = [[column for _, _, column in conn.execute(f"PRAGMA index_info({index[1]})")]
               for index in conn.execute("PRAGMA index_list(decisions)").fetchall()]
    conn.close()
    assert ["seq"] in indexed and _indexes(store_url) == indexes
