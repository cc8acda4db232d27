"""Assembling a Decision from the rules' matches, with each rule's constant parts encoded once.

Most of a Decision is the same for every match of a rule: its id, its citation, the bilingual
labels of its grades and consequences. Built as messages on every match (each submessage and
string copied in, field by field) they were most of the assembly's cost, so each rule's constant
parts are encoded as protobuf wire bytes on its first match in a pack; a decision is then joined
from those bytes and the few fields each match brings (subject, scheme, grade, severity, path,
message) and parsed in one C call, in about half the time. The service sends those bytes as
they are (wrapped in a batch's or stream's Result the same way), with no parse and no serialise.

Field numbers come from the generated descriptors, checked at import to be of the kind encoded
here, so a change to the proto fails loudly instead of producing a wrong message.
"""

from __future__ import annotations

import string
import weakref
from typing import Any, cast

from google.protobuf import struct_pb2
from google.protobuf.descriptor import FieldDescriptor

from ..domain import vocabulary
from ..domain.errors import RuleFailure
from ..rules.model import Rule
from ..v1 import policyhub_pb2 as pb

_STRING, _MESSAGE, _BOOL = FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_BOOL
_VARINTS = (_BOOL, FieldDescriptor.TYPE_INT32)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


# Lengths up to 4 KiB (every field of a decision, in practice) are looked up, not encoded.
_LENGTHS = [_varint(n) for n in range(4096)]


def _delimited(key: bytes, payload: bytes) -> bytes:
    """A length-delimited field (string or message): key, payload length, payload."""
    size = len(payload)
    return key + (_LENGTHS[size] if size < 4096 else _varint(size)) + payload


def _string(key: bytes, value: str) -> bytes:
    # _delimited written out: a decision has a dozen strings. (An empty one parses as unset, as in proto3.)
    data = value.encode()
    size = len(data)
    return key + (_LENGTHS[size] if size < 4096 else _varint(size)) + data


def _key(message: Any, name: str, kind: int) -> bytes:
    field = message.DESCRIPTOR.fields_by_name[name]
    if field.type != kind:
        raise RuntimeError(f"{message.DESCRIPTOR.full_name}.{name} is no longer of the type assembly.py encodes")
    return _varint(field.number << 3 | (0 if kind in _VARINTS else 2))  # wire type 0: varint, 2: length-delimited


_DECISION_ID = _key(pb.Decision, "decision_id", _STRING)
_DECISION_PACK = _key(pb.Decision, "pack", _MESSAGE)
_COMPLIANT = _key(pb.Decision, "compliant", _BOOL) + b"\x01"
_DECISION_VIOLATION = _key(pb.Decision, "violations", _MESSAGE)
_DECISION_GRADE = _key(pb.Decision, "grades", _MESSAGE)
_DECISION_CONSEQUENCE = _key(pb.Decision, "consequences", _MESSAGE)
_DECISION_REQUEST_ID = _key(pb.Decision, "request_id", _STRING)
_DECISION_NOTE = _key(pb.Decision, "notes", _MESSAGE)  # a Violation, of severity info
_PACK_ID, _PACK_VERSION = _key(pb.PackRef, "id", _STRING), _key(pb.PackRef, "version", _STRING)
_PACK_DIGEST = _key(pb.PackRef, "digest", _STRING)
_DECISION_HISTORY_REF = _key(pb.Decision, "history_refs", _STRING)
_DECISION_HISTORY_SOURCE = _key(pb.Decision, "history_source", _STRING)
_TEXT_ZH, _TEXT_EN = _key(pb.Text, "zh", _STRING), _key(pb.Text, "en", _STRING)
_CITATION_DOCUMENT, _CITATION_CLAUSE = _key(pb.Citation, "document", _STRING), _key(pb.Citation, "clause", _STRING)
_VIOLATION_RULE_ID = _key(pb.Violation, "rule_id", _STRING)
_VIOLATION_SEVERITY = _key(pb.Violation, "severity", _STRING)
_VIOLATION_PATH = _key(pb.Violation, "path", _STRING)
_VIOLATION_MESSAGE = _key(pb.Violation, "message", _MESSAGE)
_VIOLATION_CITATION = _key(pb.Violation, "citation", _MESSAGE)
_GRADE_SUBJECT_ID = _key(pb.Grade, "subject_id", _STRING)
_GRADE_SCHEME = _key(pb.Grade, "scheme", _STRING)
_GRADE_CODE = _key(pb.Grade, "code", _STRING)
_GRADE_LABEL = _key(pb.Grade, "label", _MESSAGE)
_GRADE_RULE_ID = _key(pb.Grade, "rule_id", _STRING)
_GRADE_CITATION = _key(pb.Grade, "citation", _MESSAGE)
_CONSEQUENCE_SUBJECT_ID = _key(pb.Consequence, "subject_id", _STRING)
_CONSEQUENCE_CODE = _key(pb.Consequence, "code", _STRING)
_CONSEQUENCE_LABEL = _key(pb.Consequence, "label", _MESSAGE)
_CONSEQUENCE_RULE_ID = _key(pb.Consequence, "rule_id", _STRING)
_CONSEQUENCE_CITATION = _key(pb.Consequence, "citation", _MESSAGE)
_CONSEQUENCE_PARAMS = _key(pb.Consequence, "params", _MESSAGE)


