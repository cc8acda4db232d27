"""Replay: a record's stored input re-run on the pack version that decided it, restored from the
archive by digest (so it works after the pack was upgraded or removed), and compared.

The input is the pseudonymised one, so the replay's personal values are pseudonyms too; the
record's decision was pseudonymised the same way, value for value, so an unchanged pack and core
give an identical decision. The history a record used is the one stored in its input.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..domain.errors import PackNotFound
from ..v1 import policyhub_pb2 as pb
from .base import SQLStore


@dataclass
class ReplayResult:
    identical: bool
    difference: str
    replayed: dict
    pack: dict


class DecisionNotFound(PackNotFound):
    """No record (or no archived pack) by that id: NOT_FOUND."""


class _ReplayHook:
    """Gives the replay the record's history source and refs, and keeps what the replay matched."""

    def __init__(self, row: dict, refs: list[str]) -> None:
        self.row, self.refs = row, refs
        self.trace: list[dict] = []  # per rule fired: {"rule_id", "matched": [facts]}

    def history(self, pack, kind, request, submission, day):
        return (self.row["history_source"], self.refs) if self.row["history_source"] else None

    def finished(self, done) -> bytes:
        for match in done.matches:
            rule_id = done.pack.rules[match.rule_index].id
            if not self.trace or self.trace[-1]["rule_id"] != rule_id:
                self.trace.append({"rule_id": rule_id, "matched": []})
            self.trace[-1]["matched"].append(match.fact)
        return done.wire


def first_difference(recorded: Any, replayed: Any, path: str = "decision") -> str:
    """The first place two JSON values differ, as `path: recorded …, replayed …`; empty if equal."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in sorted(set(recorded) | set(replayed)):
            found = first_difference(recorded.get(key), replayed.get(key), f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(recorded, list) and isinstance(replayed, list):
        for index in range(max(len(recorded), len(replayed))):
            found = first_difference(recorded[index] if index < len(recorded) else None,
                                     replayed[index] if index < len(replayed) else None, f"{path}[{index}]")
            if found:
                return found
        return ""
    if recorded != replayed:
        show = lambda value: orjson.dumps(value).decode()[:300]  # noqa: E731
        return f"{path}: recorded {show(recorded)}, replayed {show(replayed)}"
    return ""


class ArchivedPacks:
    """Pack versions restored from the archive, each loaded once and kept (a few) for later replays."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._packs: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, store: SQLStore, digest: str, ref: str):
        with self._lock:
            pack = self._packs.pop(digest, None)
            if pack is None:
                pack = self._load(store, digest, ref)
            self._packs[digest] = pack  # most recently used last
            while len(self._packs) > self.keep:
                self._packs.pop(next(iter(self._packs))).close()
            return pack

    @staticmethod
    def _load(store: SQLStore, digest: str, ref: str):
        from ..packs.pack import load_pack

        archived = store.pack_archive(digest)
        if archived is None:
            raise DecisionNotFound(f"pack version {ref} ({digest}) is not archived")
        pack_id, _, files = archived
        workdir = Path(tempfile.mkdtemp(prefix="policyhub-replay-"))
        try:
            directory = workdir / pack_id
            for name, data in files.items():
                target = directory / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            pack = load_pack(directory)  # imported and compiled: the files are no longer needed
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if pack.digest != digest:  # the archive itself was altered
            pack.close()
            raise DecisionNotFound(f"archived pack {pack.ref} has digest {pack.digest}, the record names {digest}")
        return pack


_ARCHIVED = ArchivedPacks()


def replay(store: SQLStore, decision_id: str, packs: ArchivedPacks | None = None) -> ReplayResult:
    from ..domain.caseio import request_from_dict
    from ..evaluation.evaluator import Evaluator
    from ..packs.registry import PackRegistry
    from .recorder import decision_dict

    row = store.get(decision_id)
    if row is None:
        raise DecisionNotFound(f"no decision {decision_id!r} in the record")
    pack = (packs or _ARCHIVED).get(store, row["pack_digest"], f"{row['pack_id']}@{row['pack_version']}")
    recorded = orjson.loads(row["decision"])
    hook = _ReplayHook(row, list(recorded.get("history_refs", [])))
    evaluator = Evaluator(PackRegistry([pack]), observed=False, hook=hook)
    data = orjson.loads(row["input"])
    data["pack"] = pack.ref  # the exact version that decided, whatever is in force now
    request = request_from_dict(data)
    request.request_id = row["request_id"]
    replayed = decision_dict(evaluator.evaluate(request))
    for decision in (recorded, replayed):
        decision.pop("decision_id", None)
        decision.pop("trace", None)
    difference = first_difference(recorded, replayed)
    if not difference:
        difference = first_difference(orjson.loads(row["trace"]), orjson.loads(orjson.dumps(hook.trace)), "trace")
    return ReplayResult(not difference, difference, replayed,
                        {"id": pack.id, "version": pack.version, "digest": pack.digest})


def replayed_message(result: ReplayResult) -> pb.Decision:
    from google.protobuf import json_format

    return json_format.ParseDict(result.replayed, pb.Decision())
