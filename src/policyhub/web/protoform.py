"""A case as a form made from the contract's descriptors, and the form's fields back to a case.

Every field of EvaluateRequest and of the chosen submission becomes an input named by its path
(`pledge.items.0.text`); an empty input leaves the field out, so a missing field stays missing
(the rules judge absence). A value that does not fit its type is kept as typed text, so the
evaluator names the field instead of the form guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from ..domain.caseio import load_yaml
from ..v1 import policyhub_pb2 as pb

KINDS = ("pledge", "meeting", "log", "ballot")
_INTS = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32,
         FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64}
_FLOATS = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT}
_FREE = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
PREFIX = "f:"
# the runtime's (upb) descriptor, read through the Python descriptor API it implements
_REQUEST = cast(Descriptor, pb.EvaluateRequest.DESCRIPTOR)


@dataclass
class Node:
    name: str
    path: str
    kind: str  # text, int, number, bool, lines (repeated scalar), yaml (Struct), message, messages
    value: str = ""
    children: list["Node"] = field(default_factory=list)
    items: list[list["Node"]] = field(default_factory=list)


def _kind(f: FieldDescriptor) -> str:
    if f.message_type is not None:
        if f.message_type.full_name in _FREE:
            return "yaml"
        return "messages" if f.is_repeated else "message"
    if f.is_repeated:
        return "lines"
    if f.type == FieldDescriptor.TYPE_BOOL:
        return "bool"
    if f.type in _INTS:
        return "int"
    if f.type in _FLOATS:
        return "number"
    return "text"


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value is True else "false" if value is False else str(value)
    if kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "yaml":
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000).strip()
    return str(value)


def _message(f: FieldDescriptor) -> Descriptor:
    return cast(Descriptor, f.message_type)  # only called for message fields, whose type is set


def _nodes(descriptor: Descriptor, data: Any, prefix: str, depth: int = 0) -> list[Node]:
    data = data if isinstance(data, dict) else {}
    nodes = []
    for f in descriptor.fields:
        kind = _kind(f)
        path = f"{prefix}{f.name}"
        value = data.get(f.name, data.get(f.json_name))
        node = Node(f.name, path, kind)
        if kind == "message":
            node.children = _nodes(_message(f), value, path + ".", depth + 1) if depth < 6 else []
        elif kind == "messages":
            items = value if isinstance(value, list) else []
            node.items = [_nodes(_message(f), item, f"{path}.{i}.", depth + 1) for i, item in enumerate(items)]
        else:
            node.value = _shown(value, kind)
        nodes.append(node)
    return nodes


def form_nodes(request: dict[str, Any], kind: str | None = None) -> tuple[str, list[Node]]:
    """(the submission kind, the form's nodes: the request's own fields, then the submission's)."""
    kind = kind if kind in KINDS else next((k for k in KINDS if k in request), "pledge")
    own = [f for f in _REQUEST.fields if f.name not in KINDS and f.name != "trace"]
    nodes = []
    for f in own:
        nodes.append(Node(f.name, f.name, _kind(f), _shown(request.get(f.name, request.get(f.json_name)), _kind(f))))
    submission = _message(_REQUEST.fields_by_name[kind])
    nodes.append(Node(kind, kind, "message", children=_nodes(submission, request.get(kind), kind + ".")))
    return kind, nodes


def _typed(f: FieldDescriptor, raw: str) -> Any:
    kind = _kind(f)
    if kind == "bool":
        return {"true": True, "false": False}.get(raw.strip().lower(), raw)
    if kind == "int":
        try:
            return int(raw.strip())
        except ValueError:
            return raw
    if kind == "number":
        try:
            return float(raw.strip())
        except ValueError:
            return raw
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind == "yaml":
        try:
            return load_yaml(raw)
        except yaml.YAMLError:
            return raw
    return raw


def _put(target: dict, descriptor: Descriptor, parts: list[str], raw: str) -> None:
    f = descriptor.fields_by_name.get(parts[0])
    if f is None:
        return
    if len(parts) == 1:
        if raw.strip() != "":
            target[f.name] = _typed(f, raw)
        return
    if f.is_repeated and f.message_type is not None:
        if not parts[1].isdigit() or int(parts[1]) > 10_000:
            return
        index = int(parts[1])
        items = target.setdefault(f.name, [])
        while len(items) <= index:
            items.append({})
        if len(parts) > 2:
            _put(items[index], f.message_type, parts[2:], raw)
    elif f.message_type is not None:
        _put(target.setdefault(f.name, {}), f.message_type, parts[1:], raw)


def _prune(value: Any) -> Any:
    """Empty messages the form made for empty inputs are left out; list items keep their place."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v != {}}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def request_from_form(fields: list[tuple[str, str]], kind: str, add: str = "", remove: str = "") -> dict[str, Any]:
    """The request the form's fields spell; `add` appends an item to a repeated field, `remove`
    drops one (`pledge.items.2`)."""
    kind = kind if kind in KINDS else "pledge"
    request: dict[str, Any] = {}
    descriptor = _REQUEST
    for name, raw in fields:
        if not name.startswith(PREFIX):
            continue
        parts = name[len(PREFIX):].split(".")
        if parts[0] in KINDS and parts[0] != kind:
            continue
        _put(request, descriptor, parts, raw)
    # items added empty must survive pruning, so lists keep {} entries
    if add:
        parts = add.split(".")
        target: Any = request
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
        if isinstance(target, dict):
            target.setdefault(parts[-1], []).append({})
    if remove:
        parts = remove.split(".")
        target = request
        try:
            for part in parts[:-1]:
                target = target[int(part)] if isinstance(target, list) else target[part]
            if isinstance(target, list) and parts[-1].isdigit():
                del target[int(parts[-1])]
        except (KeyError, IndexError, ValueError, TypeError):
            pass
    request = _prune(request)
    request.setdefault(kind, {})
    return request
