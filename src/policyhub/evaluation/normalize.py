"""Reading a request: every field checked and the submission turned into the plain dict that
derive functions read, in one pass.

What is checked is validation.py's (FIELDS, the kinds, the problem texts); the dict is
json_format's canonical JSON (proto field names, unset fields absent). The pass over each message
type is Python source generated once from its descriptor and compiled, as fastjsonschema does for
JSON schemas: interpreting a per-field plan, and walking the message a second time to convert it,
cost more than the checks themselves. validation.validate_request is the plain walk that says
what the checks are; tests/test_normalize.py holds this pass to it, and to json_format.
`python -m policyhub.evaluation.normalize [Type ...]` prints the generated source.
"""

from __future__ import annotations

import keyword
import linecache
import sys
from typing import Any, Callable, cast

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from ..domain import validation as va
from ..domain import vocabulary
from ..v1 import policyhub_pb2

# Field types whose JSON form is the Python value itself (json_format's mapping of these is the
# identity). Others (64-bit ints become strings, floats may be "NaN", enums names, bytes base64)
# do not occur in policyhub's messages: generating a reader for one fails loudly.
_PLAIN = frozenset({
    FieldDescriptor.TYPE_STRING,
    FieldDescriptor.TYPE_BOOL,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SFIXED32,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_FIXED32,
})

Problems = list[tuple[str, str]]
_Reader = Callable[[Message, str, Problems], dict[str, Any]]


def _json_format(message: Message) -> Any:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _report(problems: Problems, path: str, kind: object, value: object) -> None:
    """The inlined test found `value` wanting: validation words the problem (and has the last word)."""
    problem = va.check_value(kind, value)
    if problem:
        problems.append((path, problem))


def _free_form(value: Message, path: str, problems: Problems) -> Any:
    """A Struct's JSON, or None when it holds what JSON cannot (json_format would raise)."""
    found = len(problems)
    va.check_free_form(value, path, problems)
    return _json_format(value) if len(problems) == found else None


def _valid_expression(kind: object, x: str, codes: str) -> str:
    """Python source, true when `x` is a valid `kind`: validation.check_value's test, inlined.

    `codes` is the name the kind's code list has in the generated module.
    """
    if isinstance(kind, dict):
        return f"{x} in {codes}"
    if kind == va.COUNT:
        return f"{x} >= 0"
    if kind == va.YEAR:
        low, high = va.YEAR_RANGE
        return f"{low} <= {x} <= {high}"
    if kind == va.DATE:
        return f"_parse_date({x})"
    if kind == va.MONTH:
        return f"_is_month({x})"
    if kind == va.DATE_OR_MONTH:
        return f"(_parse_date({x}) or _is_month({x}))"
    raise AssertionError(f"unknown field kind {kind!r}")


def _is_wkt(descriptor: Descriptor) -> bool:
    return descriptor.full_name.startswith("google.protobuf.")  # Struct, Value, …: their own JSON forms


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _function_name(descriptor: Descriptor) -> str:
    return "read_" + descriptor.full_name.replace(".", "_")


