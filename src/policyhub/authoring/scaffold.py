"""`policyhub pack new LOCALITY [--from PACK]`: a new pack directory for an author to fill in.

The directory is a distribution of its own (pyproject.toml with the `policyhub.packs` entry
point, `pip install` makes the service find it), with pack.yaml, thresholds.yaml, rules.yaml
(the rules as data; rules/*.py only where a rule needs a measurement written in Python) and
fixtures/, and regulation.md for the regulation's text. Every place the author must act carries a TODO, and `policyhub pack check` lists
each TODO left as a finding, so the new pack passes the check once they are all resolved.

With `--from PACK` (the common case: a county adopts its city's regulation with its own dates
and numbers) the new pack starts as a copy of PACK: its thresholds, interpretations, rule
scripts, fixtures and text (regulation.md, marked to be replaced by the new one's), with PACK's id replaced by the new id (rule ids must begin with the pack's
own id) and PACK's locality by the new one in the fixtures' requests. The copy passes its
fixtures as it stands; changing a date or a number means reviewing the cases that exercise it.
Without `--from`, the pack holds one example rule (a pledge deadline, in rules.yaml, no Python)
with its cases.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..packs.pack import PACK_ID, Pack

VERSION = "1.0.0"
# The manifest keys `pack new` writes itself; any other top-level block of the source is kept.
_OWN_KEYS = ("id", "version", "title", "locality", "issuing_body", "document_number", "source_seed",
             "effective_from", "effective_to", "description")


class ScaffoldError(ValueError):
    """The pack cannot be made as asked (a bad id, a directory in the way)."""


def default_id(locality: str, source: Pack | None) -> str:
    year = source.effective_from.year if source else dt.date.today().year
    return f"{locality}_{year}"


def scaffold(locality: str, directory: Path, pack_id: str, source: Pack | None = None) -> list[Path]:
    """Write the new pack into `directory` (absent or empty); return the files written."""
    if not PACK_ID.match(pack_id):
        raise ScaffoldError(f"pack id {pack_id!r} must be lower_snake_case (letters, digits, _), e.g. cixi_2012")
    if not locality.strip():
        raise ScaffoldError("the locality must not be empty")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ScaffoldError(f"{directory} exists and is not an empty directory")
    if source is not None and source.id == pack_id:
        raise ScaffoldError(f"the new pack needs an id of its own, not {source.id!r} (use --id)")
    files = {
        "pyproject.toml": _pyproject(pack_id, locality, source),
        "__init__.py": _hook(pack_id),
    }
    if source is None:
        files.update(_skeleton(pack_id, locality))
    else:
        files.update(_copy(pack_id, locality, source))
    written = []
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _package(pack_id: str) -> str:
    return f"policyhub_pack_{pack_id}"


def _pyproject(pack_id: str, locality: str, source: Pack | None) -> str:
    package = _package(pack_id)
    origin = f", adapted from {source.ref}" if source else ""
    return f'''[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "policyhub-pack-{pack_id.replace("_", "-")}"
version = "{VERSION}"
description = "policyhub pack {pack_id}: the regulation of {locality}{origin}"
requires-python = ">=3.11,<3.13"
# Needs policyhub installed beside it.
dependencies = []

[project.entry-points."policyhub.packs"]
{pack_id} = "{package}"

[tool.setuptools]
packages = ["{package}"]
package-dir = {{ "{package}" = "." }}

[tool.setuptools.package-data]
{package} = ["*.yaml", "regulation.md", "rules/*.py", "fixtures/*.yaml", "fixtures/*.json"]
'''


def _hook(pack_id: str) -> str:
    return f'''"""The {pack_id} policy pack: tells policyhub where its files are."""

from pathlib import Path

from policyhub.rules import hookimpl


@hookimpl
def policyhub_pack_paths():
    return [Path(__file__).parent]
'''


def _manifest(pack_id: str, locality: str, start: dt.date, end: dt.date | None, rest: str = "") -> str:
    until = (f"effective_to: {end.isoformat()}  # TODO: its last day in force, or delete the line if open-ended"
             if end else "# TODO: effective_to: its last day in force, if it has one")
    return f"""# TODO: fill in each field marked TODO from {locality}'s regulation, then delete the TODO marks.
