"""A pack's regulation text (`regulation.md`), clause by clause, and what a rule's citation names.

The file is Markdown: an optional YAML front block (`---` … `---`: `title`, `document_number`,
and whatever else the author notes, e.g. `issuing_body`, `date`, `source_seed`, `notes`), one
`#` heading with the document's title, then one heading per clause. A clause heading ends with
`{#<clause id>}`, where the id is exactly the label rules cite in `clause=` (`三、3`, `二(一)`,
`附件2`). Heading depth gives the hierarchy (`##` 一/二/三, `###` 1/2/3 or （一）, …); a clause's
parent is the nearest clause above it with a shallower heading. A clause's text is the Markdown
between its heading and the next heading. Text between the title and the first clause is the
preamble.

`Regulation.resolve(citation)` turns a rule's clause string into clause ids: the longest ids that
occur in it, leftmost first, without overlap (`二、四，三、6` → [二、四, 三、6]). Full-width and
half-width forms and white space do not matter (`二（一）` finds `二(一)`). Two short forms of
the regulations' own citing style are read as well: a range after a numbered clause
(`二(三)1–5` → 二(三)1 … 二(三)5, the ids that exist) and a bracketed sibling right after a
clause (`三(一)(二)` → 三(一), 三(二)).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILE_NAME = "regulation.md"

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_ANCHOR = re.compile(r"^(.*?)[ \t]*\{#([^{}]+)\}$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_RANGE_DASHES = "-–—~～至到"
_MAX_RANGE = 100  # a range names at most this many clauses: a typed "1-99999999" costs nothing
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


class RegulationError(ValueError):
    """A regulation.md that cannot be read as clauses; `findings` holds one line per problem."""

    def __init__(self, findings: list[str]) -> None:
        self.findings = findings
        super().__init__("; ".join(findings))


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    level: int
    parent: str | None
    text: str


@dataclass(frozen=True)
class Regulation:
    title: str
    document_number: str
    clauses: tuple[Clause, ...]
    # Beyond the clauses: the text between the title and the first clause, and the front block.
    preamble: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def by_id(self, clause_id: str) -> Clause | None:
        return self._index().get(clause_id)

    def children(self, clause_id: str | None) -> list[Clause]:
        """The clauses directly under `clause_id`, in order; `None` gives the top-level clauses."""
        return [c for c in self.clauses if c.parent == clause_id]

    def resolve(self, citation: str) -> list[str]:
        """The ids of the clauses `citation` names, in order of appearance; [] when it names none."""
        text = _normalized(citation)
        by_key = self._keys()
        longest = max((len(k) for k in by_key), default=0)
        found: list[str] = []
        i = 0
        while i < len(text):
            match = next((text[i : i + n] for n in range(min(longest, len(text) - i), 0, -1) if text[i : i + n] in by_key), None)
            if match is None:
                i += 1
                continue
            found.append(by_key[match])
            i += len(match)
            i = self._follow(text, i, match, by_key, found)
        return list(dict.fromkeys(found))

    # --- helpers -----------------------------------------------------------------------------

    def _index(self) -> dict[str, Clause]:
        index = self.__dict__.get("_by_id")
        if index is None:
            index = {c.id: c for c in self.clauses}
            object.__setattr__(self, "_by_id", index)
        return index

    def _keys(self) -> dict[str, str]:
        """Normalized id -> id."""
        keys = self.__dict__.get("_by_key")
        if keys is None:
            keys = {_normalized(c.id): c.id for c in self.clauses}
            keys.pop("", None)
            object.__setattr__(self, "_by_key", keys)
        return keys

    def _follow(self, text: str, i: int, key: str, by_key: dict[str, str], found: list[str]) -> int:
        """After a match `key` ending at `i`: take a range (`1–5`) or bracketed siblings (`(二)`)."""
        while i < len(text):
            number = _trailing_number(key)
            if number and text[i] in _RANGE_DASHES:
                digits, value, chinese = number
                end = _leading_number(text[i + 1 :], chinese)
                if end:
                    stem = key[: len(key) - len(digits)]
                    for n in range(value + 1, min(end[1], value + _MAX_RANGE) + 1):
                        sibling = stem + (_cn(n) if chinese else str(n))
                        if sibling in by_key:
                            found.append(by_key[sibling])
                    i += 1 + len(end[0])
                    key = stem + end[0]
                    continue
            bracket = re.match(r"\([^()]{1,4}\)", text[i:])
            stem = re.sub(r"\([^()]{1,4}\)$", "", key)
            if bracket and stem != key and stem + bracket[0] in by_key:
                key = stem + bracket[0]
                found.append(by_key[key])
                i += len(bracket[0])
                continue
            return i
        return i


def parse_regulation(markdown: str) -> Regulation:
    """The clauses of a regulation.md's text; RegulationError lists every problem found."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    meta, body_start, problems = _front_block(lines)
    title: str | None = None
    heads: list[tuple[str, str, int, int]] = []  # id, title, level, line index
    fence: str | None = None
    for index in range(body_start, len(lines)):
        line = lines[index]
        opener = _FENCE.match(line)
        if opener and (fence is None or opener[1][0] == fence[0]):
            fence = None if fence else opener[1]
            continue
        heading = None if fence else _HEADING.match(line)
        if not heading:
            continue
        level, content = len(heading[1]), heading[2]
        anchored = _ANCHOR.match(content)
        if anchored and anchored[2].strip():
            heads.append((anchored[2].strip(), anchored[1].strip(), level, index))
        elif level == 1 and title is None and not heads:
            title = content.strip()
        else:
            problems.append(f"line {index + 1}: heading {line.strip()!r} has no clause anchor {{#…}}")
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    open_: list[tuple[int, str]] = []  # (level, id) of the clauses enclosing the next one
    for n, (clause_id, heading_text, level, index) in enumerate(heads):
        if clause_id in seen:
            problems.append(f"line {index + 1}: duplicate anchor {{#{clause_id}}} (first on line {seen[clause_id] + 1})")
            continue
        seen[clause_id] = index
        while open_ and open_[-1][0] >= level:
            open_.pop()
        end = heads[n + 1][3] if n + 1 < len(heads) else len(lines)
        text = _block(lines[index + 1 : _next_heading(lines, index + 1, end)])
        clauses.append(Clause(clause_id, heading_text, level, open_[-1][1] if open_ else None, text))
        open_.append((level, clause_id))
    first = heads[0][3] if heads else len(lines)
    start = body_start
    for index in range(body_start, first):
        if _HEADING.match(lines[index]):
            start = index + 1
    preamble = lines[start:first]
    if problems:
        raise RegulationError(problems)
    return Regulation(
        title=str(meta.get("title") or title or ""),
        document_number=str(meta.get("document_number") or ""),
        clauses=tuple(clauses),
        preamble=_block(preamble),
        meta=meta,
    )


