"""Turning a validated submission into the plain dict that derive functions read."""

from __future__ import annotations

from typing import Any, Callable

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

# Field types whose JSON form is the Python value itself (json_format's mapping of these is the
# identity); any other type (64-bit ints become strings, floats may be "NaN", enums names, bytes
# base64, well-known types their own forms) is left to json_format.
_PLAIN = frozenset({
    FieldDescriptor.TYPE_STRING,
    FieldDescriptor.TYPE_BOOL,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SFIXED32,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_FIXED32,
})

_Converter = Callable[[Any], Any]
_converters: dict[str, _Converter] = {}


def _json_format(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _converter(descriptor) -> _Converter:
    """message -> its canonical JSON as a dict, the same as json_format's, built once per type.

    Walking ListFields (set fields only, as json_format does without always_print...) with a
    per-type table is several times faster than json_format's generic walk.
    """
    convert = _converters.get(descriptor.full_name)
    if convert is not None:
        return convert
    if descriptor.full_name.startswith("google.protobuf."):
        _converters[descriptor.full_name] = _json_format  # Struct, Value, …: their own JSON forms
        return _json_format
    # A type may contain itself: while it is being built, it converts through this forward.
    built: list[_Converter] = []
    _converters[descriptor.full_name] = lambda message: built[0](message)
    try:
        convert = _build(descriptor)
    except BaseException:
        del _converters[descriptor.full_name]
        raise
    built.append(convert)
    _converters[descriptor.full_name] = convert
    return convert


def _build(descriptor) -> _Converter:
    fields: dict[str, Callable[[Any], Any] | None] = {}
    for field in descriptor.fields:
        message_type = field.message_type
        if message_type is not None and message_type.GetOptions().map_entry:
            key, value = message_type.fields_by_name["key"], message_type.fields_by_name["value"]
            if key.type != FieldDescriptor.TYPE_STRING:
                return _json_format  # json_format writes other keys as strings
            if value.message_type is not None:
                inner = _converter(value.message_type)
                fields[field.name] = lambda v, inner=inner: {k: inner(v[k]) for k in v}
            elif value.type in _PLAIN:
                fields[field.name] = lambda v: {k: v[k] for k in v}  # faster than dict(v) on a upb map
            else:
                return _json_format
        elif message_type is not None:
            inner = _converter(message_type)
            if field.is_repeated:
                fields[field.name] = lambda v, inner=inner: [inner(m) for m in v]
            else:
                fields[field.name] = inner
        elif field.type in _PLAIN:
            fields[field.name] = list if field.is_repeated else None  # None: the value as it is
        else:
            return _json_format

    def convert(message: Message) -> dict[str, Any]:
        out = {}
        for field, value in message.ListFields():
            how = fields[field.name]
            out[field.name] = value if how is None else how(value)
        return out

    return convert


def message_dict(message: Message) -> dict[str, Any]:
    """The canonical JSON of a message (proto field names, unset fields absent), as json_format gives it."""
    return _converter(message.DESCRIPTOR)(message)


def submission_dict(message: Message) -> dict[str, Any]:
    """The canonical JSON of a submission; unset fields are absent."""
    data = message_dict(message)
    if "ballots" in data:
        tally_raw_ballots(data)
    return data


def tally_raw_ballots(ballot: dict[str, Any]) -> None:
    """Add raw ballot papers to their rounds' tallies (vocabulary: `ballots` may stand in for `tallies`).

    A round that only raw ballots name is created; its `cast` is the number of its papers.
    """
    rounds = {r.get("name", ""): r for r in ballot.setdefault("rounds", [])}
    for paper in ballot.pop("ballots"):
        name = paper.get("round", "")
        round_ = rounds.get(name)
        if round_ is None:
            round_ = rounds[name] = {"name": name, "tallies": {}, "cast": 0, "_from_papers": True}
            ballot["rounds"].append(round_)
        tallies = round_.setdefault("tallies", {})
        choice = paper.get("choice", "")
        tallies[choice] = tallies.get(choice, 0) + 1
        if round_.get("_from_papers"):
            round_["cast"] += 1
    for round_ in ballot["rounds"]:
        round_.pop("_from_papers", None)
