"""The hash chain: each record holds the hash of the one before and its own, over all its fields.

An edited record no longer matches its hash; a deleted or reordered one breaks the link (each
holds its predecessor's hash) or the sequence (seq counts up by one). Retention removes the
oldest records only, and leaves an anchor (the last removed seq and hash) to start from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

import orjson

GENESIS = "0" * 64
# Every column but `hash`, in a fixed order: this list is the record's hashed content.
HASHED = ("seq", "decision_id", "request_id", "recorded_at", "as_of", "locality", "pack_id", "pack_version",
          "pack_digest", "kind", "subject", "year", "grade", "supersedes", "history_source", "input_digest",
          "input", "decision", "trace", "prev_hash")
COLUMNS = HASHED + ("hash",)


def record_hash(row: dict) -> str:
    return hashlib.sha256(orjson.dumps([row[name] for name in HASHED])).hexdigest()


@dataclass
class Verification:
    records: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(rows: Iterable[dict], anchor: tuple[int, str] = (0, GENESIS), limit: int = 20) -> Verification:
    """Walk the records in seq order from the retention anchor; every break found is a problem."""
    result = Verification(head_seq=anchor[0], head_hash=anchor[1])
    expected_seq, expected_prev = anchor[0] + 1, anchor[1]
    for row in rows:
        result.records += 1
        if result.first_seq is None:
            result.first_seq = row["seq"]
        seq, where = row["seq"], f"record seq {row['seq']} ({row['decision_id']})"
        if seq != expected_seq:
            result.problems.append(f"{where}: expected seq {expected_seq}: records before it are missing or reordered")
        if row["prev_hash"] != expected_prev:
            result.problems.append(f"{where}: does not follow the record before it (deleted, inserted or reordered)")
        if record_hash(row) != row["hash"]:
            result.problems.append(f"{where}: content does not match its hash (edited)")
        expected_seq, expected_prev = seq + 1, row["hash"]
        result.head_seq, result.head_hash = seq, row["hash"]
        if len(result.problems) >= limit:
            result.problems.append("stopped after the first problems")
            break
    return result