class _Module:
    """The generated readers: their source, and the namespace they run in."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_report": _report, "_free_form": _free_form, "_parse_date": va.parse_date,
            "_is_month": va.is_month,
        }
        self.readers: dict[str, _Reader] = {}
        self.sources: dict[str, str] = {}

    def name_of(self, kind: object) -> str:
        """The name a kind or code list has in the generated namespace: the vocabulary's, where it has one."""
        name = next((f"_{n}" for n, v in vars(vocabulary).items() if v is kind), None) or f"_{str(kind).upper()}"
        if self.namespace.setdefault(name, kind) is not kind:
            raise RuntimeError(f"two kinds would be called {name} in the generated readers")
        return name

    def reader(self, descriptor: Descriptor) -> _Reader:
        """The reader of a message type, generated (with those of the types it holds) on first use."""
        reader = self.readers.get(descriptor.full_name)
        if reader is None:
            types: list[Descriptor] = []
            _unbuilt_types(descriptor, self.readers, types)
            sources = [self.source(t) for t in types]
            source = "\n\n".join(sources)
            filename = f"<policyhub.evaluation.normalize readers for {descriptor.full_name}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks show it
            exec(compile(source, filename, "exec"), self.namespace)
            for t, text in zip(types, sources):
                self.readers[t.full_name] = self.namespace[_function_name(t)]
                self.sources[t.full_name] = text
            reader = self.readers[descriptor.full_name]
        return reader

    def source(self, descriptor: Descriptor) -> str:
        """def read_<type>(m, prefix, problems) -> the dict of `m`; problems found are appended.

        `prefix` is the message's path plus a dot (empty for the request), so that a field's path
        is only put together when it has a problem.
        """
        lines = [f"def {_function_name(descriptor)}(m, prefix, problems):", "    d = {}"]
        # field-number order, as ListFields gives it: problems come in validate_request's order
        for field in sorted(descriptor.fields, key=lambda f: f.number):
            lines += ["    " + line for line in self._field(descriptor, field)]
        cross = va.CROSS_CHECKS.get(descriptor.name)
        if cross is not None:  # validation's checks across the message's fields, after its fields', as its walk
            name = f"_cross_{descriptor.name}"
            if self.namespace.setdefault(name, cross) is not cross:
                raise RuntimeError(f"two cross-field checks would be called {name} in the generated readers")
            lines.append(f"    {name}(m, prefix, problems)")
        lines.append("    return d")
        return "\n".join(lines) + "\n"

    def _field(self, descriptor: Descriptor, field: FieldDescriptor) -> list[str]:
        name = field.name
        key = repr(name)
        get = f"getattr(m, {key})" if keyword.iskeyword(name) else f"m.{name}"
        kind = va.FIELDS.get((descriptor.name, name))
        message_type = field.message_type
        if _is_map(field):
            entry = cast(Descriptor, message_type)  # a map field's entry type, always set
            key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
            if key_field.type != FieldDescriptor.TYPE_STRING or value_field.type not in _PLAIN:
                raise TypeError(f"{field.full_name}: no reader for a map of {key_field.type} to {value_field.type}")
            path = f'f"{{prefix}}{name}.{{k}}"'
            item_checks = self._check(kind, "k", path)
            if value_field.type not in (FieldDescriptor.TYPE_BOOL, FieldDescriptor.TYPE_STRING):
                # validation checks a map's numbers as counts even without a kind
                item_checks += ["if y < 0:", f'    problems.append(({path}, f"must not be negative, got {{y}}"))']
            # x[k]: indexing a upb map is C, its .items() is Python
            return [f"x = {get}", "if x:", f"    d[{key}] = items = {{}}", "    for k in x:",
                    "        items[k] = y = x[k]"] + ["        " + line for line in item_checks]
        if message_type is not None and _is_wkt(message_type):
            if field.is_repeated:
                raise TypeError(f"{field.full_name}: no reader for a repeated {message_type.full_name}")
            return [f"if m.HasField({key}):",
                    f"    x = _free_form({get}, prefix + {key}, problems)",
                    "    if x is not None:",
                    f"        d[{key}] = x"]
        if message_type is not None:
            read = _function_name(message_type)
            if field.is_repeated:
                return [f"x = {get}", "if x:",
                        f'    d[{key}] = [{read}(y, f"{{prefix}}{name}[{{i}}].", problems) for i, y in enumerate(x)]']
            return [f"if m.HasField({key}):", f"    d[{key}] = {read}({get}, prefix + {name + '.'!r}, problems)"]
        if field.type not in _PLAIN:
            raise TypeError(f"{field.full_name}: no reader for field type {field.type}")
        if field.is_repeated:
            lines = [f"x = {get}", "if x:", f"    d[{key}] = x = list(x)"]
            checks = self._check(kind, "y", f'f"{{prefix}}{name}[{{i}}]"')
            if checks:
                lines += ["    for i, y in enumerate(x):"] + ["        " + line for line in checks]
            return lines
        # Set, as ListFields says: a field without presence when it is not its default (0, "", false);
        # one with presence (`optional`) when HasField says so, which a value other than the default settles.
        presence = f" or m.HasField({key})" if field.has_presence else ""
        lines = [f"x = {get}", f"if x{presence}:", f"    d[{key}] = x"]
        return lines + ["    " + line for line in self._check(kind, "x", f"prefix + {key}")]

    def _check(self, kind: object, x: str, path: str) -> list[str]:
        """Lines that report variable `x` at `path` when it is not a valid `kind` (none when no kind)."""
        if kind is None:
            return []
        name = self.name_of(kind)
        return [f"if not ({_valid_expression(kind, x, name)}):", f"    _report(problems, {path}, {name}, {x})"]


def _unbuilt_types(descriptor: Descriptor, built: dict, found: list[Descriptor]) -> None:
    """`descriptor` and every message type it reaches that has no reader yet (maps' and WKTs' aside)."""
    if descriptor.full_name in built or descriptor in found:
        return
    found.append(descriptor)
    for field in descriptor.fields:
        if field.message_type is not None and not _is_map(field) and not _is_wkt(field.message_type):
            _unbuilt_types(field.message_type, built, found)


_module = _Module()


def valid_test(kind: object) -> Callable[[Any], Any]:
    """validation.check_value's test as the readers inline it: true when a value is a valid `kind`."""
    return eval(f"lambda x: {_valid_expression(kind, 'x', _module.name_of(kind))}", _module.namespace)


