"""Reading the keys a pack takes from `extra` (free-form JSON), each by its type.

`extra` carries whatever the vocabulary leaves to the packs (`tied_to_election`, `level`, a
count of attendees ...). Its values arrive as JSON, so `"false"` is a string and `2` may be `2.0`:
read by truthiness, the string "false" would count as true. These readers take a key only in
its own type and refuse anything else with INVALID_ARGUMENT naming the field, so a decision is
never made on a value the caller did not mean.

Every reader returns None for an absent key (and for JSON null): the pack decides what absence means.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..domain.errors import InvalidArgument


def _extra(container: dict[str, Any] | None, path: str) -> dict[str, Any]:
    value = (container or {}).get("extra")
    if value is None:
        return {}
    if not isinstance(value, dict):  # cannot happen from a request (a Struct), but a derive may pass anything
        raise InvalidArgument([(f"{path}.extra", "must be a JSON object")])
    return value


def _refuse(path: str, key: str, wanted: str, value: Any) -> InvalidArgument:
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return InvalidArgument([(f"{path}.extra.{key}", f"must be {wanted}, not {shown}")])


def flag(container: dict[str, Any] | None, key: str, path: str) -> bool | None:
    """A JSON true or false; the strings "true"/"false", 0 and 1 are refused."""
    value = _extra(container, path).get(key)
    if value is None or isinstance(value, bool):
        return value
    raise _refuse(path, key, "true or false", value)


def count(container: dict[str, Any] | None, key: str, path: str) -> int | None:
    """A whole number >= 0 (JSON numbers come as floats: 7.0 is 7, 7.5 is refused)."""
    value = _extra(container, path).get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise _refuse(path, key, "a whole number of 0 or more", value)
    return int(value)


def text(container: dict[str, Any] | None, key: str, path: str) -> str | None:
    """Any text (a number or an object is refused)."""
    value = _extra(container, path).get(key)
    if value is None or isinstance(value, str):
        return value
    raise _refuse(path, key, "text", value)


def code(container: dict[str, Any] | None, key: str, path: str, codes: Iterable[str]) -> str | None:
    """One of `codes`."""
    value = _extra(container, path).get(key)
    if value is None:
        return None
    allowed = list(codes)
    if not isinstance(value, str) or value not in allowed:
        raise _refuse(path, key, f"one of {', '.join(allowed)}", value)
    return value


def pattern(container: dict[str, Any] | None, key: str, path: str, regex: str, described: str) -> str | None:
    """Text matching `regex` whole (e.g. a half-year "2022-H2")."""
    value = _extra(container, path).get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(regex, value):
        raise _refuse(path, key, described, value)
    return value
