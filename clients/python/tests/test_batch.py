"""evaluate_batch: order, per-item errors, lazy reading of unbounded input."""

import copy
import itertools

from cases import example, fixture_cases, without_id


def _mixed_requests():
    pledge = example("examples/yuyao_2011/member_pledge.yaml")
    bad_date = copy.deepcopy(pledge)
    bad_date["pledge"]["published_at"] = "2011-02-30"
    ballot = fixture_cases("town_shuangshu_2010", "ballot.yaml")[0]["request"]
    return [
        dict(pledge, request_id="ok-1"),
        dict(bad_date, request_id="server-refuses"),          # INVALID_ARGUMENT from the server
        {"request_id": "client-refuses", "pledge": {"copies": "three"}},  # never sent
        dict(ballot, request_id="ok-2"),
        dict(pledge, pack="no_such_pack_1999", request_id="unknown-pack"),
        dict(pledge, date="1990-01-01", request_id="out-of-force"),
        dict(ballot, request_id="ok-3"),
    ]


def test_results_come_in_input_order_with_each_items_own_error(client):
    requests = _mixed_requests()
    results = list(client.evaluate_batch(requests, batch_size=2))  # batches split across the errors
    assert [r["index"] for r in results] == list(range(len(requests)))
    assert [r["request_id"] for r in results] == [r["request_id"] for r in requests]
    outcome = {r["request_id"]: r.get("error", {}).get("code", "decision") for r in results}
    assert outcome == {
        "ok-1": "decision", "server-refuses": "INVALID_ARGUMENT", "client-refuses": "INVALID_ARGUMENT",
        "ok-2": "decision", "unknown-pack": "NOT_FOUND", "out-of-force": "FAILED_PRECONDITION",
        "ok-3": "decision",
    }
    by_id = {r["request_id"]: r for r in results}
    assert by_id["server-refuses"]["error"]["field_violations"][0]["field"] == "pledge.published_at"
    assert by_id["client-refuses"]["error"]["field_violations"][0]["field"] == "pledge.copies"


def test_batched_decisions_equal_single_ones(client):
    requests = [c["request"] for c in fixture_cases("yuyao_2011", "pledge.yaml")[:9]]
    batched = list(client.evaluate_batch(requests, batch_size=4))
    for request, result in zip(requests, batched, strict=True):
        single = client.evaluate(request)
        assert without_id(result["decision"]) == without_id(single)


def test_an_endless_input_is_read_only_a_couple_of_batches_ahead(client):
    request = example("examples/yuyao_2011/member_pledge.yaml")
    read = itertools.count()

    def endless():
        while True:
            next(read)
            yield request

    results = client.evaluate_batch(endless(), batch_size=10)
    first = list(itertools.islice(results, 25))
    results.close()
    assert [r["index"] for r in first] == list(range(25))
    assert all(r["decision"]["pack"]["id"] == "yuyao_2011" for r in first)
    assert next(read) <= 25 + 2 * 10  # what was handed out, plus at most two batches


def test_an_empty_input_gives_no_results(client):
    assert list(client.evaluate_batch([])) == []
