"""Facts as JSON that durable_rules 2.0.28 reads without crashing its process.

The engine is sent, of each fact, only the properties the ruleset's conditions can read
(`condition_names`), plus the engine's own `sid` and `id`: no condition reads the rest, and
every byte sent is parsed, hashed and stored by the engine and written back into each action's
message. The caller keeps the whole fact and gets it back by its `id`, its index in the
batch (given, it also spares the engine making an id by sorting and hashing the properties).

Two inputs segfault the engine when it starts an action over the fact (both reproduced in
tests/reliability/test_regressions.py, test_facts_that_crashed_the_engine_are_read_or_refused,
in a child process):
- a number written with an exponent but no decimal point (`1e-05`, `1e+16`, `-1e5`): Python
  writes floats that way whenever the shortest form has one significant digit. The same value
  written `1.0e-05` is read correctly, so that is how it is written here.
- a fact with more than 253 properties, counting the keys of nested objects (not those inside
  lists) and the engine's own `sid` and id: refused here with a ValueError. The whole fact is
  counted, not just what is sent, so what a pack may derive does not depend on its conditions.
Every fact must be a JSON value as a whole (TypeError/ValueError otherwise); NaN and infinities
are not JSON and are refused too.
"""

from __future__ import annotations

import json
import os
import re
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, Iterable

from orjson import dumps as _orjson_dumps

MAX_FACT_PROPERTIES = 253
_ENGINE_KEYS = 2  # sid and id, added to every fact

# Values that JSON gives back unchanged and that cannot hide a property, a misread number or a
# non-JSON value: a fact with string keys and only these values needs no further check (the
# common case).
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})
_PLAIN_KEYS = frozenset({str})

# A hint only (it may also match inside a string): when it does not match, there is no
# such number, and the common case costs one regex scan.
_EXPONENT_WITHOUT_DOT = re.compile(r"(?<![.0-9])[0-9]+[eE][-+]?[0-9]")
# What every such number contains: a scan about 4x cheaper, so the full one runs only when it finds something.
_DIGIT_EXPONENT_DIGIT = re.compile(r"[0-9][eE][-+]?[0-9]")
# Built once (json.dumps with options builds an encoder per call); the same output as json.dumps.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _sent_encoder():
    """The encoder of what is sent: compact (less for the engine to parse), with no check for
    circular references since every value sent is plain or has passed `_encode`, and built once:
    JSONEncoder.encode builds its C encoder anew on every call, which costs more than encoding
    a small batch."""
    if c_make_encoder is None:  # a Python without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False, check_circular=False, separators=(",", ":")).encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    encoder = c_make_encoder(None, refuse, encode_basestring, None, ":", ",", False, False, False)
    return lambda value: "".join(encoder(value, 0))


_encode_sent = _sent_encoder()


def condition_names(definitions: Iterable[Any]) -> frozenset[str]:
    """Every string in the rules' condition JSON, and the part of a dotted one before its first dot.

    A superset of the fact properties the conditions can read, whatever the operator: a
    property is named by a string (a key such as {"$gt": {"n": 1}} or a reference such as
    {"$m": "quota"}), nested ones as "a.b". Strings that name no property (operators, compared
    values) only add properties that are sent for nothing.
    """
    names: set[str] = set()
    pending = list(definitions)
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, str):
            names.add(item)
            names.add(item.split(".", 1)[0])
    return frozenset(names)


def _properties(obj: dict) -> int:
    return len(obj) + sum(_properties(v) for v in obj.values() if isinstance(v, dict))


def _bad_float(value: float) -> bool:
    text = repr(value)
    return "e" in text and "." not in text


