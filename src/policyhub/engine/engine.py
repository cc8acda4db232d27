"""durable_rules, held safely (see shared notes on durable_rules for what each guard prevents).

- A host without background threads: `QuietHost` never starts the dispatch/timer threads
  that crashed the default host under concurrent requests; actions run synchronously inside
  `assert_facts`, on the caller's thread.
- Facts, not events: every rule whose condition matches a fact fires (an event would be
  consumed by the first rule). Facts that match no rule are normal and must not stop the
  others' actions (see `_assert_and_act`).
- Each fact is sent with its index as its `id`: the engine would otherwise make the id from
  the content and refuse identical facts as already observed, and the whole batch with them.
- The engine is sent only the properties some condition reads, in JSON it reads without
  crashing (see enginejson.py); the matches hand back the caller's whole facts, found by id.
- Each state runs at least one action before it is deleted: deleting a state that never ran an
  action crashes the engine. When no rule fired, an end fact is asserted for the end rule.
- Every state is deleted after its request; state ids come from a pool whose FNV-1 hashes are
  distinct (the engine tells states apart by that 32-bit hash alone), and the pool is smaller
  than the engine's limit of 1024 live states.
- One evaluation at a time per ruleset: the engine holds the GIL throughout, so a lock costs
  no throughput and rules out interleaving two requests' actions in one ruleset.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from typing import Any, NamedTuple

import durable_rules_engine
from durable.engine import Host
from durable.lang import m, when_all

from .enginejson import condition_names, facts_json

_END = "$end"  # the end rule's fact type
_END_FACT = {"type": _END}
# Result codes of durable_rules_engine.assert_facts.
_ASSERTED = 0
_SOME_NOT_HANDLED = 1
LIVE_STATE_LIMIT = 1024
# An action's message as the engine writes it for a one-fact rule: {"<rule>":{"m":<the fact as
# sent>}} (serializeResult in its state.c). Facts are sent with `id` last, so the message's two
# ends name the rule and the fact, read without parsing the rest.
_MESSAGE = re.compile(r'\{"([^"\\]+)":\{"m":\{.*[{,]"id":([0-9]+)\}\}\}\Z', re.DOTALL)
SID_POOL_SIZE = 64
# The engine's default state: a fact without a sid goes there, so facts for it are sent without one.
DEFAULT_SID = "0"


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
    """State ids known not to collide in the engine's 32-bit hash (FNV-1 and FNV-1a both).

    Not locked: CompiledRuleset takes and gives back ids under its own lock.
    """

    def __init__(self, size: int = SID_POOL_SIZE) -> None:
        if not 0 < size < LIVE_STATE_LIMIT:
            raise ValueError(f"sid pool size must be 1..{LIVE_STATE_LIMIT - 1}")
        sids = [DEFAULT_SID, *(f"s{i}" for i in range(1, size))]
        for hash_fn in (fnv1_32, fnv1a_32):
            if len({hash_fn(s) for s in sids}) != len(sids):
                raise AssertionError("sid pool has colliding hashes")
        self._free = deque(reversed(sids))  # the default state's id first
        self.size = size

    def take(self) -> str:
        if not self._free:
            raise RuntimeError("no free state id: more concurrent states than the pool allows")
        return self._free.pop()

    def give_back(self, sid: str) -> None:
        self._free.append(sid)  # the engine no longer holds it: taken again next

    def free(self) -> int:
        return len(self._free)


class Match(NamedTuple):
    rule_index: int
    fact: dict[str, Any]  # the caller's fact itself when JSON gives it back unchanged: do not modify it
    fact_index: int = -1  # its index in the facts given to `run`


_new_match = tuple.__new__


def _no_action(c) -> None:
    """Registered with each rule; never called: CompiledRuleset runs the actions itself."""


class CompiledRuleset:
    """One pack's rules as a durable_rules ruleset in a private host."""

    _names = itertools.count()

    def __init__(self, label: str, conditions: list[Any], originals: frozenset[str] = frozenset()) -> None:
        """`originals`: fact types handed back by `run` as given (see enginejson.facts_json)."""
        self.name = f"{label}#{next(self._names)}"
        self._originals = originals
        self._plans: dict = {}  # facts_json's cuts by the facts' keys: made under the lock, for this ruleset's names
        self._host = QuietHost()
        self._pool = SidPool()
        self._lock = threading.Lock()
        self._closed = False
        definition: dict[str, Any] = {}
        self.conditions: list[str] = []
        # Engine rule -> the pack's rules with that condition: rules with the same condition (a
        # grade and its consequences, say) share one engine rule, one action per fact for them all.
        self._rule_indices: dict[str, tuple[int, ...]] = {}
        by_condition: dict[str, str] = {}
        for index, condition in enumerate(conditions):
            rule = when_all(condition)(_no_action).define()
            text = json.dumps(rule["all"], ensure_ascii=False, sort_keys=True)
            self.conditions.append(text)
            name = by_condition.setdefault(text, f"r{index}")
            definition.setdefault(name, rule)
            self._rule_indices[name] = self._rule_indices.get(name, ()) + (index,)
        definition["end"] = when_all(m.type == _END)(_no_action).define()
        # The fact properties any condition (the end rule's included) can read: all the engine is sent.
        self._sent_names = condition_names(rule["all"] for rule in definition.values())
        # register_rulesets takes the actions out of the dict it is given; it is ours alone.
        self._host.register_rulesets({self.name: definition})
        self._ruleset = self._host.get_ruleset(self.name)
        self._handle = self._ruleset._handle

    def _assert_and_act(self, batch_json: str, sid: str, end_id: int) -> list[tuple[tuple[int, ...], int]]:
        """Assert a batch of facts, run the actions it triggers, and return (rules, fact index) pairs.

        Host.assert_facts raises "not handled" when any one fact matches no rule's condition
        (the common case: a fact that breaks no rule), and then runs no action at all, not even
        for the facts that did match. So call the engine directly: code 1 still stores the
        matching facts and returns the state, whose actions we then run.

        The actions are run here rather than by Ruleset.do_actions: ours only record which rule
        matched which fact, and change nothing in the state, so the state's JSON round trip
        (update_state re-asserting it through the network, per action) that do_actions makes
        after each action is skipped. Each action is still started and completed by the engine,
        one at a time, in the engine's order.

        When no rule fired, the end fact is asserted into the same state for the end rule to
        fire on: the state must run an action before it can be deleted.
        """
        handle = self._handle
        state_handle = self._assert(batch_json)
        result = durable_rules_engine.start_action_for_state(handle, state_handle)
        if result is None:
            sid_property = "" if sid == DEFAULT_SID else f'"sid":"{sid}",'
            self._assert(f'[{{"type":"{_END}",{sid_property}"id":{end_id}}}]')  # an id no fact has
            result = durable_rules_engine.start_action_for_state(handle, state_handle)
            if result is None:
                raise RuntimeError("engine started no action (the end rule always fires)")
        matched: list[tuple[tuple[int, ...], int]] = []
        rule_indices = self._rule_indices
        read = _MESSAGE.match
        messages = result[1]
        try:
            while messages is not None:
                found = read(messages)
                if found is None:  # the message (and the fact in it) is not quoted: it may hold personal data
                    raise RuntimeError("engine wrote an action message in an unexpected form")
                indices = rule_indices.get(found[1])
                if indices is not None:  # not the end rule
                    matched.append((indices, int(found[2])))
                messages = durable_rules_engine.complete_and_start_action(handle, state_handle)
        except BaseException:
            durable_rules_engine.abandon_action(handle, state_handle)
            raise
        return matched

    def _assert(self, batch_json: str) -> int:
        code, state_handle = durable_rules_engine.assert_facts(self._handle, batch_json)
        if code not in (_ASSERTED, _SOME_NOT_HANDLED):
            raise RuntimeError(f"engine refused the facts (code {code})")
        return state_handle

    def run(self, facts: list[dict[str, Any]]) -> list[Match]:
        """Assert the facts in a fresh state; return every (rule, fact) match."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"ruleset {self.name} is closed")
            sid = self._pool.take()
            try:
                # Serialise first: a fact the engine cannot take must fail before a state exists.
                # No facts: the end fact alone, so that the batch still makes the state.
                sent_sid = None if sid == DEFAULT_SID else sid
                batch_json, whole = facts_json(facts or [_END_FACT], self._sent_names, sent_sid, self._originals,
                                              self._plans)
            except BaseException:
                self._pool.give_back(sid)
                raise
            # From here on a state exists. If its actions fail, deleting a state that never
            # ran an action crashes the engine, and reusing its id could show this request's
            # facts to a later one: the id is retired, not given back.
            matched = self._assert_and_act(batch_json, sid, len(facts))
            # The engine's own call: Host.delete_state only looks the ruleset up by name first.
            durable_rules_engine.delete_state(self._handle, sid)
            self._pool.give_back(sid)
        if len(matched) > 1:  # a condition with an `or` fires once for each alternative that holds
            matched = list(dict.fromkeys(matched))
        new = _new_match  # a Match without NamedTuple's Python-level __new__: a grade's match is several
        if whole:  # facts JSON would change: hand them back as the engine would have
            decoded = {i: json.loads(whole[i]) for i in {i for _, i in matched} if i in whole}
            return [new(Match, (index, decoded.get(i, facts[i]), i)) for indices, i in matched for index in indices]
        return [new(Match, (index, facts[i], i)) for indices, i in matched for index in indices]

    def close(self) -> None:
        """Free the engine's ruleset (after a reload retired its pack); later runs are refused.

        Waits for a run in progress: the lock is held for the whole of one.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            durable_rules_engine.delete_ruleset(self._handle)
