"""Hypothesis strategies for malformed and adversarial requests.

Three families:
- `mutated_requests`: a valid corpus request (tests/reliability/corpus.py) with one to four
  mutations chosen from the message's own descriptor: any field, at any depth, set to a wrong or
  hostile value of its wire type (huge, negative, unknown code, invalid date, zero-width or
  mixed-script text), repeated fields emptied or blown up, `extra` nested deeply, the pack,
  locality or date replaced, the submission swapped for another kind's.
- `mutated_dicts`: the same corpus as canonical JSON with wrong JSON types, for the YAML/JSON
  loader (`policyhub eval`, `policyhub test`).
- `raw_payloads`: bytes that are not a valid EvaluateRequest, or are one only by accident:
  random bytes, truncations, flipped bytes, concatenations, wrong wire types, invalid UTF-8,
  nesting beyond protobuf's recursion limit.
"""

from __future__ import annotations

import copy
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from policyhub.domain import vocabulary
from policyhub.v1 import policyhub_pb2 as pb

from . import corpus

# Every code of every list: right for one field, wrong for the others.
CODES = sorted(
    {code for name, value in vars(vocabulary).items() if name.isupper() and isinstance(value, dict) for code in value}
    | set(vocabulary.SEVERITIES)
)

# Keys the bundled packs read from `extra` (grep `extra` in policy_packs/*/rules).
EXTRA_KEYS = ["half_year", "on_activity", "level", "report_reviewed_by_liaison", "stage", "rural",
              "tied_to_election", "two_committees"]

PACK_REFS = ["", "demo_2020", "demo_2020@1.0.0", "demo_2020@9.9.9", "faulty_2020", "yuyao_2011",
             "linge_2022@1.0.0", "atlantis_2099", "os", "sys", "../../etc/passwd", "demo_2020@1.0",
             "demo_2020@@1.0.0", "demo_2020@1.0.0@1.0.0", "DEMO_2020", "demo_2020\n", "demo_2020 ",
             "demo_2020@١.٠.٠", "demo_2020@1.0.0\n", "policyhub.cli", "__main__"]
LOCALITIES = ["demo", "yuyao", "linge", "huoerqi", "doushan", "yinchuan", "", "DEMO", "demo\u200b",
              "../demo", "demo/..", "demo\x00", "Ԁemo"]

HUGE = ["a" * 200_000, "张" * 60_000, "\u200b" * 50_000, "9" * 100_000]

TRICKY_TEXT = [
    "", " ", "\t", "\n", "\x00", "\x00" * 8, "\x7f", "\ufffd", "\u200b", "\u200d", "\ufeff", "\u2060",
    "\u202e", "excellent\u200b", "\u200bexcellent", " excellent", "excellent\n", "Excellent", "EXCELLENT",
    "еxcellent",  # Cyrillic е
    "ｅｘｃｅｌｌｅｎｔ", "village\u0301", "monthly_study\u200d",
    # dates and months that are not, or only look like, calendar days
    "2011-02-29", "2012-02-30", "2011-13-01", "2011-00-10", "2011-01-00", "0000-01-01", "9999-12-31",
    "1899-12-31", "2011-2-3", "20110220", "2011/02/20", "2011-02-20T00:00:00", "2011-02-20\n",
    "2011-02-20 ", "２０１１-０２-２０", "٢٠١١-٠٢-٢٠", "２０１１-０２", "2011-02\n", "2011-13", "2011-00", "2011-1",
    "𝟚𝟘𝟙𝟙-𝟘𝟚", "2011-H2", "2022-H1", "2022-H3", "-2011-01-01", "+2011-01-01",
    # text that would be dangerous if anything evaluated it
    "{0}", "{}", "{copies}", "{0.__class__}", "{required.__class__.__mro__}", "{copies.__globals__}",
    "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "%s%s%n", "__import__('os').system('false')",
    "!!python/object/apply:os.system ['false']", "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "../../etc/passwd", "C:\\Windows\\system32",
    # personal data shapes
    "13900001111", "+86 139 0000 1111", "someone@example.cn", "张三", "Ａ𝐀а1", "😀" * 5,
]


def text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(TRICKY_TEXT),
        st.sampled_from(CODES),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=24),
        st.sampled_from(HUGE),
    )


def int32() -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from([0, 1, -1, 2, 3, 4, 5, 100, 2011, 2**31 - 1, -(2**31), 2**30, 10**9]),
        st.integers(-(2**31), 2**31 - 1),
    )


def nested(depth: int) -> dict:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**53), 2**53),
        st.floats(allow_nan=True, allow_infinity=True), text(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | st.sampled_from(EXTRA_KEYS), inner, max_size=4),
        max_leaves=12,
    )


