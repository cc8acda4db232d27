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

import orjson

from ..rules.pledges import blank, normalized

# Field names whose string values are personal wherever they occur (Round.name is a code: below).
PERSONAL_FIELDS = frozenset({"name", "head_name", "phone", "email", "owner", "vote_counters", "vote_supervisors",
                             "member_id", "member_ids"})
# `id` is personal only in these containers (a pledge's or meeting's own id is a document's).
PERSON_CONTAINERS = frozenset({"member", "members", "subject"})
# Codes, not names: left as they are.
CODED = frozenset({("rounds", "name")})
PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(?:1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# An @, or digits enough for a phone number: only such text is searched with the patterns above.
_MAYBE_CONTACT = re.compile(r"@|[0-9]{4}")
PREFIX = "pn:"


def _plain_fields() -> frozenset[str]:
    """Field names whose every message type holds only codes, dates and counts (validation.FIELDS),
    never a name, a phone, an e-mail or free text: the walk copies those values without looking."""
    from google.protobuf.descriptor import FieldDescriptor

    from ..v1 import policyhub_pb2
    from ..domain.validation import FIELDS

    plain: dict[str, bool] = {}

    def is_plain(message) -> bool:
        if message.full_name in plain:
            return plain[message.full_name]
        plain[message.full_name] = False  # (no recursive types here)
        ok = True
        for field in message.fields:
            if field.message_type is not None and not field.message_type.GetOptions().map_entry:
                ok = ok and field.message_type.full_name != "google.protobuf.Struct" and is_plain(field.message_type)
            elif field.type == FieldDescriptor.TYPE_STRING or field.message_type is not None:
                ok = ok and (message.name, field.name) in FIELDS
        plain[message.full_name] = ok
        return ok

    by_name: dict[str, bool] = {}
    seen: set[str] = set()

    def visit(message) -> None:
        if message.full_name in seen:
            return
        seen.add(message.full_name)
        for field in message.fields:
            if field.message_type is not None and not field.message_type.GetOptions().map_entry \
                    and field.message_type.full_name != "google.protobuf.Struct":
                by_name[field.name] = by_name.get(field.name, True) and is_plain(field.message_type)
                visit(field.message_type)

    visit(policyhub_pb2.EvaluateRequest.DESCRIPTOR)
    return frozenset(name for name, ok in by_name.items() if ok)


PLAIN_FIELDS = _plain_fields()  # every pseudonym starts so: recognisable, never a valid phone, e-mail or code


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self._cache: dict[str, str] = {}  # in memory only: equal names recur across requests
        # HMAC's keyed start state made once and copied per digest (the same digest as hmac.digest,
        # without setting up the key each time: a third of a digest of a ballot's bytes).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, value: str) -> str:
        found = self._cache.get(value)
        if found is None:
            if value.startswith(PREFIX) or not value:  # already a pseudonym (a replayed input), or nothing
                return value
            keyed = self._keyed.copy()
            keyed.update(value.encode("utf-8"))
            digest = keyed.digest()
            found = PREFIX + base64.b32encode(digest[:15]).decode().lower()
            if len(self._cache) > 65536:
                self._cache.clear()
            self._cache[value] = found
        return found

    def digest(self, data: bytes) -> str:
        """A keyed digest of bytes (the canonical input): equal inputs compare equal, no guess can be confirmed."""
        keyed = self._keyed.copy()
        keyed.update(data)
        return "hmac-sha256:" + keyed.hexdigest()

    def submission(self, kind: str, data: dict) -> tuple[dict, dict[str, str]]:
        """The submission with personal fields replaced, and {clear value: pseudonym} of what was
        replaced. Free text still holds a personal value it repeats (a pledge naming its own member):
        Replacer.json replaces those in the JSON text that is stored."""
        replaced: dict[str, str] = {}
        return self._walk(data, kind, replaced), replaced

    def _walk(self, value: Any, container: str, replaced: dict[str, str]) -> Any:
        # On every recorded decision's path: plain type tests, and free text only looked at when a
        # cheap search finds something that may be a phone number or an e-mail address.
        kind = type(value)
        if kind is dict:
            out: dict[str, Any] = {}
            for key, item in value.items():
                item_kind = type(item)
                if item_kind is str:
                    if (key in PERSONAL_FIELDS and (container, key) not in CODED) or (key == "id" and container in PERSON_CONTAINERS):
                        out[key] = self._personal(item, replaced, key)
                    else:
                        out[key] = self._free_text(item, replaced) if _MAYBE_CONTACT.search(item) else item
                elif item_kind is list and key in PERSONAL_FIELDS:
                    out[key] = [self._personal(v, replaced, key) if type(v) is str else self._walk(v, key, replaced) for v in item]
                elif key in PLAIN_FIELDS:  # codes and counts only (rounds, attendance, history, ...)
                    out[key] = item
                elif item_kind is dict or item_kind is list:
                    out[key] = self._walk(item, key, replaced)
                else:  # numbers, booleans, None
                    out[key] = item
            return out
        if kind is list:
            return [self._walk(item, container, replaced) for item in value]
        if kind is str:
            return self._free_text(value, replaced) if _MAYBE_CONTACT.search(value) else value
        return value

    def _personal(self, value: str, replaced: dict[str, str], key: str = "") -> str:
        pseudonym = self(compared_form(key, value))
        if value and pseudonym != value:
            replaced[value] = pseudonym
        return pseudonym

    def _free_text(self, text: str, replaced: dict[str, str]) -> str:
        if "@" in text:
            text = EMAIL.sub(lambda m: self._personal(m.group(0), replaced), text)
        if PHONE.search(text):
            text = PHONE.sub(lambda m: self._personal(m.group(0), replaced), text)
        return text


# Names the rules compare word for word (rules.pledges.normalized: a household head, a vote counter).
_COMPARED_AS_WORDS = frozenset({"name", "head_name", "owner", "vote_counters", "vote_supervisors"})


def compared_form(key: str, value: str) -> str:
    """A personal value in the form the rules compare it, so that its pseudonym compares as the
    value did and a replay on the stored input decides the same: blank text stays blank, a name is
    taken word for word, a phone by its digits; ids and e-mails as they are."""
    if blank(value):
        return ""
    if key in _COMPARED_AS_WORDS:
        return normalized(value) or value
    if key == "phone":
        return "".join(ch for ch in value if ch.isdigit()) or value
    return value


def _distinctive(value: str) -> bool:
    """Replaced inside longer text only when it cannot be an accident: `M-1` inside `M-17` or `1` in `第1项` must not."""
    return len(value) >= 2 and not (value.isascii() and len(value) < 5)


def _pair(clear: str, pseudonym: str) -> tuple[str, str]:
    if _distinctive(clear):  # anywhere, inside longer text too
        return _json_inner(clear), pseudonym
    # only a whole JSON string: `M-1` must not be replaced inside `M-17`, nor `1` in `第1项`
    return orjson.dumps(clear).decode(), f'"{pseudonym}"'


# (clear, pseudonym) -> the pair as Replacer uses it; names recur across requests. Bounded.
_PAIRS: dict[tuple[str, str], tuple[str, str]] = {}
_PAIRS_MAX = 65536


def _len_desc(item: tuple[str, str]) -> int:
    return -len(item[0])


class Replacer:
    """Replaces a submission's clear personal values in JSON text derived from it (its stored input,
    its decision's subject ids and messages, the trace's facts), at C speed with str.replace."""

    __slots__ = ("pairs",)

    def __init__(self, replaced: dict[str, str]) -> None:
        pairs = []
        # longest first: a name that contains another is replaced whole
        for item in sorted(replaced.items(), key=_len_desc) if len(replaced) > 1 else replaced.items():
            pair = _PAIRS.get(item)
            if pair is None:
                if len(_PAIRS) >= _PAIRS_MAX:
                    _PAIRS.clear()
                pair = _PAIRS[item] = _pair(*item)
            pairs.append(pair)
        self.pairs = pairs

    def json(self, text: str) -> str:
        for clear, pseudonym in self.pairs:
            if clear in text:
                text = text.replace(clear, pseudonym)
        return text


def _json_inner(value: str) -> str:
    """How `value` appears inside a JSON string (orjson escapes only quotes, backslashes and controls)."""
    return orjson.dumps(value).decode()[1:-1]
