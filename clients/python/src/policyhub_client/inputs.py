"""Reading requests from JSON, YAML and JSONL files.

YAML's implicit dates are switched off: the vocabulary's dates are strings, and an impossible
date such as 2009-11-31 must reach the server and be named there, not break the loader.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator, TextIO

import yaml


class _StringDateLoader(yaml.SafeLoader):
    pass


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class BadInput(ValueError):
    """A document or line that is not JSON/YAML, or not shaped like a request."""


def load_yaml(text: str) -> Any:
    """YAML (or JSON) with dates kept as strings."""
    return yaml.load(text, Loader=_StringDateLoader)


def load_requests(path: str | Path) -> list[tuple[str, Any]]:
    """The requests of one JSON or YAML file, each with where it came from.

    A file holds one request; a fixture case ({request:, expect:}): its request; or a fixture
    file ({cases: [...]}): every case's request, named path#case-name.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        return [(f"{path}#{case.get('name', i) if isinstance(case, dict) else i}",
                 case.get("request") if isinstance(case, dict) else case)
                for i, case in enumerate(data["cases"])]
    if isinstance(data, dict) and "request" in data and "expect" in data:
        return [(str(path), data["request"])]
    return [(str(path), data)]


def open_lines(path: str) -> TextIO:
    """A JSONL file, or standard input for "-"."""
    if path == "-":
        return sys.stdin
    return open(path, encoding="utf-8")


def count_lines(path: str) -> int | None:
    """Non-blank lines of a file (for a progress bar's total); None for standard input."""
    if path == "-":
        return None
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def read_jsonl(path: str) -> Iterator[tuple[str, Any]]:
    """(path:line, the parsed request or a BadInput) for each non-blank line, read lazily."""
    handle = open_lines(path)
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{number}", json.loads(line)
            except ValueError as exc:
                yield f"{path}:{number}", BadInput(f"line {number}: not valid JSON: {exc}")
    finally:
        if handle is not sys.stdin:
            handle.close()
