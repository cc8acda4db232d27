"""A writer process for the concurrency test (spawned: its own interpreter, its own connection)."""

from __future__ import annotations


def append_many(store_url: str, key_file: str, writer: int, records: int, start) -> list[str]:
    from policyhub.domain.caseio import request_from_dict
    from policyhub.packs.registry import PackRegistry
    from policyhub.store.config import StoreConfig, open_store
    from tests.store.helpers import huoerqi_ballot, recording

    store, pseudonymise = open_store(StoreConfig(store=store_url, key_file=key_file))
    evaluator = recording(PackRegistry.discover(), store, pseudonymise)
    start.wait()
    ids = []
    for n in range(records):
        data = huoerqi_ballot(2011, subject=f"W{writer}-{n}", request_id=f"writer-{writer}-{n}")
        ids.append(evaluator.evaluate(request_from_dict(data)).decision_id)
    store.close()
    return ids