def _text(zh: str, en: str) -> bytes:
    return _string(_TEXT_ZH, zh) + _string(_TEXT_EN, en)


# A grade's code and label, a consequence's code and label: one entry per vocabulary code.
_GRADES = {code: _string(_GRADE_CODE, code) + _delimited(_GRADE_LABEL, _text(*labels))
           for code, labels in vocabulary.BALLOT_OPTIONS.items()}
_NO_PARAMS: dict = {}  # never written to
_SEVERITIES = {severity: _string(_VIOLATION_SEVERITY, severity) for severity in vocabulary.SEVERITIES}


def _message(templates: dict[str, str], fact: dict) -> bytes:
    """A violation's message, formatted with the matched fact's fields (str.format_map: C, no copy of the fact)."""
    try:
        return _delimited(_VIOLATION_MESSAGE, _text(templates["zh"].format_map(fact), templates["en"].format_map(fact)))
    except KeyError as exc:  # a field the fact lacks: an error naming it, not a KeyError deep down
        raise RuleFailure(f"message refers to {{{exc.args[0]}}}, which the matched fact does not have") from None


_FORMATTER = string.Formatter()
# A rule's messages kept by the values they were made from, at most this many per rule: the
# first ones are kept (a grade's label, a round's name: a few values come again and again).
MESSAGES_KEPT = 256
_KEY_VALUES = frozenset({str, int})  # values that format one way only and are not equal to another type's


def _message_keys(message: Any) -> tuple[str, ...] | None:
    """The fields a message's templates read, in the order format_map reads them (zh, then en),
    or None when a field is read past its name (`{a.b}`, `{a[0]}`, a nested `{:{w}}`) or is not
    named: such messages are formatted every time."""
    if not isinstance(message, dict):
        return None
    keys: dict[str, None] = {}
    for language in ("zh", "en"):
        template = message.get(language)
        if not isinstance(template, str):
            return None
        try:
            parsed = list(_FORMATTER.parse(template))
        except ValueError:
            return None
        for _, name, spec, _ in parsed:
            if name is None:
                continue
            if not name.isidentifier() or (spec and "{" in spec):
                return None
            keys[name] = None
    return tuple(keys)


def _constant(template: str) -> bool:
    return "{" not in template and "}" not in template  # formats to itself, whatever the fact


def _consequence(item: Any, rule_id_and_citation: bytes) -> tuple[Any, dict, bytes | None]:
    """A consequence (a code, or {"code", "params"}) as its code, its params and its constant
    fields, None for a code not in the vocabulary (an error only when the rule yields it)."""
    code, params = (item["code"], item.get("params", {})) if isinstance(item, dict) else (item, {})
    labels = vocabulary.CONSEQUENCES.get(code) if isinstance(code, str) else None
    if labels is None:
        return code, params, None
    return code, params, (_string(_CONSEQUENCE_CODE, code) + _delimited(_CONSEQUENCE_LABEL, _text(*labels))
                          + rule_id_and_citation)


