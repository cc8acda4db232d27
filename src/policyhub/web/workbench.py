"""The case workbench: a case read from pasted JSON or YAML, evaluated with its trace, compared
across two pack versions or with an interpretation's setting changed, saved as a fixture case,
and carried in a permalink."""

from __future__ import annotations

import base64
import copy
import json
import shutil
import tempfile
import threading
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

from ..domain.caseio import load_yaml, request_from_dict
from ..domain.errors import InvalidArgument, PackLoadError, PolicyError
from ..evaluation.evaluator import Evaluator, decision_to_dict
from ..packs.pack import Pack, load_pack
from ..packs.registry import PackRegistry

# A permalink carries the case compressed; a case larger than this is refused, not half-linked.
MAX_CASE_CHARS = 256 * 1024


def read_case(text: str) -> dict[str, Any]:
    """A request from pasted text: a request, a fixture case ({name, request, expect}) or a case file."""
    if len(text) > MAX_CASE_CHARS:
        raise InvalidArgument([("case", f"over {MAX_CASE_CHARS} characters")])
    try:
        data = load_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise InvalidArgument([("case", f"not JSON or YAML: {str(exc)[:300]}")]) from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list) and data["cases"]:
        data = data["cases"][0]
    if isinstance(data, dict) and "request" in data and "expect" in data:
        data = data["request"]
    if not isinstance(data, dict):
        raise InvalidArgument([("case", "must be a mapping: the request's fields (locality, date, pledge, …)")])
    return data


def dump_case(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def encode_permalink(text: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode().rstrip("=")


def decode_permalink(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_CASE_CHARS * 4)
        if inflater.unconsumed_tail:
            raise ValueError("too large")
        return text.decode("utf-8")
    except (ValueError, zlib.error) as exc:
        raise InvalidArgument([("case", f"the link's case cannot be read: {exc}")]) from None


def evaluate(evaluator: Evaluator, data: dict[str, Any], pack_ref: str | None = None) -> dict[str, Any]:
    """{"decision": …} with its trace, or {"error": status, "message", "field_violations"}."""
    request = copy.deepcopy(data)
    if pack_ref:
        request["pack"] = pack_ref
    try:
        message = request_from_dict(request)
        message.trace = True
        return {"decision": decision_to_dict(evaluator.evaluate(message))}
    except PolicyError as exc:
        return {"error": exc.code.name, "message": exc.message,
                "field_violations": [{"field": f, "description": d} for f, d in getattr(exc, "violations", [])]}


def _items(decision: dict[str, Any]) -> dict[str, dict[tuple, dict]]:
    return {
        "violations": {(v["rule_id"], v.get("path", ""), v.get("severity", "")): v for v in decision.get("violations", [])},
        "notes": {(v["rule_id"], v.get("path", ""), v.get("severity", "")): v for v in decision.get("notes", [])},
        "grades": {(g["subject_id"], g["scheme"], g["code"], g["rule_id"]): g for g in decision.get("grades", [])},
        "consequences": {(c["subject_id"], c["code"], c["rule_id"]): c for c in decision.get("consequences", [])},
    }


def diff(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """What changed from outcome `left` to outcome `right`: per list, items only in one, and compliance."""
    if "decision" not in left or "decision" not in right:
        return {"comparable": False, "left_error": left.get("error"), "right_error": right.get("error")}
    a, b = _items(left["decision"]), _items(right["decision"])
    changes = {}
    for name in a:
        only_left = [a[name][k] for k in a[name] if k not in b[name]]
        only_right = [b[name][k] for k in b[name] if k not in a[name]]
        same = [a[name][k] for k in a[name] if k in b[name]]
        changes[name] = {"removed": only_left, "added": only_right, "same": same}
    compliant = (left["decision"]["compliant"], right["decision"]["compliant"])
    changed = compliant[0] != compliant[1] or any(c["removed"] or c["added"] for c in changes.values())
    return {"comparable": True, "compliant": compliant, "changed": changed, **changes}


def fixture_yaml(name: str, data: dict[str, Any], outcome: dict[str, Any]) -> str:
    """The case with what its decision shows now, as a `policyhub test` fixture file."""
    if "error" in outcome:
        expect: dict[str, Any] = {"error": outcome["error"]}
    else:
        decision = outcome["decision"]
        expect = {"compliant": decision["compliant"]}
        fired = list(dict.fromkeys(v["rule_id"] for v in decision.get("violations", [])))
        if fired:
            expect["violations_include"] = fired
        noted = list(dict.fromkeys(v["rule_id"] for v in decision.get("notes", [])))
        if noted:
            expect["notes_include"] = noted
        grades = list(dict.fromkeys(g["code"] for g in decision.get("grades", [])))
        if grades:
            expect["grade"] = grades[0]
        consequences = list(dict.fromkeys(c["code"] for c in decision.get("consequences", [])))
        if consequences:
            expect["consequences_include"] = consequences
    request = {k: v for k, v in data.items() if k != "trace"}
    return dump_case({"cases": [{"name": name, "request": request, "expect": expect}]})


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


class Variants:
    """Packs loaded again with one setting changed, to run a case with an interpretation flipped.

    Each is a copy of the pack directory in a temporary folder with thresholds.yaml rewritten,
    loaded and checked as any pack is: the pack in service and its files are never touched.
    """

    def __init__(self, limit: int = 4) -> None:
        self._loaded: OrderedDict[tuple, tuple[Evaluator, Path]] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def evaluator(self, pack: Pack, setting: str, value: Any) -> Evaluator:
        key = (id(pack), pack.ref, setting, json.dumps(value, sort_keys=True, default=str))
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key][0]
            folder = Path(tempfile.mkdtemp(prefix="policyhub-variant-"))
            try:
                target = folder / pack.directory.name
                shutil.copytree(pack.directory, target, ignore=shutil.ignore_patterns(
                    "__pycache__", "*.egg-info", "build", "dist", ".*"))
                thresholds = copy.deepcopy(pack.thresholds_data)
                _set(thresholds, setting, value)
                (target / "thresholds.yaml").write_text(
                    yaml.safe_dump(thresholds, allow_unicode=True, sort_keys=False), encoding="utf-8")
                variant = load_pack(target)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            evaluator = Evaluator(PackRegistry([variant]), observed=False)
            self._loaded[key] = (evaluator, folder)
            while len(self._loaded) > self._limit:
                _, (old, old_folder) = self._loaded.popitem(last=False)
                old.swap(PackRegistry([]))  # frees its engine ruleset once no call uses it
                shutil.rmtree(old_folder, ignore_errors=True)
            return evaluator

    def close(self) -> None:
        with self._lock:
            for evaluator, folder in self._loaded.values():
                evaluator.swap(PackRegistry([]))
                shutil.rmtree(folder, ignore_errors=True)
            self._loaded.clear()


def run_with_setting(variants: Variants, pack: Pack, setting: str, value: Any,
                     data: dict[str, Any]) -> dict[str, Any]:
    try:
        evaluator = variants.evaluator(pack, setting, value)
    except PackLoadError as exc:
        return {"error": "FAILED_PRECONDITION", "message": f"the pack does not load with {setting} = {value!r}",
                "field_violations": [{"field": setting, "description": f} for f in exc.findings]}
    return evaluate(evaluator, data, pack.ref)
