"""Pledge helpers shared by packs: comparing item texts, hollow items, missing form fields; and the
measure function of the `core.pledges` library (library/pledges.yaml): every item's length and repeats."""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from .model import Context, derive, fact


_CACHE_LIMIT = 65536
# General categories that hold no word: punctuation (P*) and format characters (Cf: zero-width ones).
_UNSEEN = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Cf"})


class _Unspaced(dict):
    """A str.translate table that removes spaces, punctuation and invisible format characters
    (zero-width spaces, joiners, the BOM) and keeps every other character.

    Filled in one character at a time as texts bring them (bounded: past the limit a character
    is still judged, just not remembered), so the judging is done once per character, not per text.
    """

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if ch.isspace() or unicodedata.category(ch) in _UNSEEN else code
        if len(self) < _CACHE_LIMIT:
            self[code] = kept
        return kept


_UNSPACED = _Unspaced()
_phrase_cache: dict[tuple[str, ...], list[str]] = {}


# Fullwidth punctuation and the ideographic space, each with what NFKC makes of it. Written so
# before NFKC, a Chinese text holding no other compatibility character passes NFKC's quick check
# instead of being decomposed and composed again (≈ 4 µs for 30 characters). The result is NFKC's
# own: each is one character of combining class 0 whose whole decomposition is one such character,
# so NFKC sees the same decomposed text either way.
_FULLWIDTH = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，；：！？（）\u3000")
if not all(len(narrow) == 1 and narrow == unicodedata.normalize("NFKD", wide)
           and unicodedata.combining(wide) == unicodedata.combining(narrow) == 0 for wide, narrow in _FULLWIDTH):
    raise AssertionError("this Python's Unicode data decomposes fullwidth punctuation otherwise")


def normalized(text: str) -> str:
    """Text compared "word for word": NFKC, then spaces and punctuation (Chinese and Latin) removed."""
    text = text or ""
    for wide, narrow in _FULLWIDTH:
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_UNSPACED)


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


def substance(text: str, hollow_phrases: Iterable[str]) -> tuple[int, int]:
    """(characters of the text, characters left once the hollow phrases are taken out), normalized:
    what `is_hollow` decides on, as measurements a rule compares (is_hollow: the first below the
    minimum, or the second 0)."""
    core = normalized(text)
    chars = len(core)
    for phrase in _hollow_cores(hollow_phrases):
        core = core.replace(phrase, "")
    return chars, len(core)


# Characters that show nothing: zero-width spaces and joiners, the word joiner, the BOM. Unicode
# files them as format characters (Cf), not spaces, so str.strip() and str.isspace() keep them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"), None)


def blank(text: str) -> bool:
    """Text that shows nothing: empty, only whitespace (U+3000 included) or zero-width characters.

    One rule for every pack: such text is empty, whether it is a name, an item or an owner.
    """
    return not text.translate(_INVISIBLE).strip()


def present(value: Any) -> bool:
    """A form field counts as filled when it is neither absent nor empty (blank text is empty)."""
    if isinstance(value, str):
        return not blank(value)
    return value not in (None, [], {})


def distinct_texts(texts: Iterable[str]) -> int:
    """How many different texts, compared word for word (`normalized`); blank ones are not counted."""
    return len({key for key in map(normalized, texts) if key})


def households(rows: Iterable[dict[str, Any]]) -> int:
    """How many distinct households (linked_households rows) a list names.

    A household is its head: the name compared word for word (`normalized`), told apart from a
    namesake by the phone when both rows give one (digits only). A row with a blank name is no
    household; the same head listed twice, with or without the phone again, is one.
    """
    phones: dict[str, set[str]] = {}
    for row in rows:
        name = normalized(str(row.get("head_name") or ""))
        if name:
            phone = "".join(ch for ch in str(row.get("phone") or "") if ch.isdigit())
            phones.setdefault(name, set()).update([phone] if phone else [])
    return sum(max(1, len(numbers)) for numbers in phones.values())


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


@derive("pledge")
def pledge_items(pledge: dict[str, Any], ctx: Context) -> Iterable[dict]:
    """core.pledges `pledge_item`: per item, its characters (word for word) and how many of last
    year's items it repeats."""
    previous = [key for p in pledge.get("previous_items", []) if (key := normalized(str(p.get("text") or "")))]
    for i, item in enumerate(pledge.get("items", [])):
        text = item.get("text", "")
        key = normalized(text)
        yield {"type": "pledge_item", "path": f"pledge.items[{i}].text", "item": i + 1, "text": text,
               "category": item.get("category", ""), "chars": len(key), "repeats": previous.count(key) if key else 0}
