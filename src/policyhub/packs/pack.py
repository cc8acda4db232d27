"""A policy pack: its manifest (pack.yaml), thresholds (thresholds.yaml), rules as data
(rules.yaml, and those of the rule libraries pack.yaml `uses`) and rule scripts (rules/*.py:
measure functions, and the rules of packs still written in Python).

`load_pack(directory)` reads and checks them all and compiles the rules into one durable_rules
ruleset per submission kind. Anything wrong is a `PackLoadError` listing every finding with its
file and key (for rule data: the file, the rule id and the field): a pack is served whole or not
at all.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import itertools
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..domain import vocabulary
from ..domain.caseio import load_yaml
from ..engine.engine import CompiledRuleset
from ..domain.errors import PackLoadError
from .integrity import PackLock, file_digests, pack_contents, tree_digest
from ..rules.model import KINDS, DeriveSpec, Rule, derive_spec, message_field_spec
from ..rules.thresholds import Thresholds, covers, flatten
from ..ruledata.loader import load_rule_files

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
PACK_ID = re.compile(r"^[a-z][a-z0-9_]*$")
RULE_ID = re.compile(r"^[a-z0-9_]+\.(pledge|meeting|log|ballot)\.[a-z0-9-]+$")

MANIFEST_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "locality": True,
    "issuing_body": True,
    "document_number": False,
    "source_seed": True,
    "effective_from": True,
    "effective_to": False,
    "description": False,
    "interpretations": False,
    "uses": False,
    # true: the pack's rules read a ballot's `history`, which the decision record supplies when a
    # request has none (store/recorder.py)
    "reads_history": False,
}
# values: the setting's allowed values, where the rule scripts handle a fixed set (checked at load).
INTERPRETATION_KEYS = {"id": True, "setting": True, "default": True, "rules": True, "text": True, "values": False}


@dataclass(frozen=True)
class Interpretation:
    id: str
    setting: str
    default: Any
    rule_ids: tuple[str, ...]
    text: dict[str, str]


@dataclass(frozen=True)
class DeriveFunction:
    name: str
    fn: Callable
    spec: DeriveSpec


@dataclass
class Pack:
    id: str
    version: str
    title: dict[str, str]
    locality: str
    issuing_body: dict[str, str]
    document_number: str
    source_seed: str
    effective_from: dt.date
    effective_to: dt.date | None
    description: dict[str, str]
    interpretations: list[Interpretation]
    thresholds_data: dict[str, Any]
    rules: list[Rule]
    derives: list[DeriveFunction]
    directory: Path
    # kind -> its rules in the engine: one ruleset per kind, since every state of a ruleset pays
    # for each of its rules, and a ballot's need not pay for the meeting's.
    rulesets: dict[str, "KindRules"] = field(repr=False)
    # The name under which rules/*.py were imported (see _import_rule_scripts).
    private_package: str = ""
    # thresholds.yaml key -> {clause, quote} for thresholds written {value, clause, quote}.
    threshold_sources: dict[str, dict[str, str]] = field(default_factory=dict)
    # Fact type -> what the engine needs added to such facts (ruledata.compiler.Shape).
    shapes: dict[str, Any] = field(default_factory=dict)
    # The kinds whose submission is itself a fact (a data rule reads its fields).
    submission_kinds: frozenset[str] = frozenset()
    uses: tuple[str, ...] = ()  # the shared rule libraries the pack takes
    # fact type -> message field -> its @message_field function
    message_fields: dict[str, dict[str, Callable]] = field(default_factory=dict)
    # The content files as they were read at load (what the decision record archives for replay)
    # and their tree digest (integrity.tree_digest, as in a lock file): which exact version decided.
    files: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    digest: str = ""
    reads_history: bool = False
    # kind -> its derive functions, each with the thresholds view restricted to the keys it
    # declared: built once with the pack rather than on every request (see derive_views).
    derives_by_kind: dict[str, tuple[tuple[DeriveFunction, Thresholds], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.derives_by_kind = derive_views(self.derives, self.thresholds_data)

    @property
    def ruleset(self) -> CompiledRuleset:
        """The engine ruleset of the pack's first kind (a one-kind pack's only one)."""
        return self.rulesets[self.kinds[0]].ruleset

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def version_key(self) -> tuple[int, int, int]:
        return tuple(int(p) for p in self.version.split("."))  # type: ignore[return-value]

    @property
    def document(self) -> str:
        """What a citation names: the document number, or the title where there is none."""
        return self.document_number or self.title["zh"]

    @functools.cached_property
    def kinds(self) -> list[str]:  # asked on every request; the rules never change after load
        return [k for k in KINDS if any(k in r.kinds for r in self.rules)]

    @functools.cached_property
    def thresholds(self) -> Thresholds:  # read-only and asked on every request: one view per pack
        return Thresholds(self.thresholds_data)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def close(self) -> None:
        """Free what the pack holds in the engine and in sys.modules, once nothing uses it."""
        for kind_rules in self.rulesets.values():
            kind_rules.ruleset.close()
        _forget_package(self.private_package)

    def period_text(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open-ended"
        return f"{self.effective_from.isoformat()} … {end}"


def _text(findings: list[str], where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k) for k in ("zh", "en")):
        findings.append(f"{where}: needs zh and en text")
        return {"zh": "", "en": ""}
    extra = set(value) - {"zh", "en"}
    if extra:
        findings.append(f"{where}: unknown key(s) {sorted(extra)}")
    return {"zh": value["zh"], "en": value["en"]}


def _date(findings: list[str], where: str, value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        findings.append(f"{where}: not a date YYYY-MM-DD: {value!r}")
        return None


def _check_keys(findings: list[str], where: str, data: dict, schema: dict[str, bool]) -> None:
    for key in data:
        if key not in schema:
            findings.append(f"{where}: unknown key {key!r}")
    for key, required in schema.items():
        if required and key not in data:
            findings.append(f"{where}: missing key {key!r}")


def _read_yaml(findings: list[str], path: Path) -> dict:
    if not path.is_file():
        findings.append(f"{path.name}: missing")
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except Exception as exc:  # yaml.YAMLError and decoding errors alike
        findings.append(f"{path.name}: not valid YAML: {exc}")
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        findings.append(f"{path.name}: must be a mapping")
        return {}
    return data


_package_names = itertools.count()


def _forget_package(package_name: str) -> None:
    """Drop a pack's private package from sys.modules, so reloads do not pile up modules."""
    if not package_name:
        return
    prefix = package_name + "."
    for name in [n for n in sys.modules if n == package_name or n.startswith(prefix)]:
        del sys.modules[name]


