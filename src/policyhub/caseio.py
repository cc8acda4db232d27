"""Reading YAML and JSON cases and turning them into requests.

YAML's implicit dates are switched off: the vocabulary's dates are strings, and a case with an
impossible date such as 2009-11-31 must load and be judged by the service, not break the loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format

from .errors import InvalidArgument
from .v1 import policyhub_pb2


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
        raise InvalidArgument([(_parse_error_field(str(exc)), str(exc))]) from None
    return request


def _parse_error_field(message: str) -> str:
    # json_format says e.g. 'Failed to parse copies field: ... at EvaluateRequest.pledge.'
    marker = " at "
    if marker in message:
        where = message.rsplit(marker, 1)[1].rstrip(".")
        parts = where.split(".")[1:]
        head = message.split(" field", 1)[0].rsplit(" ", 1)[-1] if "Failed to parse " in message else ""
        if head and head not in parts:
            parts.append(head)
        if parts:
            return ".".join(parts)
    return "request"
