"""Pledge helpers shared by packs: comparing item texts, hollow items, missing form fields."""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from .model import fact


def normalized(text: str) -> str:
    """Text compared "word for word": spaces and punctuation (Chinese and Latin) removed."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith("P")))


def is_hollow(text: str, min_chars: int, hollow_phrases: Iterable[str]) -> bool:
    """Too short, or made only of hollow phrases (努力工作, 积极参与 …) once those are removed."""
    core = normalized(text)
    if len(core) < min_chars:
        return True
    for phrase in sorted((normalized(p) for p in hollow_phrases), key=len, reverse=True):
        if phrase:
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
