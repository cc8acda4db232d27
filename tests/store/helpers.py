"""What the store tests share: requests, an evaluator that records, raw access for tampering."""

from __future__ import annotations

import sqlite3

from policyhub.domain.caseio import request_from_dict
from policyhub.evaluation.evaluator import Evaluator
from policyhub.store.recorder import Recorder


def huoerqi_ballot(year: int, unqualified: int = 30, subject: str = "M-HEQ-09", name: str = "王隐私",
                   request_id: str = "", history=None, locality: str = "huoerqi") -> dict:
    """A huoerqi_2010 ballot: 40 valid votes, `unqualified` of them unqualified (>= 20 is unqualified, 三、5)."""
    ballot = {
        "purpose": "evaluation", "year": year,
        "subject": {"id": subject, "name": name, "kind": "individual", "role": "two_committees"},
        "rounds": [{"name": "residents", "month": f"{year}-12", "eligible": 45, "cast": 42, "invalid": 2,
                    "tallies": {"qualified": 40 - unqualified, "unqualified": unqualified}}],
    }
    if history is not None:
        ballot["history"] = history
    data = {"locality": locality, "date": f"{year}-12-05", "ballot": ballot}
    if request_id:
        data["request_id"] = request_id
    return data


def recording(registry, store, pseudonymise) -> Evaluator:
    return Evaluator(registry, observed=False, hook=Recorder(store, pseudonymise))


def evaluate(evaluator: Evaluator, data: dict):
    return evaluator.evaluate(request_from_dict(data))


def codes(decision) -> list[str]:
    return [c.code for c in decision.consequences]


def tamper(store_url: str, *statements: str) -> None:
    """Change the database by hand, as someone with file or table access could."""
    if store_url.startswith("sqlite:///"):
        conn = sqlite3.connect(store_url[len("sqlite:///"):])
        try:
            for sql in statements:
                conn.execute(sql)
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(store_url, autocommit=False) as conn:
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def count(store) -> int:
    return sum(1 for _ in store.rows())