def struct_values() -> st.SearchStrategy[dict]:
    """What `extra` may be sent as: any JSON object, the keys packs read, or deep nesting."""
    return st.one_of(
        st.dictionaries(st.sampled_from(EXTRA_KEYS) | st.text(max_size=6), json_values(), max_size=4),
        st.integers(1, 140).map(lambda depth: {"level": nested(depth)}),
        st.integers(1, 3000).map(lambda n: {"two_committees": list(range(n))}),
    )


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _is_struct(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.full_name == "google.protobuf.Struct"


def _slots(message: Message, found: list[tuple[Message, FieldDescriptor]]) -> None:
    for field in message.DESCRIPTOR.fields:
        found.append((message, field))
        if field.message_type is None or _is_map(field) or _is_struct(field):
            continue
        if field.is_repeated:
            for item in getattr(message, field.name):
                _slots(item, found)
        elif message.HasField(field.name):
            _slots(getattr(message, field.name), found)


def _scalar(draw, field: FieldDescriptor) -> Any:
    if field.type == FieldDescriptor.TYPE_BOOL:
        return draw(st.booleans())
    if field.type == FieldDescriptor.TYPE_INT32:
        return draw(int32())
    if field.type == FieldDescriptor.TYPE_STRING:
        return draw(text())
    raise AssertionError(f"no strategy for field type {field.type} ({field.full_name})")


_BUDGET = 2_000_000  # bytes a blown-up repeated field may add: well under the server's limit


def _mutate_field(draw, message: Message, field: FieldDescriptor) -> None:
    name = field.name
    if _is_struct(field):
        if draw(st.booleans()):
            message.ClearField(name)
        else:
            getattr(message, name).update(draw(struct_values()))
        return
    if _is_map(field):
        entries = getattr(message, name)
        op = draw(st.sampled_from(["set", "clear", "many"]))
        if op == "clear":
            entries.clear()
        elif op == "set":
            for _ in range(draw(st.integers(1, 3))):
                entries[draw(text().filter(lambda s: len(s) < 1000))] = draw(int32())
        else:
            for i in range(draw(st.integers(10, 2000))):
                entries[f"k{i}"] = i
        return
    if field.message_type is None:
        if not field.is_repeated:
            setattr(message, name, _scalar(draw, field))
            return
        values = getattr(message, name)
        op = draw(st.sampled_from(["append", "clear", "many"]))
        if op == "clear":
            del values[:]
        elif op == "append":
            values.append(_scalar(draw, field))
        else:
            value = _scalar(draw, field)
            values.extend([value] * min(draw(st.integers(2, 3000)), _BUDGET // (len(str(value)) + 2)))
        return
    if field.is_repeated:
        items = getattr(message, name)
        op = draw(st.sampled_from(["clear", "add", "duplicate", "mutate"] if len(items) else ["add", "many_empty"]))
        if op == "clear":
            del items[:]
        elif op == "add":
            _mutate_inside(draw, items.add())
        elif op == "many_empty":
            for _ in range(draw(st.integers(2, 2000))):
                items.add()
        elif op == "duplicate":
            item = items[draw(st.integers(0, len(items) - 1))]
            times = min(draw(st.integers(1, 500)), _BUDGET // (item.ByteSize() + 4))
            for _ in range(times):
                items.add().CopyFrom(item)
        else:
            _mutate_inside(draw, items[draw(st.integers(0, len(items) - 1))])
        return
    op = draw(st.sampled_from(["clear", "empty", "mutate"]))
    if op == "clear":
        message.ClearField(name)
    elif op == "empty":
        getattr(message, name).SetInParent()
    else:
        _mutate_inside(draw, getattr(message, name))


def _mutate_inside(draw, message: Message) -> None:
    field = draw(st.sampled_from(list(message.DESCRIPTOR.fields)))
    _mutate_field(draw, message, field)
    message.SetInParent()


def _retarget(draw, request: pb.EvaluateRequest) -> None:
    """Send the submission elsewhere: another pack, locality or date."""
    what = draw(st.sampled_from(["pack", "locality", "date"]))
    if what == "pack":
        request.pack = draw(st.sampled_from(PACK_REFS) | text())
    elif what == "locality":
        request.locality = draw(st.sampled_from(LOCALITIES) | text())
    else:
        request.date = draw(text())


def _swap_submission(draw, request: pb.EvaluateRequest) -> None:
    """Put another corpus request's submission (often of another kind) under this one's pack."""
    other = corpus.message(draw(st.integers(0, corpus.size() - 1)))
    kind = other.WhichOneof("submission")
    if kind:
        getattr(request, kind).CopyFrom(getattr(other, kind))


@st.composite
def mutated_requests(draw, max_mutations: int = 4) -> pb.EvaluateRequest:
    request = corpus.message(draw(st.integers(0, corpus.size() - 1)))
    for _ in range(draw(st.integers(1, max_mutations))):
        op = draw(st.sampled_from(["field", "field", "field", "field", "retarget", "swap"]))
        if op == "retarget":
            _retarget(draw, request)
        elif op == "swap":
            _swap_submission(draw, request)
        else:
            slots: list[tuple[Message, FieldDescriptor]] = []
            _slots(request, slots)
            message, field = draw(st.sampled_from(slots))
            _mutate_field(draw, message, field)
    request.trace = draw(st.booleans())
    return request


# --- canonical JSON (the loader's input) ------------------------------------------------------

_WRONG_JSON = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True, allow_infinity=True),
    text().filter(lambda s: len(s) < 1000), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from([{1: 2}, {None: "x"}, [None], [[]], b"bytes", "3", "1e3", "-0", 1.5, 2**31]),
    st.integers(1, 140).map(nested),
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, path + (i,))
    return found


@st.composite
def mutated_dicts(draw) -> Any:
    request = corpus.fixture_request(draw(st.integers(0, corpus.fixture_count() - 1)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(request)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add_key", "second_kind"]))
        if not path:
            if op == "second_kind":
                request[draw(st.sampled_from(["pledge", "meeting", "log", "ballot"]))] = {}
            elif op == "replace" and draw(st.booleans()):
                return draw(_WRONG_JSON)
            continue
        parent = request
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if op == "delete":
            del parent[last]
        elif op == "add_key" and isinstance(parent[last], dict):
            parent[last][draw(st.text(max_size=8) | st.sampled_from(EXTRA_KEYS))] = copy.deepcopy(draw(_WRONG_JSON))
        else:
            parent[last] = copy.deepcopy(draw(_WRONG_JSON))
    return request


# --- raw bytes ----------------------------------------------------------------------------------

def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire_type: int, payload: bytes) -> bytes:
    return _varint((number << 3) | wire_type) + payload


def length_delimited(number: int, body: bytes) -> bytes:
    return _field(number, 2, _varint(len(body)) + body)


def deep_struct_bytes(depth: int) -> bytes:
    """pledge.extra = {"a": {"a": ...}} nested `depth` times, encoded by hand (Struct→Value→Struct…)."""
    struct = b""
    for _ in range(depth):
        value = length_delimited(5, struct)  # Value.struct_value
        entry = length_delimited(1, b"a") + length_delimited(2, value)  # Struct.fields map entry
        struct = length_delimited(1, entry)
    pledge = length_delimited(19, struct)  # Pledge.extra
    return length_delimited(2, b"demo") + length_delimited(3, b"2020-06-01") + length_delimited(4, pledge)


@st.composite
def _wrong_wire_types(draw) -> bytes:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        number = draw(st.integers(1, 20))
        wire_type = draw(st.sampled_from([0, 1, 2, 3, 4, 5]))
        payload = {
            0: _varint(draw(st.integers(0, 2**64 - 1))),
            1: draw(st.binary(min_size=8, max_size=8)),
            2: (lambda body: _varint(len(body)) + body)(draw(st.binary(max_size=40))),
            3: b"",
            4: b"",
            5: draw(st.binary(min_size=4, max_size=4)),
        }[wire_type]
        parts.append(_field(number, wire_type, payload))
    return b"".join(parts)


@st.composite
def _corrupted(draw) -> bytes:
    valid = corpus.message(draw(st.integers(0, corpus.size() - 1))).SerializeToString()
    op = draw(st.sampled_from(["truncate", "flip", "append", "concat", "prefix"]))
    if op == "truncate":
        return valid[: draw(st.integers(0, max(len(valid) - 1, 0)))]
    if op == "flip":
        data = bytearray(valid)
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    if op == "append":
        return valid + draw(st.binary(min_size=1, max_size=16))
    if op == "prefix":
        return draw(st.binary(min_size=1, max_size=8)) + valid
    other = corpus.message(draw(st.integers(0, corpus.size() - 1))).SerializeToString()
    return valid + other  # protobuf merges: two submissions of different kinds, last wins


def raw_payloads() -> st.SearchStrategy[bytes]:
    invalid_utf8 = st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])
    return st.one_of(
        st.binary(max_size=256),
        _wrong_wire_types(),
        _corrupted(),
        invalid_utf8.map(lambda bad: length_delimited(2, bad) + length_delimited(3, b"2020-06-01")),
        invalid_utf8.map(lambda bad: length_delimited(4, length_delimited(3, bad))),  # pledge.pledger
        st.integers(90, 200).map(deep_struct_bytes),
    )
