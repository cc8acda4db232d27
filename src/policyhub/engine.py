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

from .enginejson import facts_json

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


def _no_action(c) -> None:
    """Registered with each rule; never called: CompiledRuleset runs the actions itself."""


class CompiledRuleset:
    """One pack's rules as a durable_rules ruleset in a private host."""

    _names = itertools.count()

    def __init__(self, label: str, conditions: list[Any]) -> None:
        self.name = f"{label}#{next(self._names)}"
        self._host = QuietHost()
        self._pool = SidPool()
        self._lock = threading.Lock()
        self._closed = False
        definition: dict[str, Any] = {}
        self.conditions: list[str] = []
        self._rule_index: dict[str, int] = {}
        for index, condition in enumerate(conditions):
            rule = when_all(condition)(_no_action).define()
            self.conditions.append(json.dumps(rule["all"], ensure_ascii=False, sort_keys=True))
            definition[f"r{index}"] = rule
            self._rule_index[f"r{index}"] = index
        definition["end"] = when_all(m.type == _END)(_no_action).define()
        # register_rulesets takes the actions out of the dict it is given; it is ours alone.
        self._host.register_rulesets({self.name: definition})
        self._ruleset = self._host.get_ruleset(self.name)
        self._handle = self._ruleset._handle

    def _assert_and_act(self, batch_json: str) -> list[tuple[int, dict[str, Any]]]:
        """Assert a batch of facts, run the actions it triggers, and return (rule, fact) pairs.

        Host.assert_facts raises "not handled" when any one fact matches no rule's condition
        (the common case: a fact that breaks no rule), and then runs no action at all, not even
        for the facts that did match. So call the engine directly: code 1 still stores the
        matching facts and returns the state, whose actions we then run.

        The actions are run here rather than by Ruleset.do_actions: ours only record which rule
        matched which fact, and change nothing in the state, so the state's JSON round trip
        (update_state re-asserting it through the network, per action) that do_actions makes
        after each action is skipped. Each action is still started and completed by the engine,
        one at a time, in the engine's order; the always-firing end rule is one of them.
        """
        handle = self._handle
        code, state_handle = durable_rules_engine.assert_facts(handle, batch_json)
        if code not in (_ASSERTED, _SOME_NOT_HANDLED):
            raise RuntimeError(f"engine refused the facts (code {code})")
        matched: list[tuple[int, dict[str, Any]]] = []
        rule_index = self._rule_index
        result = durable_rules_engine.start_action_for_state(handle, state_handle)
        if result is None:
            raise RuntimeError("engine started no action (the end rule always fires)")
        messages = result[1]
        try:
            while messages is not None:
                for rule_name, frame in json.loads(messages).items():
                    index = rule_index.get(rule_name)
                    if index is not None:
                        # One condition per rule, so one fact per frame: {"m": fact}.
                        matched.append((index, frame["m"]))
                messages = durable_rules_engine.complete_and_start_action(handle, state_handle)
        except BaseException:
            durable_rules_engine.abandon_action(handle, state_handle)
            raise
        return matched

    def run(self, facts: list[dict[str, Any]]) -> list[Match]:
        """Assert the facts in a fresh state; return every (rule, fact) match."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"ruleset {self.name} is closed")
            sid = self._pool.take()
            batch = [{**f, "sid": sid, "_i": i} for i, f in enumerate(facts)]
            batch.append({"type": _END, "sid": sid, "_i": len(batch)})
            try:
                # Serialise first: a fact the engine cannot take must fail before a state exists.
                batch_json = facts_json(batch)  # numbers and sizes the engine reads without crashing
            except BaseException:
                self._pool.give_back(sid)
                raise
            # From here on a state exists. If its actions fail, deleting a state that never
            # ran an action crashes the engine, and reusing its id could show this request's
            # facts to a later one: the id is retired, not given back.
            matched = self._assert_and_act(batch_json)
            self._host.delete_state(self.name, sid)
            self._pool.give_back(sid)
        matches = []
        for index, fact in matched:
            fact.pop("sid", None)
            fact.pop("_i", None)
            matches.append(Match(index, fact))
        return matches

    def close(self) -> None:
        """Free the engine's ruleset (after a reload retired its pack); later runs are refused.

        Waits for a run in progress: the lock is held for the whole of one.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            durable_rules_engine.delete_ruleset(self._ruleset._handle)
