"""Reading YAML and JSON cases and turning them into requests.

YAML's implicit dates are switched off: the vocabulary's dates are strings, and a case with an
impossible date such as 2009-11-31 must load and be judged by the service, not break the loader.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format

from .errors import InvalidArgument
from ..v1 import policyhub_pb2


# libyaml's parser where PyYAML has it (about 9x faster: packs load at start-up), same results.
class _StringDateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_StringDateLoader)


def load_file(path: str | Path) -> Any:
    """A YAML or JSON file (JSON is YAML, but JSON files get the stricter JSON parser).

    Anything unreadable is a ValueError naming the file: bad syntax, bad UTF-8, or a tag such as
    `!!python/object/apply`, which the safe loader refuses to construct.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return load_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ValueError(f"{path}: {exc}") from None


def request_from_dict(data: Any) -> policyhub_pb2.EvaluateRequest:
    """The canonical JSON of a request as an EvaluateRequest; bad shapes are InvalidArgument."""
    if not isinstance(data, dict):
        raise InvalidArgument([("request", "must be a mapping")])
    request = policyhub_pb2.EvaluateRequest()
    try:
        json_format.ParseDict(data, request)
    except json_format.ParseError as exc:
        raise InvalidArgument([(_parse_error_field(str(exc), data), str(exc))]) from None
    return request


# json_format names where it failed in two ways: a path (' at EvaluateRequest.ballot.year.' or
# ' at "EvaluateRequest.ballot.subject"'), and a chain of 'Failed to parse <field> field:' that
# starts below the submission (a oneof member, which json_format leaves out of the chain).
_AT = re.compile(r' at "?EvaluateRequest((?:\.[A-Za-z0-9_\[\]]+)*)')
_FAILED_FIELD = re.compile(r"Failed to parse ([A-Za-z_][A-Za-z0-9_]*) field")
_NO_FIELD = re.compile(r'has no field named "([A-Za-z_][A-Za-z0-9_]{0,99})"')  # a key like "." is no path
_REQUEST_FIELDS = {name for f in policyhub_pb2.EvaluateRequest.DESCRIPTOR.fields for name in (f.name, f.json_name)}


def _value_at(data: Any, parts: list[str]) -> Any:
    """What `data` holds at a path such as ["log", "meetings[1]", "attendance"]; None if nothing."""
    for part in parts:
        name, _, index = part.partition("[")
        data = data.get(name) if isinstance(data, dict) else None
        if index:
            i = int(index.rstrip("]"))
            data = data[i] if isinstance(data, list) and i < len(data) else None
    return data


def _parse_error_field(message: str, data: dict) -> str:
    """The field a json_format.ParseError is about, as a path in the request; `request` if unknown."""
    found = _AT.findall(message)
    parts = [p for p in found[-1].split(".") if p] if found else []
    chain = _FAILED_FIELD.findall(message)
    unknown = _NO_FIELD.findall(message)
    if unknown:  # a key the message type lacks, if it is one: json_format says the same of a string's letters
        parent = _value_at(data, parts)
        return ".".join(parts + unknown[-1:]) if isinstance(parent, dict) and unknown[-1] in parent else ".".join(parts) or "request"
    if not chain:
        return ".".join(parts) or "request"
    if parts:
        if parts[-1].split("[")[0] != chain[-1]:
            parts.append(chain[-1])
        return ".".join(parts)
    kinds = [k for k in ("pledge", "meeting", "log", "ballot") if k in data]
    submission = data.get(kinds[0]) if len(kinds) == 1 else None
    in_submission = isinstance(submission, dict) and chain[0] in submission
    # `date` is both a request's and a meeting's: the chain starts in the submission unless the
    # request's own value is the bad one (a string there parses; the nested one did not).
    if chain[0] not in _REQUEST_FIELDS or chain[0] not in data or (in_submission and isinstance(data[chain[0]], str)):
        if not in_submission:
            return "request"
        chain.insert(0, kinds[0])
    return ".".join(chain)
