"""Pledge helpers shared by packs: comparing item texts, hollow items, missing form fields."""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from .model import fact


_CACHE_LIMIT = 65536


class _Unspaced(dict):
    """A str.translate table that removes spaces and punctuation and keeps every other character.

    Filled in one character at a time as texts bring them (bounded: past the limit a character
    is still judged, just not remembered), so the judging is done once per character, not per text.
    """

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if ch.isspace() or unicodedata.category(ch).startswith("P") else code
        if len(self) < _CACHE_LIMIT:
            self[code] = kept
        return kept


_UNSPACED = _Unspaced()
_phrase_cache: dict[tuple[str, ...], list[str]] = {}


def normalized(text: str) -> str:
    """Text compared "word for word": spaces and punctuation (Chinese and Latin) removed."""
    return unicodedata.normalize("NFKC", text or "").translate(_UNSPACED)


def _hollow_cores(hollow_phrases: Iterable[str]) -> list[str]:
    """The hollow phrases normalized, longest first (they come from thresholds.yaml: worked out once)."""
    key = tuple(hollow_phrases)
    cores = _phrase_cache.get(key)
    if cores is None:
        cores = [p for p in sorted((normalized(p) for p in key), key=len, reverse=True) if p]
        if len(_phrase_cache) < _CACHE_LIMIT:
            _phrase_cache[key] = cores
    return cores


def is_hollow(text: str, min_chars: int, hollow_phrases: Iterable[str]) -> bool:
    """Too short, or made only of hollow phrases (努力工作, 积极参与 …) once those are removed."""
    core = normalized(text)
    if len(core) < min_chars:
        return True
    for phrase in _hollow_cores(hollow_phrases):
        core = core.replace(phrase, "")
    return not core


def present(value: Any) -> bool:
    """A form field counts as filled when it is neither absent nor empty."""
    return value not in (None, "", [], {})


def missing_fields(form: dict[str, Any], required: Iterable[str], path: str) -> Iterable[dict]:
    """Facts `missing_field` {field, path} for each dotted `required` field not filled in `form`.

    `a|b` means either will do (e.g. `member.age|member.birth_date`).
    """
    for spec in required:
        alternatives = spec.split("|")
        if not any(present(_get(form, alt)) for alt in alternatives):
            yield fact("missing_field", field=spec, path=f"{path}.{alternatives[0]}")


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data