# read_request reads no more of the request than it must: its own checked fields (`date`), then
# the one submission present; each field read costs, and more so in a cold cache.
_REQUEST = cast(Descriptor, policyhub_pb2.EvaluateRequest.DESCRIPTOR)  # the runtime's (upb) descriptor, same API
_SUBMISSION = _REQUEST.oneofs_by_name["submission"]
_SUBMISSION_READERS = {f.name: (_module.reader(cast(Descriptor, f.message_type)), f.name + ".")  # every submission is a message
                       for f in _SUBMISSION.fields}
_REQUEST_CHECKS = [(f.name, kind, valid_test(kind)) for f in _REQUEST.fields
                   if (kind := va.FIELDS.get((_REQUEST.name, f.name))) is not None]
# What that relies on: validation's walk reports those fields before the submission (field-number
# order), they are set when not empty, and the request has no other message to check.
if not all(_REQUEST.fields_by_name[name].number < min(f.number for f in _SUBMISSION.fields)
           and not _REQUEST.fields_by_name[name].has_presence for name, _, _ in _REQUEST_CHECKS) or \
        not all(f.message_type is None or f.containing_oneof is _SUBMISSION for f in _REQUEST.fields):
    raise RuntimeError("EvaluateRequest has changed shape: read_request must read it field by field")


def read_request(request: policyhub_pb2.EvaluateRequest) -> tuple[Problems, dict[str, Any] | None]:
    """(every problem with the request, its submission as submission_dict gives it), in one pass.

    The problems are validation.validate_request's, in its order; with any, there is no submission.
    """
    problems: Problems = []
    for name, kind, valid in _REQUEST_CHECKS:
        value = getattr(request, name)
        if value and not valid(value):
            _report(problems, name, kind, value)
    kind = request.WhichOneof("submission")
    submission = None
    if kind:
        read, prefix = _SUBMISSION_READERS[kind]
        submission = read(getattr(request, kind), prefix, problems)
    va.check_request(request, kind, problems)
    if problems or submission is None:  # no submission is a problem check_request reported
        return problems, None
    if "ballots" in submission:
        tally_raw_ballots(submission)
    return problems, submission


def read_message(message: Message) -> tuple[Problems, dict[str, Any]]:
    """Any message's problems (its fields', paths from the message) and its canonical JSON, as far as it is JSON.

    A free-form field holding NaN or an infinity is reported and left out of the dict.
    """
    problems: Problems = []
    return problems, _module.reader(cast(Descriptor, message.DESCRIPTOR))(message, "", problems)


def message_dict(message: Message) -> dict[str, Any]:
    """The canonical JSON of a message (proto field names, unset fields absent), as json_format gives it."""
    problems, data = read_message(message)
    # A message with problems goes to json_format itself, which refuses NaN in `extra` as it always did.
    return _json_format(message) if problems else data


def submission_dict(message: Message) -> dict[str, Any]:
    """The canonical JSON of a submission; unset fields are absent; raw ballots are tallied."""
    data = message_dict(message)
    if "ballots" in data:
        tally_raw_ballots(data)
    return data


def tally_raw_ballots(ballot: dict[str, Any]) -> None:
    """Add raw ballot papers to their rounds' tallies (vocabulary: `ballots` may stand in for `tallies`).

    A round that only raw ballots name is created; its `cast` is the number of its papers. Every
    paper names its round (validation refuses one that does not). A paper with no choice is a
    blank ballot (空白票): in a round made of papers it is cast and invalid, so it counts in no
    option's share of the valid ballots; a round given with its own counts already holds its
    blank papers in `invalid`, so there it adds nothing.
    """
    rounds = {r.get("name", ""): r for r in ballot.setdefault("rounds", [])}
    for paper in ballot.pop("ballots"):
        name = paper.get("round", "")  # validation refuses a paper without one
        round_ = rounds.get(name)
        if round_ is None:
            round_ = rounds[name] = {"name": name, "tallies": {}, "cast": 0, "_from_papers": True}
            ballot["rounds"].append(round_)
        tallies = round_.setdefault("tallies", {})
        choice = paper.get("choice")
        if choice:
            tallies[choice] = tallies.get(choice, 0) + 1
        if round_.get("_from_papers"):
            round_["cast"] += 1
            if not choice:
                round_["invalid"] = round_.get("invalid", 0) + 1
    for round_ in ballot["rounds"]:
        round_.pop("_from_papers", None)


if __name__ == "__main__":  # python -m policyhub.evaluation.normalize [Type ...]: the generated readers' source
    wanted = sys.argv[1:]
    for full_name, text in _module.sources.items():
        if not wanted or full_name.rsplit(".", 1)[-1] in wanted:
            print(text)