def _import_rule_scripts(findings: list[str], rules_dir: Path, package_name: str) -> list[types.ModuleType]:
    """Import rules/*.py as submodules of a private package, so scripts may import each other."""
    if not rules_dir.is_dir():
        findings.append("rules/: missing")
        return []
    package = types.ModuleType(package_name)
    package.__path__ = [str(rules_dir)]
    sys.modules[package_name] = package
    modules = []
    for script in sorted(rules_dir.glob("*.py")):
        if script.name == "__init__.py":
            continue
        name = f"{package_name}.{script.stem}"
        spec = importlib.util.spec_from_file_location(name, script)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            findings.append(f"rules/{script.name}: does not import: {type(exc).__name__}: {exc}")
            continue
        modules.append(module)
    return modules


def _collect(modules: list[types.ModuleType]) -> tuple[list[Rule], list[DeriveFunction]]:
    rules: dict[int, Rule] = {}
    derives: dict[int, DeriveFunction] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Rule):
                rules.setdefault(id(value), value)
            else:
                spec = derive_spec(value)
                if spec is not None:
                    name = f"{getattr(value, '__module__', '?').rsplit('.', 1)[-1]}.{value.__name__}"
                    derives.setdefault(id(value), DeriveFunction(name, value, spec))
    return sorted(rules.values(), key=lambda r: r.id), sorted(derives.values(), key=lambda d: d.name)


