"""Fact types: the fields a rule's condition may read, and their types.

A rule reads either the submission itself (fact types `pledge`, `meeting`, `log`, `ballot`, whose
fields are the request's, read from the protobuf descriptors) or a measurement made by a pack's or
a library's Python measure function and declared in rules.yaml under `facts:`:

    facts:
      two_rounds:
        rounds: {list: {name: text, excellent: number, base: number}, size: 2, label: name}
        base: number
        committee_grade: text

Types: number (whole numbers), date (YYYY-MM-DD), text, flag (true/false), message (text made
only when a message is written, by a `@message_field` function: conditions cannot read it), a list of words
(`list: text`), a list of records (`list: {field: type, …}`, with `max:` the most items its
rules may compare field with field, or `size:` the exact number of items a measure always makes
(cheaper for the engine: nothing to say about missing items), `label:` the field naming an item
in explanations), an
object (`{field: type, …}`).
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from ..v1 import policyhub_pb2 as pb
from .language import FactSchema, FieldType

KIND_TYPES = ("pledge", "meeting", "log", "ballot")
SCALARS = ("number", "date", "text", "flag", "message")
# The request's fields that hold a full date (YYYY-MM-DD); other strings are text (a month such as
# `2010-12` is text: it is not a day).
DATE_FIELDS = {"date", "due", "deadline", "signed_at", "submitted_at", "published_at", "at", "start", "end"}
# Always present on a fact: its type and the submission path a violation points at.
IMPLICIT = {"type": FieldType("text"), "path": FieldType("text")}


class SchemaError(ValueError):
    pass


def _from_descriptor(descriptor, name: str, depth: int = 0) -> FactSchema:
    fields: dict[str, FieldType] = dict(IMPLICIT) if depth == 0 else {}
    for f in descriptor.fields:
        fields[f.name] = _field_type(f, depth)
    return FactSchema(name, fields)


def _scalar(f) -> str:
    if f.type == FieldDescriptor.TYPE_BOOL:
        return "flag"
    if f.type in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32,
                  FieldDescriptor.TYPE_SINT32):
        return "number"
    if f.type == FieldDescriptor.TYPE_STRING:
        return "date" if f.name in DATE_FIELDS else "text"
    return "object"


def _field_type(f, depth: int) -> FieldType:
    message = f.message_type
    if message is not None and message.GetOptions().map_entry:
        value = message.fields_by_name["value"]
        return FieldType("object", value_type=_scalar(value) if value.message_type is None else "object")
    if message is not None and message.full_name.startswith("google.protobuf."):
        return FieldType("object", value_type="object")  # free-form (extra): read it through a measure
    repeated = f.is_repeated if hasattr(f, "is_repeated") else f.label == FieldDescriptor.LABEL_REPEATED
    if message is not None:
        inner = _from_descriptor(message, message.name, depth + 1) if depth < 4 else FactSchema(message.name)
        return FieldType("list", item=inner) if repeated else FieldType("object", fields=inner)
    return FieldType("list") if repeated else FieldType(_scalar(f))


# The most items of a submission's lists whose items' fields a rule compares with each other or as
# shares (the engine reads such items one by one): a request with more is refused, naming the list.
KIND_LIST_MAX = {("ballot", "rounds"): 8, ("log", "meetings"): 16}


def kind_schema(kind: str) -> FactSchema:
    field = pb.EvaluateRequest.DESCRIPTOR.fields_by_name[kind]
    schema = _from_descriptor(field.message_type, kind)
    for (owner, name), most in KIND_LIST_MAX.items():
        if owner == kind:
            found = schema.fields[name]
            schema.fields[name] = FieldType("list", item=found.item, max=most)
    return schema


def declared_schema(name: str, raw: Any, where: str) -> FactSchema:
    """A fact type declared in rules.yaml `facts:`."""
    if not isinstance(raw, dict) or not raw:
        raise SchemaError(f"{where}: a fact type maps its fields to types")
    fields = dict(IMPLICIT)
    for key, value in raw.items():
        fields[str(key)] = _declared_field(value, f"{where}.{key}")
    return FactSchema(name, fields)


def _declared_field(value: Any, where: str) -> FieldType:
    if isinstance(value, str):
        if value not in SCALARS:
            raise SchemaError(f"{where}: type must be one of {SCALARS}, a list or an object, not {value!r}")
        return FieldType(value)
    if isinstance(value, dict) and "list" in value:
        unknown = set(value) - {"list", "max", "size", "label"}
        if unknown:
            raise SchemaError(f"{where}: unknown key(s) {sorted(unknown)}")
        if "max" in value and "size" in value:
            raise SchemaError(f"{where}: max or size, not both")
        most = value.get("max", value.get("size"))
        if most is not None and (not isinstance(most, int) or isinstance(most, bool) or not 0 < most <= 16):
            raise SchemaError(f"{where}.{'size' if 'size' in value else 'max'}: a whole number 1..16")
        items = value["list"]
        if items == "text":
            return FieldType("list", max=most)
        if not isinstance(items, dict) or not items:
            raise SchemaError(f"{where}.list: `text` or a mapping of the items' fields to types")
        inner = FactSchema(where, {str(k): _declared_field(v, f"{where}.list.{k}") for k, v in items.items()})
        label = value.get("label")
        if label is not None and label not in inner.fields:
            raise SchemaError(f"{where}.label: {label!r} is not a field of the items")
        return FieldType("list", item=inner, max=most, value_type=str(label or ""), exact="size" in value)
    if isinstance(value, dict) and value:
        return FieldType("object", fields=FactSchema(where, {str(k): _declared_field(v, f"{where}.{k}")
                                                             for k, v in value.items()}))
    raise SchemaError(f"{where}: type must be one of {SCALARS}, {{list: …}} or a mapping")
