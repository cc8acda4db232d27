"""`policyhub pack check PATH...`: lint pack directories before publishing them.

Each finding is one line, `path: finding`. A pack is checked for:
- everything `load_pack` checks: the manifest's keys and values, thresholds that are read but
  not defined or defined but read by nobody, rule ids (unique, `<pack id>.<kind>.<slug>` or
  `core.…`), a clause to cite on every rule, zh and en messages on every rule that reports a
  violation, interpretation settings with `values:` holding one of them, and that the rules
  compile in durable_rules;
- TODO markers left in its files (`policyhub pack new` writes them where an author must act);
- settings the core reads from a fixed set (`ballot.share_base`, `ballot.grade_fallback`) and
  scheme names (`…scheme`) that name a scheme of `ballot.schemes`;
- its effective period: dates in thresholds.yaml within it, and no overlap with a pack of
  another id for the same locality (among the installed packs and the ones checked). Versions
  of one pack id may overlap: they are revisions, and the newest in force wins;
- pyproject.toml, when there is one: the `policyhub.packs` entry point, package data that ships
  the pack's files, and the pack's version;
- its fixtures: well-formed, unique case names, every case passing, and every rule with a case
  where it fires and one where it runs without firing;
- its regulation.md (the regulation's text, `regulation.py`): readable, every clause heading with
  an anchor of its own, and every rule citing the pack's document naming at least one anchor. A
  pack without the text is only warned about: it evaluates the same, the explorer just has no
  text to link its rules to.

`check` returns the findings; `check_with_warnings` the findings and the warnings.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..domain.caseio import load_file, load_yaml
from ..domain.errors import PackLoadError
from ..packs.pack import MANIFEST_KEYS, Pack, load_pack
from .regulation import FILE_NAME as REGULATION, RegulationError, parse_regulation
from ..rules.ballots import SHARE_BASES
from ..rules.shuangshu import GRADE_FALLBACKS
from ..rules.thresholds import flatten

# Settings the core's shared derive functions read, and the values they handle.
CORE_CHOICES = {"ballot.share_base": SHARE_BASES, "ballot.grade_fallback": GRADE_FALLBACKS}
CASE_KEYS = ("name", "request", "expect", "settings")
PACK_FILES = ("pack.yaml", "thresholds.yaml", "rules/x.py", "fixtures/x.yaml")
_TODO = re.compile(r"\bTODO\b")
_FILE_PREFIX = re.compile(r"^(pack\.yaml|thresholds\.yaml|rules\.yaml|pyproject\.toml|regulation\.md|rules/[^:]*|fixtures/[^:]*)(:|$)")
_UNKNOWN_THRESHOLD = re.compile(r"^thresholds\.yaml: unknown key '([^']+)'")
_UNKNOWN_MANIFEST = re.compile(r"^pack\.yaml: unknown key '([^']+)'$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class PackReport:
    """The findings of one pack directory (as given on the command line)."""

    directory: Path
    findings: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pack: Pack | None = None

    def add(self, finding: str, warning: bool = False) -> None:
        """`finding` as 'file: text' or plain text; made into a line under the pack's directory."""
        base = str(self.directory).rstrip("/")
        line = f"{base}/{finding}" if _FILE_PREFIX.match(finding) else f"{base}: {finding}"
        (self.warnings if warning else self.findings).append(line)


def check(paths: Iterable[str | Path], installed: bool = True) -> list[str]:
    """Every finding of every pack directory in `paths`, one line each; empty when all pass."""
    return check_with_warnings(paths, installed)[0]


def check_with_warnings(paths: Iterable[str | Path], installed: bool = True) -> tuple[list[str], list[str]]:
    """(findings, warnings) of every pack directory in `paths`: a warning does not fail a pack."""
    reports = [PackReport(Path(p)) for p in paths]
    for report in reports:
        _check_files(report)
        _load(report)
        _check_regulation(report)
    loaded = [r for r in reports if r.pack is not None]
    others = _installed_packs(loaded) if installed else []
    _check_periods(loaded, others)
    if loaded:
        _check_fixtures(loaded, others)
    return [line for r in reports for line in r.findings], [line for r in reports for line in r.warnings]


# --- files -----------------------------------------------------------------------------------


def _pack_files(directory: Path) -> list[Path]:
    files = [directory / name for name in ("pack.yaml", "thresholds.yaml", "rules.yaml", "pyproject.toml", "__init__.py",
                                           REGULATION)]
    files += sorted((directory / "rules").glob("*.py")) + sorted((directory / "fixtures").glob("*"))
    return [f for f in files if f.is_file()]


def _check_files(report: PackReport) -> None:
    if not (report.directory / "pack.yaml").is_file():
        report.add("not a pack directory (no pack.yaml)")
        return
    for path in _pack_files(report.directory):
        relative = path.relative_to(report.directory).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if _TODO.search(line):
                report.add(f"{relative}:{number}: {line.strip()[:160]}")
    _check_pyproject(report)