def derive_views(
    derives: list[DeriveFunction], thresholds: dict[str, Any]
) -> dict[str, tuple[tuple[DeriveFunction, Thresholds], ...]]:
    """Per submission kind, its derive functions in order, each with its restricted thresholds view."""
    view = Thresholds(thresholds)
    restricted = [(d, view.restricted(d.spec.uses, f"derive {d.name}")) for d in derives]
    return {kind: tuple((d, v) for d, v in restricted if kind in d.spec.kinds) for kind in KINDS}


def _check_rule(findings: list[str], pack_id: str, rule: Rule) -> None:
    where = f"rule {rule.id}"
    if not RULE_ID.match(rule.id) or not (rule.id.startswith(pack_id + ".") or rule.id.startswith("core.")):
        findings.append(f"{where}: id must be '{pack_id}.<pledge|meeting|log|ballot>.<slug>' or 'core.…'")
    if not rule.clause:
        findings.append(f"{where}: no clause to cite")
    if not rule.kinds or set(rule.kinds) - set(KINDS):
        findings.append(f"{where}: kinds must be from {KINDS}, got {rule.kinds}")
    if rule.severity is not None and rule.severity not in vocabulary.SEVERITIES:
        findings.append(f"{where}: severity must be one of {vocabulary.SEVERITIES}")
    if rule.severity is not None:
        if not rule.message or not rule.message.get("zh") or not rule.message.get("en"):
            findings.append(f"{where}: a rule with a severity needs zh and en messages")
    if rule.severity is None and not rule.consequences and not rule.fact_consequences and not rule.grade:
        findings.append(f"{where}: yields nothing (no severity, grade or consequence)")
    for item in rule.consequences:
        code = item["code"] if isinstance(item, dict) else item
        if code not in vocabulary.CONSEQUENCES:
            findings.append(f"{where}: unknown consequence code {code!r}")
    for code in rule.fact_consequences:
        if code not in vocabulary.CONSEQUENCES:
            findings.append(f"{where}: unknown consequence code {code!r} in fact_consequences")


def _check_thresholds(findings: list[str], data: dict, rules: list[Rule], derives: list[DeriveFunction],
                      report_unread: bool = True) -> None:
    declared = {key: f"rule {r.id}" for r in rules for key in r.thresholds}
    declared.update({key: f"derive {d.name}" for d in derives for key in d.spec.uses})
    view = Thresholds(data)
    for key, owner in sorted(declared.items()):
        if key not in view:
            findings.append(f"thresholds.yaml: {key!r} is read by {owner} but not defined")
    for key in sorted(flatten(data)) if report_unread else ():
        if not any(covers(d, key) for d in declared):
            findings.append(f"thresholds.yaml: unknown key {key!r} (no rule or derive function reads it)")


def _check_values(findings: list[str], where: str, item: dict, value: Any) -> None:
    """A setting with a fixed set of values: its value in thresholds.yaml and its default are among them."""
    allowed = item["values"]
    if not isinstance(allowed, list) or not allowed:
        findings.append(f"{where}.values: must be a non-empty list")
        return
    if value not in allowed:
        findings.append(f"thresholds.yaml: {item['setting']}: {value!r} is not one of {allowed} ({where}.values)")
    if item.get("default") not in allowed:
        findings.append(f"{where}.default: {item.get('default')!r} is not one of {allowed}")