id: {pack_id}
version: {VERSION}
title:
  zh: TODO 文件标题
  en: TODO the document's title in English
locality: {locality}
issuing_body:
  zh: TODO 发文机关
  en: TODO the issuing body in English
document_number: TODO 文号 (delete the line if the document has none)
source_seed: TODO where the document's text comes from
effective_from: {start.isoformat()}  # TODO: the day the regulation takes effect
{until}
description:
  zh: TODO 一句话说明本规则包检查什么
  en: TODO one sentence on what the pack checks
{rest}"""


# --- a copy of another pack ------------------------------------------------------------------


def _renamer(source: Pack, pack_id: str):
    """Text with the source's id (and id@version) replaced by the new id."""
    exact_ref = re.compile(rf"\b{re.escape(source.id)}@{re.escape(source.version)}\b")
    word = re.compile(rf"\b{re.escape(source.id)}\b")
    return lambda text: word.sub(pack_id, exact_ref.sub(f"{pack_id}@{VERSION}", text))


def _top_level_blocks(text: str) -> list[tuple[str | None, str]]:
    """A YAML mapping's text cut into (top-level key, its lines); comments stay with what follows."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    pending: list[str] = []
    for line in text.splitlines(keepends=True):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            blocks.append((match[1], pending + [line]))
            pending = []
        elif line.startswith("#") or not line.strip():
            pending.append(line)
        else:
            blocks[-1][1].extend(pending + [line])
            pending = []
    blocks[-1][1].extend(pending)
    return [(key, "".join(lines)) for key, lines in blocks]


def _copy(pack_id: str, locality: str, source: Pack) -> dict[str, str]:
    rename = _renamer(source, pack_id)
    origin = f"{source.ref} ({source.document})"
    files: dict[str, str] = {}

    kept = [text for key, text in _top_level_blocks((source.directory / "pack.yaml").read_text(encoding="utf-8"))
            if key is not None and key not in _OWN_KEYS]
    rest = ""
    if kept:
        rest = (f"# TODO: {origin}'s interpretations: keep those {locality}'s text leaves open as well, "
                "reword or delete the others.\n" + rename("".join(kept)))
    files["pack.yaml"] = _manifest(pack_id, locality, source.effective_from, source.effective_to, rest)

    thresholds = (source.directory / "thresholds.yaml").read_text(encoding="utf-8")
    files["thresholds.yaml"] = (
        f"# TODO: {origin}'s numbers, dates and lists: set each to {locality}'s regulation and cite its clause.\n"
        + rename(thresholds)
    )

    rules_data = source.directory / "rules.yaml"
    if rules_data.is_file():
        files["rules.yaml"] = (
            f"# TODO: {origin}'s rules: check each rule, its clause, its condition and its messages against "
            f"{locality}'s regulation; delete or add rules as it says.\n" + rename(rules_data.read_text(encoding="utf-8"))
        )
    for script in sorted((source.directory / "rules").glob("*.py")):
        kind = "measurements (what the rules in rules.yaml compare)" if rules_data.is_file() else "rules"
        files[f"rules/{script.name}"] = (
            f"# TODO: {origin}'s {kind}: check each against {locality}'s regulation; delete or add as it says.\n"
            + rename(script.read_text(encoding="utf-8"))
        )

    locality_field = re.compile(rf"""(["']?locality["']?\s*:\s*["']?){re.escape(source.locality)}\b""")
    for case_file in sorted((source.directory / "fixtures").glob("*")):
        if case_file.suffix not in (".yaml", ".yml", ".json") or not case_file.is_file():
            continue
        text = locality_field.sub(lambda m: m[1] + locality, rename(case_file.read_text(encoding="utf-8")))
        if case_file.suffix != ".json":  # JSON has no comments
            text = (f"# TODO: {origin}'s cases, made {locality}'s: bring their dates and numbers in line with "
                    f"{locality}'s thresholds; keep cases at, just inside and just outside each threshold.\n" + text)
        files[f"fixtures/{case_file.name}"] = text

    regulation = source.directory / "regulation.md"
    if regulation.is_file():
        files["regulation.md"] = _regulation_copy(regulation.read_text(encoding="utf-8"), rename, origin, locality)
    return files


def _regulation_copy(text: str, rename, origin: str, locality: str) -> str:
    """The source's text, with a TODO to put the new regulation's in its place (keeping the anchors rules cite)."""
    todo = (f"<!-- TODO {origin}'s text: put {locality}'s regulation in its place, one heading per clause, "
            "each ending in {#label} with the label its rules cite in clause=. -->\n\n")
    if text.startswith("---\n") and "\n---\n" in text[4:]:
        end = text.index("\n---\n", 4) + len("\n---\n")
        return rename(text[:end]) + "\n" + todo + text[end:].lstrip("\n")
    return todo + text


# --- a pack from nothing ---------------------------------------------------------------------


def _skeleton(pack_id: str, locality: str) -> dict[str, str]:
    year = dt.date.today().year
    files = {"pack.yaml": _manifest(pack_id, locality, dt.date(year, 1, 1), dt.date(year, 12, 31))}
    files["regulation.md"] = f"""---