class RuleParts:
    """One rule's constant bytes within one pack (a shared rule cites each pack's own document)."""

    __slots__ = ("rule", "violation", "path", "message", "grade", "consequence_tail", "consequences",
                 "fact_consequences", "message_keys", "messages")

    def __init__(self, rule: Rule, pack_document: str) -> None:
        self.rule = rule
        citation = _string(_CITATION_DOCUMENT, rule.document or pack_document) + _string(_CITATION_CLAUSE, rule.clause)
        self.violation = _string(_VIOLATION_RULE_ID, rule.id) + _delimited(_VIOLATION_CITATION, citation)
        self.path = _string(_VIOLATION_PATH, str(rule.path))
        message = rule.message or {}
        zh, en = message.get("zh"), message.get("en")
        self.message = None  # a message without fields is encoded once
        if isinstance(zh, str) and isinstance(en, str) and _constant(zh) and _constant(en):
            self.message = _delimited(_VIOLATION_MESSAGE, _text(zh, en))
        self.message_keys = _message_keys(message) if self.message is None else None
        self.messages: dict[tuple, bytes] = {}
        self.grade = _string(_GRADE_RULE_ID, rule.id) + _delimited(_GRADE_CITATION, citation)
        self.consequence_tail = _string(_CONSEQUENCE_RULE_ID, rule.id) + _delimited(_CONSEQUENCE_CITATION, citation)
        self.consequences = [_consequence(item, self.consequence_tail) for item in rule.consequences]
        self.fact_consequences = frozenset(rule.fact_consequences)

    def formatted(self, fact: dict) -> bytes:
        """The message field for `fact`: made once for each set of the values it reads, when they
        are text and whole numbers (what else a message reads is formatted every time)."""
        keys = self.message_keys
        if keys is not None:
            try:
                key = tuple([fact[name] for name in keys])  # a message field (LazyFact) is made here, as format would
            except KeyError:
                key = None  # _message names the missing field
            if key is not None and _KEY_VALUES.issuperset(map(type, key)):
                messages = self.messages
                found = messages.get(key)
                if found is None:
                    found = _message(self.rule.message, fact)  # type: ignore[arg-type]
                    if len(messages) < MESSAGES_KEPT:
                        messages[key] = found
                return found
        assert self.rule.message is not None
        return _message(self.rule.message, fact)


class PackParts:
    """A pack's ref, its PackRef field and its rules' parts, each built on the rule's first match."""

    __slots__ = ("ref", "pack_ref", "document", "rules")

    def __init__(self, pack: Any) -> None:
        self.ref = pack.ref
        self.pack_ref = _delimited(_DECISION_PACK, _string(_PACK_ID, pack.id) + _string(_PACK_VERSION, pack.version)
                                   + _string(_PACK_DIGEST, getattr(pack, "digest", "")))
        self.document = pack.document
        self.rules: list[RuleParts | None] = [None] * len(pack.rules)

    def rule(self, index: int, rule: Rule) -> RuleParts:
        parts = self.rules[index]
        if parts is None:  # two threads may both build it: the same bytes either way
            parts = self.rules[index] = RuleParts(rule, self.document)
        return parts


# Keyed by the Pack's id(), since a Pack (a mutable dataclass) is not hashable; the entry goes
# when the pack does, so reloads do not pile up parts.
_PACKS: dict[int, tuple[weakref.ref, PackParts]] = {}


def parts_for(pack: Any) -> PackParts:
    entry = _PACKS.get(id(pack))
    if entry is not None and entry[0]() is pack:
        return entry[1]
    parts = PackParts(pack)
    _PACKS[id(pack)] = (weakref.ref(pack), parts)
    weakref.finalize(pack, _PACKS.pop, id(pack), None)
    return parts


