"""Replay: a stored decision re-run on the pack version that made it, restored by digest from the
record's archive, after the pack was upgraded and removed; every fixture decision replays identical."""

from __future__ import annotations

import shutil

import orjson
import pytest

from policyhub.domain.errors import InvalidArgument, PolicyError
from policyhub.packs.registry import PackRegistry
from policyhub.store.replay import first_difference, replay

from .helpers import evaluate, huoerqi_ballot, recording, tamper

from tests.conftest import PACKS_DIR


def upgraded_huoerqi(tmp_path, version: str = "1.1.0", pay_ratio: str = "0.7"):
    """huoerqi_2010 as a new version would ship it: another pay ratio."""
    directory = tmp_path / "huoerqi_2010"
    shutil.copytree(PACKS_DIR / "huoerqi_2010", directory,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    manifest = directory / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 1.0.0", f"version: {version}"), encoding="utf-8")
    thresholds = directory / "thresholds.yaml"
    text = thresholds.read_text(encoding="utf-8")
    assert "pay_ratio: 0.8" in text
    thresholds.write_text(text.replace("pay_ratio: 0.8", f"pay_ratio: {pay_ratio}"), encoding="utf-8")
    return directory


def test_replay_after_the_pack_was_upgraded_and_removed_reproduces_the_decision(registry, store, pseudonymise, tmp_path):
    evaluate(recording(registry, store, pseudonymise), huoerqi_ballot(2011))
    second = evaluate(recording(registry, store, pseudonymise), huoerqi_ballot(2012))
    assert second.consequences[1].params["ratio"] == 0.8
    # The upgrade: only 1.1.0 is served now, and it pays 70 % after two unqualified years.
    upgraded = PackRegistry.discover([upgraded_huoerqi(tmp_path)], installed=False)
    now = evaluate(recording(upgraded, store, pseudonymise), huoerqi_ballot(2013, subject="M-NEW"))
    assert now.pack.version == "1.1.0"
    assert evaluate(recording(upgraded, store, pseudonymise),
                    huoerqi_ballot(2014, subject="M-NEW")).consequences[1].params["ratio"] == 0.7
    result = replay(store, second.decision_id)
    assert result.identical, result.difference
    assert result.pack == {"id": "huoerqi_2010", "version": "1.0.0", "digest": second.pack.digest}
    assert [c["code"] for c in result.replayed["consequences"]] == ["admonition_talk", "pay_reduction"]
    assert result.replayed["consequences"][1]["params"] == {"ratio": 0.8}
    assert result.replayed["history_refs"] == list(second.history_refs)


def test_replay_names_the_first_difference(registry, store, pseudonymise, store_url):
    decision = evaluate(recording(registry, store, pseudonymise), huoerqi_ballot(2011))
    store.close()
    # The recorded answer altered by hand (the chain would say so too): replay shows where.
    tamper(store_url, "UPDATE decisions SET decision = replace(decision, 'warning_talk', 'reminder_talk')")
    result = replay(store, decision.decision_id)
    assert not result.identical
    assert result.difference.startswith("decision.consequences[0].code: recorded \"reminder_talk\", replayed \"warning_talk\"")


def test_first_difference_walks_in_order():
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "decision.a[1].b: recorded 2, replayed 3"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "decision.a[1]: recorded null, replayed 2"
    assert first_difference({"a": 1}, {"a": 1}) == ""


def test_an_unknown_decision_is_not_found(store):
    with pytest.raises(PolicyError) as missing:
        replay(store, "01NOTHERE")
    assert missing.value.code.name == "NOT_FOUND"


def test_every_fixture_decision_replays_identical(registry, store, pseudonymise):
    from tests.reliability import corpus

    evaluator = recording(registry, store, pseudonymise)
    ids = []
    for _, data in corpus.fixture_requests():
        try:
            ids.append(evaluate(evaluator, data).decision_id)
        except (InvalidArgument, PolicyError):  # cases whose point is an error: nothing recorded
            continue
    ids += [evaluate(evaluator, huoerqi_ballot(year)).decision_id for year in (2010, 2011)]  # history from the record
    assert len(ids) > 100
    different = []
    for decision_id in ids:
        result = replay(store, decision_id)
        if not result.identical:
            different.append(f"{decision_id}: {result.difference}")
    assert different == []
    kinds = {row["kind"] for row in store.rows()}
    assert kinds == {"pledge", "meeting", "log", "ballot"}
    assert any(orjson.loads(row["decision"]).get("history_source") == "record" and orjson.loads(row["decision"]).get("history_refs")
               for row in store.rows())