def _replace_floats(value: Any, found: dict[str, str], nonce: str) -> Any:
    """`value` with each float the engine misreads replaced by a unique placeholder string."""
    if isinstance(value, float) and _bad_float(value):
        placeholder = f"policyhub-number-{nonce}-{len(found)}"
        found[json.dumps(placeholder)] = repr(value).replace("e", ".0e", 1)
        return placeholder
    if isinstance(value, dict):
        return {k: _replace_floats(v, found, nonce) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # JSON writes a tuple as a list
        return [_replace_floats(v, found, nonce) for v in value]
    return value


def _too_many(fact: dict) -> ValueError:
    return ValueError(
        f"a fact of type {fact.get('type')!r} has more than {MAX_FACT_PROPERTIES - _ENGINE_KEYS} properties "
        "(nested objects' keys included), more than the rules engine holds"
    )


# Per ruleset, how a fact with a given tuple of keys is cut (see `_plan`): derive functions make
# facts of few shapes, thousands of them in a large ledger. Bounded: a derive function whose facts'
# keys vary without end (names read from a request) takes the general path beyond this.
PLANS_KEPT = 512
_NO_PLAN = (None, None)


def _plan(keys: tuple, names: frozenset[str], original: bool) -> tuple:
    """Two functions (without a sid, with one) that cut a fact with exactly these keys, in this
    order, to what is sent — or give None when a value needs the general path: a fact handed back
    as given (`original`) needs its sent values plain and no nested object among the others; any
    other fact needs every value plain. Python source made once per plan (a dict display with the
    keys written in is 2x faster than a comprehension); (None, None) when the general path always
    applies (keys that are not all str, too many properties)."""
    if not _PLAIN_KEYS.issuperset(map(type, keys)) or len(keys) > MAX_FACT_PROPERTIES - _ENGINE_KEYS:
        return _NO_PLAN
    keep = [key for key in keys if key in names]
    sent = {key: f"v{n}" for n, key in enumerate(keep)}
    checks = [f"{variable}.__class__ in P" for variable in sent.values()]
    checks += [f"f[{key!r}].__class__ {'is not dict' if original else 'in P'}" for key in keys if key not in sent]
    reads = "".join(f"    {variable} = f[{key!r}]\n" for key, variable in sent.items())
    display = "".join(f"{key!r}: {variable}, " for key, variable in sent.items())
    source = (f"def cut(f, i):\n{reads}    if {' and '.join(checks) or 'True'}:\n"
              f"        return {{{display}'id': i}}\n"
              f"def cut_sid(f, sid, i):\n{reads}    if {' and '.join(checks) or 'True'}:\n"
              f"        return {{{display}'sid': sid, 'id': i}}\n")
    namespace: dict[str, Any] = {"P": _PLAIN_VALUES}
    exec(compile(source, "<policyhub.engine.enginejson fact cut>", "exec"), namespace)  # keys written by repr()
    return namespace["cut"], namespace["cut_sid"]


def facts_json(facts: list[dict[str, Any]], names: frozenset[str], sid: str | None,
               originals: frozenset[str] = frozenset(), plans: dict | None = None) -> tuple[str, dict[int, str]]:
    """The facts as the engine's JSON batch, each cut to `names` and given `sid` (unless None: the
    engine's default state) and `id` (its index, last).

    Also returns, for each fact that JSON would not give back unchanged (one with floats, lists,
    nested objects, other types or keys that are not strings), its whole JSON text by index:
    decoded, that is the fact as the engine would have returned it. ValueError/TypeError for a
    fact the engine cannot take.

    Facts of the types in `originals` (rule data's measurements, whose rules read them as made)
    are handed back as given: they are counted whole, but only what is sent must be JSON.

    `plans`: the caller's cache of `_plan`s for these `names` and `originals` (a ruleset keeps
    one), else one per call. A plan only takes the common case faster; what it sends is what the
    general path below sends (for a measurement, perhaps with its properties in another order).
    """
    whole: dict[int, str] = {}
    sent = []
    floats = False  # a float sent in a fact handed back as given: scan for misread numbers
    if plans is None:
        plans = {}
    most = MAX_FACT_PROPERTIES - _ENGINE_KEYS
    for index, fact in enumerate(facts):
        fact_type = fact.get("type")
        original = fact_type in originals if originals else False
        # A plan reads the fact by key: only a dict itself (a subclass may read otherwise) takes one.
        exact = fact.__class__ is dict
        if original and exact:
            # A measurement (most facts of a large ledger): the plan its type had last, when the
            # fact has as many keys and the plan's cut finds each of them (so the same keys; in
            # another order the properties are sent in the plan's, which the engine reads by name).
            typed = plans.get(fact_type)
            if typed is not None and typed[0] == len(fact):
                try:
                    cut = typed[1](fact, index) if sid is None else typed[2](fact, sid, index)
                except KeyError:
                    cut = None
                if cut is not None:
                    sent.append(cut)
                    continue
        # The common case: a plan for the fact's keys, whose cut checks what it must (see _plan).
        keys = tuple(fact)
        plan = plans.get((keys, original))
        if plan is None:
            plan = _plan(keys, names, original)
            if len(plans) < PLANS_KEPT:
                plans[(keys, original)] = plan
        if original and plan[0] is not None and len(plans) < PLANS_KEPT:
            plans[fact_type] = (len(keys), *plan)  # tried first for the next fact of its type
        if plan[0] is not None and exact and (original or _PLAIN_KEYS.issuperset(map(type, keys))):
            # (the keys checked for this fact itself: a tuple may equal the plan's with keys of other types)
            cut = plan[0](fact, index) if sid is None else plan[1](fact, sid, index)
            if cut is not None:
                sent.append(cut)
                continue
        if original:
            # Handed back as given: its keys need no check (only string names are sent), and a
            # fact of plain values has no nested properties and nothing in it to check.
            plain = _PLAIN_VALUES.issuperset(map(type, fact.values()))
            count = len(fact)
            if not plain:
                for value in fact.values():
                    if value.__class__ is dict:
                        count += _properties(value)
            if count > most:
                raise _too_many(fact)
            cut = {key: value for key, value in fact.items() if key in names}
            if not plain and not _PLAIN_VALUES.issuperset(map(type, cut.values())):
                floats = True
                _encode(cut)  # a sent value that is not JSON fails here
            if sid is not None:
                cut["sid"] = sid
            cut["id"] = index
            sent.append(cut)
            continue
        if _PLAIN_VALUES.issuperset(map(type, fact.values())) and _PLAIN_KEYS.issuperset(map(type, fact)):
            if len(fact) > most:
                raise _too_many(fact)
        else:
            if _properties(fact) > most:
                raise _too_many(fact)
            whole[index] = _encode(fact)  # a value that is not JSON fails here, sent or not (circular ones too)
        cut = {key: value for key, value in fact.items() if key in names}
        if sid is not None:
            cut["sid"] = sid
        cut["id"] = index  # last: an action's message then ends with it (see engine.py, _MESSAGE)
        sent.append(cut)
    return _batch(sent, whole or floats), whole


def _batch(sent: list[dict[str, Any]], floats: Any) -> str:
    """The cut facts as JSON text. Without floats every value is a str, int, bool or None, which
    orjson writes as json does (7x faster); where it refuses one (an integer past 64 bits, a
    lone surrogate) json writes it."""
    if not floats:
        try:
            return _orjson_dumps(sent).decode()
        except TypeError:
            return _encode_sent(sent)
    text = _encode_sent(sent)
    # Only facts with a float can hold a misread number.
    if _DIGIT_EXPONENT_DIGIT.search(text) is None or _EXPONENT_WITHOUT_DOT.search(text) is None:
        return text
    found: dict[str, str] = {}
    text = _encode_sent(_replace_floats(sent, found, os.urandom(8).hex()))
    for placeholder, number in found.items():
        text = text.replace(placeholder, number)
    return text