def _check_pyproject(report: PackReport) -> None:
    path = report.directory / "pyproject.toml"
    if not path.is_file():
        return  # a pack loaded with --pack-path needs none
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        report.add(f"pyproject.toml: not valid TOML: {exc}")
        return
    if not (data.get("project", {}).get("entry-points", {}).get("policyhub.packs")):
        report.add("pyproject.toml: no entry point in the group policyhub.packs: policyhub will not find the installed pack")
    patterns = [p for globs in (data.get("tool", {}).get("setuptools", {}).get("package-data") or {}).values() for p in globs]
    needs = PACK_FILES + ((REGULATION,) if (report.directory / REGULATION).is_file() else ())
    for needed in needs:
        if not any(_ships(needed, p) for p in patterns):
            report.add(f"pyproject.toml: [tool.setuptools.package-data] does not ship {needed.replace('x.', '*.')}")
    manifest = _read(report.directory / "pack.yaml")
    version = data.get("project", {}).get("version")
    if isinstance(manifest, dict) and version and str(manifest.get("version")) != str(version):
        report.add(f"pyproject.toml: version {version} differs from pack.yaml's {manifest.get('version')}")


def _ships(path: str, pattern: str) -> bool:
    """Whether a package-data glob takes `path` ("*.yaml" takes pack.yaml, not fixtures/x.yaml)."""
    if "**" in pattern:
        return fnmatch.fnmatch(path, pattern)
    parts, globs = path.split("/"), pattern.split("/")
    return len(parts) == len(globs) and all(fnmatch.fnmatch(a, g) for a, g in zip(parts, globs))


def _read(path: Path):
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except Exception:  # load_pack reports it
        return None


# --- what load_pack checks, and settings ------------------------------------------------------


def _load(report: PackReport) -> None:
    if not (report.directory / "pack.yaml").is_file():
        return
    try:
        report.pack = load_pack(report.directory)
    except PackLoadError as exc:
        for finding in exc.findings:
            report.add(_with_hint(finding))
        return
    _check_settings(report, report.pack)


def _with_hint(finding: str) -> str:
    """Say where a misplaced key belongs."""
    match = _UNKNOWN_THRESHOLD.match(finding)
    if match and match[1].split(".")[0] in MANIFEST_KEYS:
        return f"{finding}; {match[1].split('.')[0]!r} belongs in pack.yaml"
    match = _UNKNOWN_MANIFEST.match(finding)
    if match:
        return f"{finding}; pack.yaml takes {', '.join(MANIFEST_KEYS)}: numbers, dates and lists go in thresholds.yaml"
    return finding


def _check_settings(report: PackReport, pack: Pack) -> None:
    values = flatten(pack.thresholds_data)
    for key, allowed in CORE_CHOICES.items():
        if key in values and values[key] not in allowed:
            report.add(f"thresholds.yaml: {key}: {values[key]!r} is not one of {list(allowed)}")
    schemes = pack.thresholds_data.get("ballot", {}).get("schemes")
    if isinstance(schemes, dict):
        for key, value in values.items():
            parts = key.split(".")
            named = parts[-1] == "scheme" or parts[-1].endswith("_scheme") or "default_scheme" in parts[:-1]
            if named and isinstance(value, str) and value not in schemes:
                report.add(f"thresholds.yaml: {key}: {value!r} is not a scheme of ballot.schemes ({', '.join(schemes)})")


# --- the regulation's text ----------------------------------------------------------------------


