"""durable_rules, held safely (see shared notes on durable_rules for what each guard prevents).

- A host without background threads: `QuietHost` never starts the dispatch/timer threads
  that crashed the default host under concurrent requests; actions run synchronously inside
  `assert_facts`, on the caller's thread.
- Facts, not events: every rule whose condition matches a fact fires (an event would be
  consumed by the first rule). Facts that match no rule are normal and must not stop the
  others' actions (see `_assert_and_act`).
- Each fact gets an index `_i`: identical facts would otherwise be refused as already observed,
  and the whole batch with them.
- Each state runs at least one action (the always-firing end rule) before it is deleted:
  deleting a state that never ran an action crashes the engine.
- Every state is deleted after its request; state ids come from a pool whose FNV-1 hashes are
  distinct (the engine tells states apart by that 32-bit hash alone), and the pool is smaller
  than the engine's limit of 1024 live states.
- One evaluation at a time per ruleset: the engine holds the GIL throughout, so a lock costs
  no throughput and rules out interleaving two requests' actions in one ruleset.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

import durable_rules_engine
from durable.engine import Host
from durable.lang import m, when_all

_END = "$end"
# Result codes of durable_rules_engine.assert_facts.
_ASSERTED = 0
_SOME_NOT_HANDLED = 1
LIVE_STATE_LIMIT = 1024
SID_POOL_SIZE = 64


class QuietHost(Host):
    """A durable_rules host that never starts its background dispatch and timer threads."""

    def _run(self) -> None:  # the default host starts threads here
        pass


def fnv1_32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = (value * 0x01000193) & 0xFFFFFFFF
        value ^= byte
    return value


def fnv1a_32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


class SidPool:
    """State ids known not to collide in the engine's 32-bit hash (FNV-1 and FNV-1a both)."""

    def __init__(self, size: int = SID_POOL_SIZE) -> None:
        if not 0 < size < LIVE_STATE_LIMIT:
            raise ValueError(f"sid pool size must be 1..{LIVE_STATE_LIMIT - 1}")
        sids = [f"s{i}" for i in range(size)]
        for hash_fn in (fnv1_32, fnv1a_32):
            if len({hash_fn(s) for s in sids}) != len(sids):
                raise AssertionError("sid pool has colliding hashes")
        self._free = list(reversed(sids))
        self._lock = threading.Lock()
        self.size = size

    def take(self) -> str:
        with self._lock:
            if not self._free:
                raise RuntimeError("no free state id: more concurrent states than the pool allows")
            return self._free.pop()

    def give_back(self, sid: str) -> None:
        with self._lock:
            self._free.insert(0, sid)  # reuse the least recently used id last

    def free(self) -> int:
        with self._lock:
            return len(self._free)


@dataclass(frozen=True)
class Match:
    rule_index: int
    fact: dict[str, Any]


class CompiledRuleset:
    """One pack's rules as a durable_rules ruleset in a private host."""

    _names = itertools.count()

    def __init__(self, label: str, conditions: list[Any]) -> None:
        self.name = f"{label}#{next(self._names)}"
        self._host = QuietHost()
        self._pool = SidPool()
        self._lock = threading.Lock()
        self._matches: dict[str, list[Match]] = {}
        self._failures: list[str] = []
        definition: dict[str, Any] = {}
        self.conditions: list[str] = []
        for index, condition in enumerate(conditions):
            rule = when_all(condition)(self._action(index)).define()
            self.conditions.append(json.dumps(rule["all"], ensure_ascii=False, sort_keys=True))
            definition[f"r{index}"] = rule
        definition["end"] = when_all(m.type == _END)(self._end_action).define()
        # register_rulesets takes the actions out of the dict it is given; it is ours alone.
        self._host.register_rulesets({self.name: definition})
        self._ruleset = self._host.get_ruleset(self.name)

    def _action(self, index: int):
        def record(c) -> None:
            # durable_rules swallows an action's exception into the state; keep our own account.
            try:
                self._matches[c.s["sid"]].append(Match(index, dict(c.m._d)))
            except Exception as exc:  # pragma: no cover - a bug in this module, not in a pack
                self._failures.append(f"rule #{index}: {exc!r}")

        return record

    @staticmethod
    def _end_action(c) -> None:
        pass

    def _assert_and_act(self, batch: list[dict[str, Any]]) -> None:
        """Assert a batch of facts and run the actions it triggers.

        Host.assert_facts raises "not handled" when any one fact matches no rule's condition
        (the common case: a fact that breaks no rule), and then runs no action at all, not even
        for the facts that did match. So call the engine directly: code 1 still stores the
        matching facts and returns the state, whose actions we then run.
        """
        code, state_handle = durable_rules_engine.assert_facts(
            self._ruleset._handle, json.dumps(batch, ensure_ascii=False)
        )
        if code not in (_ASSERTED, _SOME_NOT_HANDLED):
            raise RuntimeError(f"engine refused the facts (code {code})")
        errors: list[Any] = []
        self._ruleset.do_actions(state_handle, lambda error, _state: errors.append(error))
        if any(errors):
            raise RuntimeError(f"rule actions failed: {errors}")

    def run(self, facts: list[dict[str, Any]]) -> list[Match]:
        """Assert the facts in a fresh state; return every (rule, fact) match."""
        # Serialise first: a fact the engine cannot take must fail before a state exists.
        json.dumps(facts, ensure_ascii=False)
        with self._lock:
            sid = self._pool.take()
            self._matches[sid] = []
            self._failures.clear()
            batch = [{**f, "sid": sid, "_i": i} for i, f in enumerate(facts)]
            batch.append({"type": _END, "sid": sid, "_i": len(batch)})
            acted = False
            try:
                self._assert_and_act(batch)
                acted = True
                if self._failures:
                    raise RuntimeError("rule action failed: " + "; ".join(self._failures))
                matches = self._matches[sid]
            finally:
                del self._matches[sid]
                if acted:
                    self._host.delete_state(self.name, sid)
                    self._pool.give_back(sid)
                # else: deleting a state that never ran an action crashes the engine, and
                # reusing its id could show this request's facts to a later one: retire the id.
            for match in matches:
                match.fact.pop("sid", None)
                match.fact.pop("_i", None)
            return matches