def _interpretations(findings: list[str], raw: Any, data: dict, rule_ids: set[str]) -> list[Interpretation]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        findings.append("pack.yaml: interpretations must be a list")
        return []
    result = []
    view = Thresholds(data)
    for i, item in enumerate(raw):
        where = f"pack.yaml: interpretations[{i}]"
        if not isinstance(item, dict):
            findings.append(f"{where}: must be a mapping")
            continue
        _check_keys(findings, where, item, INTERPRETATION_KEYS)
        setting = str(item.get("setting", ""))
        if setting and setting not in view:
            findings.append(f"{where}: setting {setting!r} is not in thresholds.yaml")
        elif setting and "values" in item:
            _check_values(findings, where, item, view.get(setting))
        rules = item.get("rules") or []
        for rid in rules:
            if rid not in rule_ids:
                findings.append(f"{where}: names unknown rule {rid!r}")
        result.append(
            Interpretation(
                id=str(item.get("id", "")),
                setting=setting,
                default=item.get("default"),
                rule_ids=tuple(rules),
                text=_text(findings, f"{where}.text", item.get("text")),
            )
        )
    return result


def load_pack(directory: str | Path, lock: PackLock | None = None, settings: dict[str, Any] | None = None) -> Pack:
    """The pack in `directory`, checked and compiled; PackLoadError lists every finding.

    With a `lock`, the pack's files must match their pinned digests before any script runs.
    `settings` replaces thresholds.yaml values by dotted key (`{"grade.cumulative": False}`): an
    interpretation's alternative reading, as a fixture case asks for it; every check still applies.
    """
    directory = Path(directory).resolve()
    slug = re.sub(r"\W", "_", directory.name)
    private_package = f"_policyhub_pack_{slug}_{next(_package_names)}"
    try:
        return _load(directory, private_package, lock, settings or {})
    except BaseException:
        _forget_package(private_package)  # a refused pack leaves no modules behind
        raise


