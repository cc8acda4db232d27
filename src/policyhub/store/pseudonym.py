"""Keyed pseudonyms for personal data: HMAC-SHA256 with a key from configuration.

Equal values get equal pseudonyms (so a subject's decisions can be found, and rules that compare
names or ids decide the same on the stored input), and nothing can be read back without the key.
What is personal: the vocabulary's names (a member's, a subject's, a household head's, the vote
counters' and supervisors', an owner's), phones and e-mails, and the ids that point at a person
(member, subject, activity and grid member ids). Free text (pledge items, rectification items,
`extra`) is kept, since rules read it (keywords), with every phone number and e-mail address in
it, and every personal value of the same submission, replaced by its pseudonym.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

# Field names whose string values are personal wherever they occur (Round.name is a code: below).
PERSONAL_FIELDS = frozenset({"name", "head_name", "phone", "email", "owner", "vote_counters", "vote_supervisors",
                             "member_id", "member_ids"})
# `id` is personal only in these containers (a pledge's or meeting's own id is a document's).
PERSON_CONTAINERS = frozenset({"member", "members", "subject"})
# Codes, not names: left as they are.
CODED = frozenset({("rounds", "name")})
PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(?:1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PREFIX = "pn:"  # every pseudonym starts so: recognisable, never a valid phone, e-mail or code


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self._cache: dict[str, str] = {}  # in memory only: equal names recur across requests

    def __call__(self, value: str) -> str:
        found = self._cache.get(value)
        if found is None:
            if value.startswith(PREFIX) or not value:  # already a pseudonym (a replayed input), or nothing
                return value
            digest = hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()
            found = PREFIX + base64.b32encode(digest[:15]).decode().lower()
            if len(self._cache) > 65536:
                self._cache.clear()
            self._cache[value] = found
        return found

    def digest(self, data: bytes) -> str:
        """A keyed digest of bytes (the canonical input): equal inputs compare equal, no guess can be confirmed."""
        return "hmac-sha256:" + hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def submission(self, kind: str, data: dict) -> tuple[dict, dict[str, str]]:
        """The submission with personal values replaced, and {clear value: pseudonym} of what was replaced."""
        replaced: dict[str, str] = {}
        out = self._walk(data, kind, replaced)
        if replaced:  # personal values repeated inside free text (a pledge naming its own member)
            out = self._text_walk(out, Replacer(replaced))
        return out, replaced

    def _walk(self, value: Any, container: str, replaced: dict[str, str]) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if isinstance(item, str):
                    if (key in PERSONAL_FIELDS and (container, key) not in CODED) or (key == "id" and container in PERSON_CONTAINERS):
                        out[key] = replaced[item] if item in replaced else self._personal(item, replaced)
                    else:
                        out[key] = self._free_text(item, replaced)
                elif isinstance(item, list) and key in PERSONAL_FIELDS:
                    out[key] = [self._personal(v, replaced) if isinstance(v, str) else self._walk(v, key, replaced) for v in item]
                else:
                    out[key] = self._walk(item, key, replaced)
            return out
        if isinstance(value, list):
            return [self._walk(item, container, replaced) for item in value]
        if isinstance(value, str):
            return self._free_text(value, replaced)
        return value

    def _personal(self, value: str, replaced: dict[str, str]) -> str:
        pseudonym = self(value)
        if value and pseudonym != value:
            replaced[value] = pseudonym
        return pseudonym

    def _free_text(self, text: str, replaced: dict[str, str]) -> str:
        if "@" in text:
            text = EMAIL.sub(lambda m: self._personal(m.group(0), replaced), text)
        if any(c.isdigit() for c in text) and PHONE.search(text):
            text = PHONE.sub(lambda m: self._personal(m.group(0), replaced), text)
        return text

    def _text_walk(self, value: Any, replace: "Replacer") -> Any:
        if isinstance(value, dict):
            return {k: self._text_walk(v, replace) for k, v in value.items()}
        if isinstance(value, list):
            return [self._text_walk(v, replace) for v in value]
        if isinstance(value, str):
            return replace(value)
        return value


def _distinctive(value: str) -> bool:
    """Replaced inside longer text only when it cannot be an accident: `M-1` inside `M-17` or `1` in `第1项` must not."""
    return len(value) >= 2 and not (value.isascii() and len(value) < 5)


class Replacer:
    """Replaces a submission's clear personal values in text derived from it (messages, facts, params)."""

    __slots__ = ("exact", "inside")

    def __init__(self, replaced: dict[str, str]) -> None:
        self.exact = replaced
        # longest first: a name that contains another is replaced whole
        self.inside = sorted(((c, p) for c, p in replaced.items() if _distinctive(c)), key=lambda cp: -len(cp[0]))

    def __call__(self, text: str) -> str:
        exact = self.exact.get(text)
        if exact is not None:
            return exact
        for clear, pseudonym in self.inside:
            if clear in text:
                text = text.replace(clear, pseudonym)
        return text

    def deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value