def _check_regulation(report: PackReport) -> None:
    """regulation.md reads as clauses, and each rule citing the pack's document names one of them."""
    if not (report.directory / "pack.yaml").is_file():
        return
    path = report.directory / REGULATION
    if not path.is_file():
        report.add(f"no {REGULATION}: the rules' clauses cannot be linked to the regulation's text "
                   "(README, “Write a pack”: the regulation's text)", warning=True)
        return
    try:
        regulation = parse_regulation(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        report.add(f"{REGULATION}: not UTF-8 text: {exc}")
        return
    except RegulationError as exc:
        for finding in exc.findings:
            report.add(f"{REGULATION}: {finding}")
        return
    pack = report.pack
    if pack is None:
        return
    for rule in pack.rules:
        if rule.document and rule.document != pack.document:
            continue  # it cites another document (the core's own checks)
        if not regulation.resolve(rule.clause):
            report.add(f"{REGULATION}: rule {rule.id} cites clause {rule.clause!r}, which names no clause "
                       f"anchor {{#…}} of {REGULATION}")


# --- periods ---------------------------------------------------------------------------------


def _installed_packs(checked: list[PackReport]) -> list[Pack]:
    """The installed packs, less those the checked directories are (the checked copy wins)."""
    from ..packs.registry import PackRegistry

    refs = {r.pack.ref for r in checked if r.pack}
    directories = {r.pack.directory for r in checked if r.pack}
    return [p for p in PackRegistry.discover().packs() if p.ref not in refs and p.directory not in directories]


def _overlap(a: Pack, b: Pack) -> bool:
    a_end, b_end = a.effective_to, b.effective_to
    return (b_end is None or a.effective_from <= b_end) and (a_end is None or b.effective_from <= a_end)


def _check_periods(checked: list[PackReport], others: list[Pack]) -> None:
    everyone = [r.pack for r in checked if r.pack] + others
    for report in checked:
        pack = report.pack
        assert pack is not None
        for key, value in sorted(flatten(pack.thresholds_data).items()):
            if isinstance(value, str) and _DATE.match(value) and not _within(pack, value):
                report.add(f"thresholds.yaml: {key}: {value} lies outside the pack's period {pack.period_text()}")
        for other in everyone:
            if other is pack:
                continue
            if other.ref == pack.ref:
                report.add(f"pack.yaml: {pack.ref} is provided twice (also {other.directory})")
            elif other.locality == pack.locality and other.id != pack.id and _overlap(pack, other):
                report.add(
                    f"pack.yaml: in force {pack.period_text()}, overlapping {other.ref} ({other.period_text()}) "
                    f"of the same locality {pack.locality!r}: which governs a request would depend on load order"
                )


def _within(pack: Pack, text: str) -> bool:
    import datetime as dt

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return True  # load_pack or the rule scripts judge a date that is not one
    return pack.in_force(day)


# --- fixtures --------------------------------------------------------------------------------


def _check_fixtures(checked: list[PackReport], others: list[Pack]) -> None:
    """Run each checked pack's fixtures against the installed packs plus the checked ones."""
    from . import testing
    from .fixtures import case_files, load_cases
    from ..packs.registry import PackRegistry

    packs = {p.ref: p for p in others}
    packs.update({r.pack.ref: r.pack for r in checked if r.pack})
    registry = PackRegistry(packs.values())
    runner = testing.in_process_runner(registry)
    from .fixtures import Variants

    variants = Variants(registry)
    for report in checked:
        pack = report.pack
        assert pack is not None
        fixtures = report.directory / "fixtures"
        files = case_files([fixtures]) if fixtures.is_dir() else []
        if not files:
            report.add("fixtures/: no cases: every rule needs a case where it fires and one where it does not")
        results = []
        seen: dict[str, str] = {}
        for path in files:
            relative = path.relative_to(report.directory).as_posix()
            if not _well_formed(report, path, relative):
                continue
            try:
                cases = load_cases(path)
            except ValueError as exc:
                report.add(f"{relative}: {str(exc).replace(str(path), '').lstrip('#: ')}")
                continue
            for case in cases:
                if case.name in seen:
                    report.add(f"{relative}: case {case.name!r}: the name is used twice (also in {seen[case.name]})")
                seen[case.name] = relative
                try:
                    outcome, _ = testing.decide(case, runner, variants)
                except PackLoadError as exc:  # settings the pack cannot take
                    report.add(f"{relative}: case {case.name!r}: its settings: {'; '.join(exc.findings)}")
                    continue
                result = testing.CaseResult(case, outcome, _judge(case, outcome, registry))
                results.append(result)
                for problem in result.problems:
                    report.add(f"{relative}: case {case.name!r}: {problem}")
        rules = testing.coverage(results, registry).get(pack.ref, {r.id: testing.RuleCoverage() for r in pack.rules})
        for rule_id, c in sorted(rules.items()):
            if not c.fired:
                report.add(f"rule {rule_id}: no fixture case where it fires")
            if not c.silent:
                report.add(f"rule {rule_id}: no fixture case where it runs without firing")


def _judge(case, outcome, registry) -> list[str]:
    from .fixtures import judge, rules_of

    return judge(case, outcome, rules_of(registry, outcome))


def _well_formed(report: PackReport, path: Path, relative: str) -> bool:
    """Keys a case file may hold: `cases:`, and name/request/expect in each case."""
    try:
        data = load_file(path)
    except Exception as exc:
        report.add(f"{relative}: not valid YAML or JSON: {exc}")
        return False
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        report.add(f"{relative}: needs a top-level 'cases:' list")
        return False
    anchored = _anchor_holders(path) if path.suffix != ".json" else set()
    for key in data:
        if key != "cases" and key not in anchored:
            report.add(f"{relative}: unknown key {key!r} (a case file holds 'cases:' and YAML anchors for them)")
    for i, item in enumerate(data["cases"]):
        if isinstance(item, dict):
            for key in item:
                if key not in CASE_KEYS:
                    report.add(f"{relative}: cases[{i}]: unknown key {key!r} (a case has {', '.join(CASE_KEYS)})")
    return True


def _anchor_holders(path: Path) -> set[str]:
    """Top-level keys whose value defines YAML anchors (`base: {org: &org {...}}`): shared parts of cases."""
    import yaml

    holders: set[str] = set()
    depth, key, expect_key = 0, None, False
    for event in yaml.parse(path.read_text(encoding="utf-8")):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if depth == 1 and expect_key:  # a key that is a collection: not one of ours
                expect_key = False
            elif depth >= 1 and key is not None and event.anchor:
                holders.add(key)
            depth += 1
            if depth == 1:
                expect_key = True
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 1:
                expect_key = True
        elif isinstance(event, yaml.ScalarEvent):
            if depth == 1 and expect_key:
                key, expect_key = event.value, False
            else:
                if key is not None and event.anchor:
                    holders.add(key)
                if depth == 1:
                    expect_key = True
    return holders
