"""Facts as JSON that durable_rules 2.0.28 reads without crashing its process.

Two inputs segfault the engine when it starts an action over the fact (both reproduced in
tests/reliability/test_regressions.py, test_facts_that_crashed_the_engine_are_read_or_refused,
in a child process):
- a number written with an exponent but no decimal point (`1e-05`, `1e+16`, `-1e5`): Python
  writes floats that way whenever the shortest form has one significant digit. The same value
  written `1.0e-05` is read correctly, so that is how it is written here.
- a fact with more than 253 properties, counting the keys of nested objects (not those inside
  lists) and the engine's own `sid` and `_i`: refused here with a ValueError.
NaN and infinities are not JSON and are refused too.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

MAX_FACT_PROPERTIES = 253

# A hint only (it may also match inside a string): when it does not match, there is no
# such number, and the common case costs one regex scan.
_EXPONENT_WITHOUT_DOT = re.compile(r"(?<![.0-9])[0-9]+[eE][-+]?[0-9]")
# What every such number contains: a scan about 4x cheaper, so the full one runs only when it finds something.
_DIGIT_EXPONENT_DIGIT = re.compile(r"[0-9][eE][-+]?[0-9]")
# Built once (json.dumps with options builds an encoder per call); the same output as json.dumps.
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


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
    if isinstance(value, list):
        return [_replace_floats(v, found, nonce) for v in value]
    return value


def facts_json(batch: list[dict[str, Any]]) -> str:
    """The batch of facts as the engine's JSON; ValueError for a fact it cannot take."""
    for fact in batch:
        if _properties(fact) > MAX_FACT_PROPERTIES:
            raise ValueError(
                f"a fact of type {fact.get('type')!r} has more than {MAX_FACT_PROPERTIES - 2} properties "
                "(nested objects' keys included), more than the rules engine holds"
            )
    text = _encode(batch)
    if _DIGIT_EXPONENT_DIGIT.search(text) is None or _EXPONENT_WITHOUT_DOT.search(text) is None:
        return text
    found: dict[str, str] = {}
    text = json.dumps(_replace_floats(batch, found, os.urandom(8).hex()), ensure_ascii=False, allow_nan=False)
    for placeholder, number in found.items():
        text = text.replace(placeholder, number)
    return text
