"""core.pledges, a library of measurements: a pack naming it (`uses: [core.pledges]`) gets one
`pledge_item` fact per item (its length word for word, its repeats of last year's items) and writes
the rules that compare them; the library itself has no rule."""

from pathlib import Path

import pytest

from policyhub.domain.caseio import request_from_dict
from policyhub.domain.errors import PackLoadError
from policyhub.evaluation.evaluator import Evaluator, decision_to_dict
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry
from policyhub.packs.libraries import available

from tests.demo_packs import demo_manifest, write_demo_pack

MANIFEST = demo_manifest("demo_items", uses=("core.pledges",))
THRESHOLDS = "pledge:\n  min_item_chars: {value: 4, clause: 二, quote: 具体实在}\n"
RULES = """\
rules:
  - id: demo_items.pledge.short
    clause: 二
    kinds: [pledge]
    for: pledge_item
    when: chars < pledge.min_item_chars
    severity: warning
    message: {zh: "第{item}项只有{chars}字（至少{pledge.min_item_chars}字）", en: "Item {item}: {chars} characters"}
  - id: demo_items.pledge.repeated
    clause: 三
    kinds: [pledge]
    for: pledge_item
    when: repeats > 0
    severity: error
    message: {zh: "第{item}项与上年重复{repeats}次", en: "Item {item} repeats last year's {repeats} time(s)"}
"""


def pack_dir(tmp_path: Path, manifest: str = MANIFEST) -> Path:
    return write_demo_pack(tmp_path / "demo_items", manifest, THRESHOLDS, RULES)


def findings(tmp_path, items, previous=()):
    evaluator = Evaluator(PackRegistry([load_pack(pack_dir(tmp_path))]), observed=False)
    request = {"locality": "demo", "date": "2011-06-01",
               "pledge": {"items": [{"text": t} for t in items], "previous_items": [{"text": t} for t in previous]}}
    decision = decision_to_dict(evaluator.evaluate(request_from_dict(request)))
    return sorted((v["rule_id"].split(".")[-1], v["path"], v["message"]["zh"]) for v in decision["violations"])


def test_the_library_declares_a_fact_and_its_measure_but_no_rule():
    library = available()["core.pledges"]
    assert [fn.__name__ for fn in library.derives] == ["pledge_items"]
    assert "rules:" not in library.rule_files[0].read_text(encoding="utf-8")


def test_lengths_are_counted_word_for_word_and_the_threshold_shows_in_the_message(tmp_path):
    # “学 习，”: two characters once spaces and punctuation are taken out; four is the minimum
    assert findings(tmp_path, ["学 习，", "帮扶困难", "　\u200b"]) == [
        ("short", "pledge.items[0].text", "第1项只有2字（至少4字）"),
        ("short", "pledge.items[2].text", "第3项只有0字（至少4字）"),
    ]


def test_repeats_of_last_years_items_are_counted_word_for_word_and_blank_repeats_nothing(tmp_path):
    got = findings(tmp_path, ["帮扶 困难户。", "修建路灯五盏", "　"], previous=["帮扶困难户", "帮扶困难户！", "", "　"])
    assert [f for f in got if f[0] == "repeated"] == [("repeated", "pledge.items[0].text", "第1项与上年重复2次")]


def test_a_pack_not_naming_the_library_has_no_pledge_item_facts(tmp_path):
    with pytest.raises(PackLoadError) as caught:
        load_pack(pack_dir(tmp_path, MANIFEST.replace("uses: [core.pledges]\n", "")))
    assert any("for: 'pledge_item' is not a declared fact type" in f for f in caught.value.findings)
