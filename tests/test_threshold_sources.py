"""A threshold written {value, clause, quote} cites its regulation truly: the clause is a section of
the pack's regulation.md and the quote's words stand in that section (its sub-clauses included), in
order, where "……" marks words left out (compared word for word: punctuation, spaces and full or half
width aside, as seeds write either)."""

import re
from pathlib import Path

import pytest

from policyhub.packs.pack import load_pack
from policyhub.rules.pledges import normalized

PACKS = sorted(p for p in (Path(__file__).resolve().parents[1] / "policy_packs").iterdir() if (p / "pack.yaml").is_file())
ANCHOR = re.compile(r"\{#([^}]+)\}")


def section(regulation: str, clause: str) -> str:
    """The clause's section: from its heading line (a heading may hold the quoted words, e.g. a stage's
    dates) to the next heading that is not one of its sub-clauses."""
    anchors = [(m.group(1), regulation.rfind("\n", 0, m.start()) + 1) for m in ANCHOR.finditer(regulation)]
    starts = [pos for name, pos in anchors if name == clause]
    assert starts, f"no section {{#{clause}}}"
    after = [pos for name, pos in anchors if pos > starts[0] and not name.startswith(clause + "、")]
    return regulation[starts[0]:after[0] if after else len(regulation)]


@pytest.mark.parametrize("directory", PACKS, ids=[p.name for p in PACKS])
def test_each_sourced_threshold_quotes_its_clause(directory):
    pack = load_pack(directory)
    regulation = (directory / "regulation.md").read_text(encoding="utf-8")
    for key, source in pack.threshold_sources.items():
        text = normalized(section(regulation, source["clause"]))
        position = 0
        for part in filter(None, map(normalized, re.split(r"…+", source.get("quote", "")))):
            found = text.find(part, position)
            assert found >= 0, f"{pack.id}: {key}: {part!r} is not in {source['clause']} (after what precedes it)"
            position = found + len(part)