def _load(directory: Path, private_package: str, lock: PackLock | None, settings: dict[str, Any]) -> Pack:
    findings: list[str] = []
    manifest = _read_yaml(findings, directory / "pack.yaml")
    thresholds = _read_yaml(findings, directory / "thresholds.yaml")
    if findings:
        raise PackLoadError(str(directory), findings)

    _check_keys(findings, "pack.yaml", manifest, MANIFEST_KEYS)
    pack_id = str(manifest.get("id", ""))
    if not PACK_ID.match(pack_id):
        findings.append(f"pack.yaml: id must be lower_snake_case, got {pack_id!r}")
    version = str(manifest.get("version", ""))
    if not SEMVER.match(version):
        findings.append(f"pack.yaml: version must be semver MAJOR.MINOR.PATCH, got {version!r}")
    effective_from = _date(findings, "pack.yaml: effective_from", manifest.get("effective_from"))
    effective_to = None
    if manifest.get("effective_to") is not None:
        effective_to = _date(findings, "pack.yaml: effective_to", manifest.get("effective_to"))
    if effective_from and effective_to and effective_to < effective_from:
        findings.append("pack.yaml: effective_to is before effective_from")
    title = _text(findings, "pack.yaml: title", manifest.get("title"))
    issuing_body = _text(findings, "pack.yaml: issuing_body", manifest.get("issuing_body"))
    description = {"zh": "", "en": ""}
    if "description" in manifest:
        description = _text(findings, "pack.yaml: description", manifest["description"])
    if not manifest.get("locality"):
        findings.append("pack.yaml: locality must not be empty")
    if not isinstance(manifest.get("reads_history", False), bool):
        findings.append("pack.yaml: reads_history must be true or false")
    contents = pack_contents(directory)  # read before any script runs: the version that is loaded
    if lock is not None and not findings:
        tampered = lock.check(f"{pack_id}@{version}", directory)
        if tampered:  # refuse before importing a single rule script
            raise PackLoadError(str(directory), [f"integrity: {f}" for f in tampered])

    thresholds, sources = split_threshold_sources(findings, thresholds)
    thresholds = with_settings(findings, thresholds, settings)
    libraries = _libraries(findings, manifest.get("uses"))
    rules_file = directory / RULES_FILE
    has_scripts = (directory / "rules").is_dir()
    modules = _import_rule_scripts(findings, directory / "rules", private_package) if has_scripts or not (
        rules_file.is_file() or libraries) else []
    rules, derives = _collect(modules)
    message_fields: dict[str, dict[str, Callable]] = {}
    for module in modules:
        for value in vars(module).values():
            field_spec = message_field_spec(value)
            if field_spec is not None:
                message_fields.setdefault(field_spec[0], {})[field_spec[1]] = value
    for library in libraries:
        for fn in library.derives:
            spec = derive_spec(fn)
            field_spec = message_field_spec(fn)
            if field_spec is not None:
                message_fields.setdefault(field_spec[0], {})[field_spec[1]] = fn
            elif spec is None:
                findings.append(f"library {library.name}: {fn!r} is neither a @derive nor a @message_field function")
            else:
                derives.append(DeriveFunction(f"{library.name}.{fn.__name__}", fn, spec))
    rule_files = [(f"{library.name}:{path.name}", path) for library in libraries for path in library.rule_files]
    if rules_file.is_file():
        rule_files.append((RULES_FILE, rules_file))
    before = len(findings)
    data = load_rule_files(findings, _read_rule_files(findings, rule_files), flatten(thresholds), sources,
                           pack_id=pack_id)
    rule_data_refused = len(findings) > before
    for fact_type, name in sorted(data.message_fields):
        if name not in message_fields.get(fact_type, {}):
            findings.append(f"facts.{fact_type}.{name}: a message field, but no @message_field({fact_type!r}, "
                            f"{name!r}) function makes it")
    rules = sorted(rules + data.rules, key=lambda r: r.id)
    derives = sorted(derives, key=lambda d: d.name)
    if not rules:
        findings.append("rules/: no Rule found")
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            findings.append(f"rule {rule.id}: defined twice")
        seen.add(rule.id)
        _check_rule(findings, pack_id, rule)
    # A rule refused above reads thresholds nobody knows of: they are not reported as unread.
    _check_thresholds(findings, thresholds, rules, derives, report_unread=not rule_data_refused)
    interpretations = _interpretations(findings, manifest.get("interpretations"), thresholds, seen)

    view = Thresholds(thresholds)
    built: dict[int, list] = {}  # rule index -> its (condition, branch) pairs; None: always holds
    for index, rule in enumerate(rules):
        if rule.spec is not None:
            built[index] = [(None if branch.always else branch.engine, branch) for branch in rule.spec.branches]
            continue
        try:
            built[index] = [(rule.when(view.restricted(rule.thresholds, f"rule {rule.id}")), None)]
        except Exception as exc:  # ThresholdError above all
            findings.append(f"rule {rule.id}: condition does not build: {type(exc).__name__}: {exc}")
    if findings:
        raise PackLoadError(str(directory), findings)
    rulesets: dict[str, KindRules] = {}
    originals = frozenset(data.schemas) - frozenset(KINDS)
    try:
        for kind in KINDS:
            indices = [i for i, rule in enumerate(rules) if kind in rule.kinds]
            if indices:
                rulesets[kind] = KindRules.build(f"{pack_id}@{version}/{kind}", built, indices, originals)
    except Exception as exc:
        for kind_rules in rulesets.values():
            kind_rules.ruleset.close()
        raise PackLoadError(str(directory), [f"rules do not compile in durable_rules: {exc}"]) from None

    return Pack(
        id=pack_id,
        version=version,
        title=title,
        locality=str(manifest["locality"]),
        issuing_body=issuing_body,
        document_number=str(manifest.get("document_number") or ""),
        source_seed=str(manifest.get("source_seed", "")),
        effective_from=effective_from,  # type: ignore[arg-type]
        effective_to=effective_to,
        description=description,
        interpretations=interpretations,
        thresholds_data=thresholds,
        rules=rules,
        derives=derives,
        directory=directory,
        rulesets=rulesets,
        private_package=private_package,
        threshold_sources=sources,
        shapes={k: v for k, v in data.shapes.items() if v},
        submission_kinds=frozenset(data.submission_kinds),
        uses=tuple(library.name for library in libraries),
        message_fields=message_fields,
        files=contents,
        digest=tree_digest(file_digests(contents)),
        reads_history=manifest.get("reads_history") is True,
    )


