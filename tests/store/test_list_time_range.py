"""ListDecisions by time range on each backend: the records recorded in [from, to), paged, read as a
seq range found by a binary search on seq (recorded_at rises with seq, even when the clock steps
back), not a scan of the table."""

from __future__ import annotations

import pytest

from policyhub.store import base, chain
from policyhub.store.base import Pending

T1, T2, T3 = "2026-03-01T08:00:00.000000Z", "2026-03-01T09:00:00.000000Z", "2026-03-02T08:00:00.000000Z"


def _row(n: int, locality: str = "huoerqi") -> dict:
    return {"decision_id": f"D-{n:06d}", "request_id": "", "as_of": "2026-03-01", "locality": locality,
            "pack_id": "huoerqi_2010", "pack_version": "1.0.0", "pack_digest": "sha256:x", "kind": "ballot",
            "subject": "", "year": None, "grade": "", "supersedes": "", "history_source": "", "input_digest": "",
            "input": "{}", "decision": "{}", "trace": "[]"}


@pytest.fixture
def clock(monkeypatch):
    """The store's clock, set by the test: a batch's records share one recorded_at."""
    now = [T1]
    monkeypatch.setattr(base, "now_iso", lambda: now[0])
    return now


def _append(store, clock, at: str, numbers, locality: str = "huoerqi") -> None:
    clock[0] = at
    store.append([Pending(_row(n, locality)) for n in numbers])


def _ids(rows) -> list[str]:
    return [row["decision_id"] for row in rows]


def test_a_time_range_lists_exactly_the_records_recorded_in_it(store, clock):
    _append(store, clock, T1, range(0, 3))
    _append(store, clock, T2, range(3, 5), locality="linge")
    _append(store, clock, T3, range(5, 8))
    everything = _ids(store.rows())
    assert store.list({"recorded_from": T2, "recorded_to": T3}) and \
        _ids(store.list({"recorded_from": T2, "recorded_to": T3})) == everything[3:5]
    assert _ids(store.list({"recorded_from": T1, "recorded_to": T2})) == everything[:3]
    assert _ids(store.list({"recorded_from": T2})) == everything[3:]
    assert _ids(store.list({"recorded_to": T2})) == everything[:3]
    assert _ids(store.list({"recorded_to": "2026-03-02"})) == everything[:5]  # a date is its midnight
    assert _ids(store.list({"recorded_from": "2026-03-01", "recorded_to": "2026-03-03"})) == everything
    # ranges that hold none: between two batches, after the last, before the first, empty
    assert store.list({"recorded_from": "2026-03-01T08:00:00.000001Z", "recorded_to": T2}) == []
    assert store.list({"recorded_from": "2026-03-02T08:00:00.000001Z"}) == []
    assert store.list({"recorded_to": T1}) == []
    assert store.list({"recorded_from": T3, "recorded_to": T2}) == []
    # with another filter, and paged inside the range (a page token is the last seq shown)
    assert _ids(store.list({"recorded_from": T1, "recorded_to": T3, "locality": "huoerqi"})) == everything[:3]
    assert _ids(store.list({"recorded_from": T2, "recorded_to": T3, "locality": "huoerqi"})) == []
    first = store.list({"recorded_from": T1}, 0, 4)
    assert _ids(first) == everything[:4]
    assert _ids(store.list({"recorded_from": T1}, first[-1]["seq"], 4)) == everything[4:]
    assert _ids(store.list({"recorded_from": T2, "recorded_to": T3}, 1, 10)) == everything[3:5]  # a token before the range


def test_recorded_at_never_goes_back_so_a_range_still_finds_every_record(store, clock):
    _append(store, clock, T2, range(0, 2))
    _append(store, clock, T1, range(2, 4))  # the clock stepped back an hour
    rows = list(store.rows())
    assert [row["recorded_at"] for row in rows] == [T2] * 4  # kept in the chain's order
    assert chain.verify(store.rows(), store.anchor()).ok
    assert _ids(store.list({"recorded_from": T2})) == _ids(rows)
    assert store.list({"recorded_to": T2}) == []


def test_a_time_range_holding_nothing_reads_a_few_index_entries_not_the_table(store, clock, store_url):
    """SQLite counts the virtual-machine steps its statements take (a progress handler called every
    step): an empty range costs a binary search's few more probes at 4,000 records than at 200; a
    scan in seq order would take 20x."""
    if not store_url.startswith("sqlite:///"):
        pytest.skip("counted with SQLite's progress handler; PostgreSQL runs the same statements")
    steps = []

    def listed_steps() -> int:
        conn = store._conn()
        counted = [0]

        def step() -> int:
            counted[0] += 1
            return 0

        conn.set_progress_handler(step, 1)
        try:
            assert store.list({"recorded_from": "2026-03-01T08:30:00.000000Z", "recorded_to": T2}) == []
        finally:
            conn.set_progress_handler(None, 1)
        return counted[0]

    for at, numbers in ((T1, range(0, 100)), (T2, range(100, 200))):
        _append(store, clock, at, numbers)
    steps.append(listed_steps())
    for start in range(200, 4000, 100):
        _append(store, clock, T2, range(start, start + 100))
    steps.append(listed_steps())
    assert steps[1] < steps[0] * 2, steps