pack: {pack_id}
title: TODO 文件标题
document_number: TODO 文号 (delete the line if the document has none)
source: TODO where the text comes from (a file, a web address)
---

<!-- TODO {locality}'s regulation as published, unchanged: the title as the one # heading, then one heading per
clause (## 一、二、三…, ### 1、2、3 or （一）（二）…), each ending in {{#label}} with the label its rules cite in
clause= (e.g. {{#三、2}}); the clause's text below its heading. `policyhub pack check` names a rule whose clause
no anchor matches. -->

# 文件标题

## 一 {{#一}}

TODO 第一部分的原文。
"""
    files["thresholds.yaml"] = f"""# Every number, date and word list the rules read, each with the clause it comes from.
pledge:
  # TODO: an example: pledges are published by this day; its clause and the document's words.
  deadline: {{value: {year}-03-31, clause: TODO 三、2, quote: TODO 原文}}
"""
    files["rules.yaml"] = f"""# The rules, as data: each compares the submission's fields (or a measurement's) with thresholds.yaml.
# TODO: the rules of {locality}'s regulation. The rule below is an example to adapt or replace; the README's
# "Write a pack for your locality" shows a count, a share and a required segment too.
rules:
  - id: {pack_id}.pledge.deadline
    clause: "TODO"  # the clause of the document this rule comes from, e.g. 三、2
    kinds: [pledge]
    for: pledge                                  # the pledge's own fields (vocabulary.md)
    when: published_at > pledge.deadline
    severity: error
    path: pledge.published_at
    message:
      zh: 承诺须在规定期限前公开，实际公开日期：{{published_at}}
      en: "The pledge must be made public by the deadline; published: {{published_at}}"
"""
    files["fixtures/pledge.yaml"] = f"""# For each rule a case where it fires and one where it does not; for each threshold cases at its
# value, just inside and just outside it.
# TODO: cases from {locality}'s own paperwork in place of these examples.
cases:
  - name: published on the deadline is in time
    request: {{locality: {locality}, date: {year}-03-31, pledge: {{pledger: member, published_at: {year}-03-31}}}}
    expect: {{compliant: true, violations_exclude: [{pack_id}.pledge.deadline]}}
  - name: published the day before the deadline is in time
    request: {{locality: {locality}, date: {year}-03-30, pledge: {{pledger: member, published_at: {year}-03-30}}}}
    expect: {{compliant: true, violations_exclude: [{pack_id}.pledge.deadline]}}
  - name: published the day after the deadline is late
    request: {{locality: {locality}, date: {year}-04-01, pledge: {{pledger: member, published_at: {year}-04-01}}}}
    expect: {{compliant: false, violations_include: [{pack_id}.pledge.deadline]}}
"""
    return files
