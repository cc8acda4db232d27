"""Canonical JSON (rulebook vocabulary.md) to messages and back.

Requests may be given as dicts in the canonical JSON or as EvaluateRequest messages; answers are
returned as dicts in the same canonical JSON the server's own `policyhub eval` prints: field
names as in the proto, fields without presence always present (false, "", []).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from .errors import InvalidArgumentError
from .v1 import policyhub_pb2 as pb

# Free-form JSON in the proto: any value parses, so there is nothing below them to locate.
_FREE_FORM = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}


def to_request(item: Any) -> pb.EvaluateRequest:
    """An EvaluateRequest from a message or a canonical-JSON dict; bad shapes raise InvalidArgumentError."""
    if isinstance(item, pb.EvaluateRequest):
        return item
    if not isinstance(item, dict):
        raise InvalidArgumentError("", [("request", f"must be a mapping or an EvaluateRequest, got {type(item).__name__}")])
    request = pb.EvaluateRequest()
    try:
        json_format.ParseDict(item, request)
    except json_format.ParseError as exc:
        field = _locate(item, pb.EvaluateRequest.DESCRIPTOR, "") or "request"
        raise InvalidArgumentError("", [(field, _first_line(str(exc)))]) from None
    return request


def to_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _parses(data: Any, descriptor: Descriptor) -> bool:
    try:
        json_format.ParseDict(data, message_factory.GetMessageClass(descriptor)())
    except json_format.ParseError:
        return False
    return True


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _locate(data: Any, descriptor: Descriptor, path: str) -> str:
    """The path of the first field json_format refuses, e.g. pledge.items[1].due.

    json_format's own messages name the field but not always where it is; this walks down,
    parsing one field at a time, and only runs once a request has already failed.
    """
    if not isinstance(data, dict):
        return path
    by_name = {**{f.json_name: f for f in descriptor.fields}, **descriptor.fields_by_name}
    oneofs_seen: dict[str, str] = {}
    for key, value in data.items():
        field = by_name.get(key)
        if field is None:
            return _join(path, str(key))
        here = _join(path, key)
        oneof = field.containing_oneof
        if oneof is not None and value is not None and not oneof.name.startswith("_"):
            if oneof.name in oneofs_seen:
                return _join(path, oneof.name)
            oneofs_seen[oneof.name] = key
        if _parses({key: value}, descriptor):
            continue
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if is_map and isinstance(value, dict):
            for entry_key, entry_value in value.items():
                if not _parses({key: {entry_key: entry_value}}, descriptor):
                    return f"{here}.{entry_key}"
            return here
        nested = field.message_type is not None and not is_map and field.message_type.full_name not in _FREE_FORM
        if nested and field.is_repeated and isinstance(value, list):
            for index, item in enumerate(value):
                if not _parses(item, field.message_type):
                    return _locate(item, field.message_type, f"{here}[{index}]")
            return here
        if nested:
            return _locate(value, field.message_type, here)
        return here
    return path