@dataclass
class KindRules:
    """One kind's rules in the engine: its ruleset, and for each of its conditions the rule (its
    index in `Pack.rules`) and the data branch (or None) it stands for."""

    ruleset: CompiledRuleset
    entries: list[tuple[int, Any]]
    # fact type -> the (rule index, branch) pairs that hold for every fact of that type (no condition)
    always: dict[str, list[tuple[int, Any]]]
    # some rule has branches of which the first that holds decides (a grade rule's)
    first_match: bool

    @classmethod
    def build(cls, label: str, built: dict[int, list], indices: list[int], originals: frozenset[str]) -> "KindRules":
        conditions: list = []
        entries: list[tuple[int, Any]] = []
        always: dict[str, list[tuple[int, Any]]] = {}
        for index in indices:
            for condition, branch in built[index]:
                if condition is None:  # holds for every fact of its type: no engine condition to test
                    always.setdefault(branch.fact_type, []).append((index, branch))
                    continue
                conditions.append(condition)
                entries.append((index, branch))
        first_match = bool(always) or any(branch is not None and branch.group for _, branch in entries)
        return cls(CompiledRuleset(label, conditions, originals=originals), entries, always, first_match)


RULES_FILE = "rules.yaml"
SOURCE_KEYS = {"value", "clause", "quote"}


def with_settings(findings: list[str], thresholds: dict, settings: dict[str, Any]) -> dict:
    """thresholds with each setting's key (dotted, a leaf of thresholds.yaml) given the setting's value."""
    if not settings:
        return thresholds
    import copy

    changed = copy.deepcopy(thresholds)
    leaves = flatten(thresholds)
    for key, value in settings.items():
        if key not in leaves:
            findings.append(f"settings: {key!r} is not a threshold of thresholds.yaml")
            continue
        node = changed
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return changed


def split_threshold_sources(findings: list[str], data: dict, prefix: str = "") -> tuple[dict, dict]:
    """thresholds.yaml's values, and the sources of those written {value, clause, quote}."""
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "value" in value and set(value) <= SOURCE_KEYS:
            values[key] = value["value"]
            source = {k: value[k] for k in ("clause", "quote") if k in value}
            if not all(isinstance(v, str) and v for v in source.values()):
                findings.append(f"thresholds.yaml: {path}: clause and quote are text")
            sources[path] = {k: str(v) for k, v in source.items()}
        elif isinstance(value, dict) and value:
            inner, inner_sources = split_threshold_sources(findings, value, path + ".")
            values[key] = inner
            sources.update(inner_sources)
        else:
            values[key] = value
    return values, sources


def _libraries(findings: list[str], uses: Any) -> list:
    if uses is None:
        return []
    from .libraries import LibraryError, available

    if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
        findings.append("pack.yaml: uses: a list of rule library names")
        return []
    try:
        known = available()
    except LibraryError as exc:
        findings.append(f"pack.yaml: uses: {exc}")
        return []
    found = []
    for name in uses:
        if name not in known:
            findings.append(f"pack.yaml: uses: unknown rule library {name!r} (known: {', '.join(sorted(known))})")
        else:
            found.append(known[name])
    return found


def _read_rule_files(findings: list[str], files: list[tuple[str, Path]]) -> list[tuple[str, dict]]:
    out = []
    for name, path in files:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except Exception as exc:
            findings.append(f"{name}: not valid YAML: {exc}")
            continue
        out.append((name, data if data is not None else {}))
    return out