class DecisionBuilder:
    """One decision's fields as wire bytes, and what the decision log line says about it.

    The fields go in one list in the order they are yielded: a parser appends each repeated
    field's items in the order it meets them, whatever other fields come in between.
    """

    __slots__ = ("pack", "fields", "compliant", "rules_fired", "grade_codes", "consequence_codes", "decision_id")

    def __init__(self, pack: PackParts) -> None:
        self.pack = pack
        self.fields = [pack.pack_ref]
        self.compliant = True
        self.rules_fired: list[str] = []
        self.grade_codes: list[str] = []
        self.consequence_codes: list[str] = []
        self.decision_id = ""

    def add(self, parts: RuleParts, fact: dict) -> None:
        """What one match yields: a violation (rule with a severity), a grade, its consequences.

        Called in rule order (a rule's matches one after another), as the decision lists them.
        """
        rule = parts.rule
        yielded = False
        severity = fact.get("severity", rule.severity) if rule.severity is not None else ""
        if severity != "":  # "": this match yields no violation or note
            severity_field = _SEVERITIES.get(severity) if isinstance(severity, str) else None
            if severity_field is None:
                raise RuleFailure(f"fact asks for unknown severity {severity!r}")
            if severity == "error":
                self.compliant = False
            path = fact.get("path", rule.path)
            path_field = parts.path if path is rule.path else _string(_VIOLATION_PATH, str(path))
            message = parts.message
            if message is None:
                message = parts.formatted(fact)
            # info is a note, not a violation: it has its own place in the decision
            where = _DECISION_NOTE if severity == "info" else _DECISION_VIOLATION
            self.fields.append(_delimited(where, parts.violation + severity_field + path_field + message))
            yielded = True
        subject_id = str(fact.get("subject_id", ""))
        if rule.grade:
            code = fact.get("grade")
            grade = _GRADES.get(code) if isinstance(code, str) else None
            if grade is None:
                raise RuleFailure(f"grade fact has unknown grade {code!r}")
            self.fields.append(_delimited(_DECISION_GRADE, _string(_GRADE_SUBJECT_ID, subject_id)
                                          + _string(_GRADE_SCHEME, str(fact.get("scheme", ""))) + grade + parts.grade))
            self.grade_codes.append(cast(str, code))  # a str: an unknown or non-str grade raised above
            yielded = True
        consequences = parts.consequences
        if "consequences" in fact:  # the fact's own, after the rule's: only the codes the rule declares
            brought = [_consequence(item, parts.consequence_tail) for item in fact["consequences"]]
            for code, _, constant in brought:
                if constant is not None and code not in parts.fact_consequences:  # (an unknown code fails below)
                    raise RuleFailure(f"a fact brings consequence {code!r}, which the rule does not declare "
                                      f"in fact_consequences")
            consequences = consequences + brought
        if consequences:
            subject = _string(_CONSEQUENCE_SUBJECT_ID, subject_id)
            fact_params = fact.get("params", _NO_PARAMS)  # the fact can say why, e.g. {"reasons": [...]}
            for code, own_params, constant in consequences:
                if constant is None:
                    raise RuleFailure(f"unknown consequence code {code!r}")
                body = subject + constant
                params = {**own_params, **fact_params} if own_params or fact_params is not _NO_PARAMS else None
                if params:
                    struct = struct_pb2.Struct()
                    struct.update(params)
                    body += _delimited(_CONSEQUENCE_PARAMS, struct.SerializeToString())
                self.fields.append(_delimited(_DECISION_CONSEQUENCE, body))
                self.consequence_codes.append(code)
            yielded = True
        if yielded and (not self.rules_fired or self.rules_fired[-1] != rule.id):  # a rule's matches come together
            self.rules_fired.append(rule.id)

    def wire(self, decision_id: str, request_id: str) -> bytes:
        """The Decision as protobuf wire bytes (what the service sends: nothing to parse or serialise)."""
        self.decision_id = decision_id
        fields = self.fields
        fields.append(_string(_DECISION_ID, decision_id))
        fields.append(_string(_DECISION_REQUEST_ID, request_id))
        if self.compliant:
            fields.append(_COMPLIANT)
        return b"".join(fields)

    def decision(self, decision_id: str, request_id: str) -> pb.Decision:
        return pb.Decision.FromString(self.wire(decision_id, request_id))


def history_wire(source: str, refs: list[str]) -> bytes:
    """A decision's history_source and history_refs (appended after the rest: fields may come in any order)."""
    return _string(_DECISION_HISTORY_SOURCE, source) + b"".join(_string(_DECISION_HISTORY_REF, ref) for ref in refs)


_RESULT_INDEX = _key(pb.Result, "index", FieldDescriptor.TYPE_INT32)
_RESULT_REQUEST_ID = _key(pb.Result, "request_id", _STRING)
_RESULT_DECISION = _key(pb.Result, "decision", _MESSAGE)
_RESULT_ERROR = _key(pb.Result, "error", _MESSAGE)
_BATCH_RESULT = _key(pb.EvaluateBatchResponse, "results", _MESSAGE)


def result_wire(index: int, request_id: str, decision: bytes | None = None, error: pb.Error | None = None) -> bytes:
    """A batch or stream Result as wire bytes, around a decision's wire bytes (or an error)."""
    data = (_RESULT_INDEX + _varint(index) if index else b"") + _string(_RESULT_REQUEST_ID, request_id)
    if decision is not None:
        return data + _delimited(_RESULT_DECISION, decision)
    assert error is not None
    return data + _delimited(_RESULT_ERROR, error.SerializeToString())


def batch_wire(results: list[bytes]) -> bytes:
    """An EvaluateBatchResponse as wire bytes, from its Results' (in order)."""
    return b"".join(_delimited(_BATCH_RESULT, result) for result in results)