def load_regulation(pack_dir: Path) -> Regulation | None:
    """The pack's regulation.md, parsed; None when the pack has none."""
    path = Path(pack_dir) / FILE_NAME
    if not path.is_file():
        return None
    try:
        return parse_regulation(path.read_text(encoding="utf-8"))
    except RegulationError as exc:
        raise RegulationError([f"{path}: {f}" for f in exc.findings]) from None


# --- reading the file --------------------------------------------------------------------------


def _front_block(lines: list[str]) -> tuple[dict[str, Any], int, list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, 0, []
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            from ..domain.caseio import load_yaml  # dates stay strings

            try:
                data = load_yaml("\n".join(lines[1:end])) or {}
            except Exception as exc:  # a YAML error of any kind is the author's to fix
                return {}, end + 1, [f"front block: not valid YAML: {exc}"]
            if not isinstance(data, dict):
                return {}, end + 1, ["front block: must be a mapping (title: …, document_number: …)"]
            return data, end + 1, []
    return {}, 0, ["front block: opened with --- but never closed"]


def _next_heading(lines: list[str], start: int, end: int) -> int:
    """`end`, or the first unanchored heading before it outside a fence (already reported)."""
    fence = None
    for index in range(start, end):
        opener = _FENCE.match(lines[index])
        if opener and (fence is None or opener[1][0] == fence[0]):
            fence = None if fence else opener[1]
        elif fence is None and _HEADING.match(lines[index]):
            return index
    return end


def _block(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").rstrip()


# --- citations ---------------------------------------------------------------------------------


def _normalized(text: str) -> str:
    """`text` in NFKC (full-width forms made half-width) without white space."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def _trailing_number(key: str) -> tuple[str, int, bool] | None:
    match = re.search(r"(\d+)$", key)
    if match:
        return match[1], int(match[1]), False
    if key and key[-1] in _CN_DIGITS:
        return key[-1], _CN_DIGITS[key[-1]], True
    return None


def _leading_number(text: str, chinese: bool) -> tuple[str, int] | None:
    if chinese:
        return (text[0], _CN_DIGITS[text[0]]) if text and text[0] in _CN_DIGITS else None
    match = re.match(r"\d+", text)
    return (match[0], int(match[0])) if match else None


def _cn(n: int) -> str:
    return next((c for c, v in _CN_DIGITS.items() if v == n), str(n))
