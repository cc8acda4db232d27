"""Every bundled pack's regulation.md: true to its seed, citable by every rule, shipped and locked."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from policyhub.domain.caseio import load_yaml
from policyhub.packs.integrity import PackLock, pack_files
from policyhub.authoring.packcheck import _ships
from policyhub.authoring.regulation import load_regulation

ROOT = Path(__file__).resolve().parent.parent
PACKS_DIR = ROOT / "policy_packs"
# The seeds the texts come from, copied here so that CI (a clean clone) holds the texts to them too;
# beside the project's shared folder the copies are checked against the originals.
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
BUNDLED = sorted(p.name for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())

_SPACE = re.compile(r"\s+")
_ANCHOR = re.compile(r"\s*\{#[^{}]+\}\s*$")


def _squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def _front_and_body(pack_id: str) -> tuple[dict, list[str]]:
    text = (PACKS_DIR / pack_id / "regulation.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return load_yaml(front), body.splitlines()


def _seed_text(front: dict) -> str:
    """The seed (its `source_lines` when it holds several documents) as the file says it was edited;
    each declared edit must match exactly once."""
    seed = (SEEDS_DIR / front["source_seed"]).read_text(encoding="utf-8")
    if "source_lines" in front:
        first, last = front["source_lines"]
        seed = "\n".join(seed.split("\n")[first - 1 : last])
    for edit in front.get("edits") or []:
        assert seed.count(edit["seed"]) == 1, f"edit {edit['seed']!r} does not occur exactly once in the seed"
        assert edit.get("why"), f"edit {edit['seed']!r} says not why"
        seed = seed.replace(edit["seed"], edit["text"])
    return _squeezed(seed)


def _seed_pieces(lines: list[str]) -> list[str]:
    """The text the file claims comes from the seed: headings without their anchors, paragraphs and
    table cells, Markdown escapes and emphasis removed. Editorial lines (〔…〕 headings, notes) are left out."""
    pieces = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("> 〔编者注") or re.fullmatch(r"\|[-|\s]*\|", line):
            continue
        if line.startswith("#"):
            line = _ANCHOR.sub("", line.lstrip("#").strip())
            if line.startswith("〔") and line.endswith("〕"):
                continue
        line = line.replace(r"\*", "\0").replace("**", "").replace("\0", "*")
        cells = [c for c in line.strip("|").split("|")] if line.startswith("|") else [line]
        pieces += [_squeezed(c) for c in cells if _squeezed(c)]
    return pieces


@pytest.mark.parametrize("pack_id", BUNDLED)
def test_every_line_is_the_seeds_text_in_the_seeds_order_and_nothing_between_is_left_out(pack_id):
    front, body = _front_and_body(pack_id)
    seed = _seed_text(front)
    position, skipped = 0, []
    for piece in _seed_pieces(body):
        found = seed.find(piece, position)
        if found < 0:
            pytest.fail(f"{pack_id}: not in the seed after what comes before it: {piece[:60]!r}")
        if position and found > position:
            skipped.append(seed[position:found])
        elif not position and found:  # what precedes the first line: a label such as 第三篇:, declared
            assert len(seed[:found]) <= 10 and front.get("omitted"), f"{pack_id}: the seed's start is left out"
        position = found + len(piece)
    assert skipped == [], f"{pack_id}: seed text between two lines of regulation.md is missing"
    assert position == len(seed), f"{pack_id}: the seed's end is left out: {seed[position:][:60]!r}"


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="no ../shared/seeds beside this checkout")
@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS_DIR.glob("*.txt")))
def test_the_copied_seeds_are_the_originals(name):
    assert (SEEDS_DIR / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


@pytest.mark.parametrize("pack_id", BUNDLED)
def test_front_block_names_the_packs_document_and_seed(pack_id):
    front, _ = _front_and_body(pack_id)
    manifest = load_yaml((PACKS_DIR / pack_id / "pack.yaml").read_text(encoding="utf-8"))
    regulation = load_regulation(PACKS_DIR / pack_id)
    assert regulation.title == manifest["title"]["zh"]
    assert regulation.document_number == (manifest["document_number"] or "")
    assert front["source_seed"].split(".")[0] == manifest["source_seed"].split(".")[0]
    assert front["pack"] == pack_id


def test_every_rule_of_every_bundled_pack_cites_a_clause_of_its_regulation(registry):
    unresolved = []
    for pack in registry.packs():
        regulation = load_regulation(pack.directory)
        assert regulation is not None, f"{pack.ref} has no regulation.md"
        for rule in pack.rules:
            if rule.document and rule.document != pack.document:
                continue  # cites another document (the core's own checks)
            if not regulation.resolve(rule.clause):
                unresolved.append(f"{rule.id}: {rule.clause!r}")
    assert unresolved == []


# Citations of the rulebook (../shared/rulebook/*.md, column "clause") and the clauses they name.
@pytest.mark.parametrize(
    "pack_id, citation, ids",
    [
        ("yuyao_2011", "二、四，三、6", ["二、四", "三、6"]),
        ("yuyao_2011", "附件1、附件2", ["附件1", "附件2"]),
        ("yuyao_2011", "三、5", ["三、5"]),
        ("yuyao_2011", "一", ["一"]),
        ("linge_2022", "二(一) 主要任務3", ["二(一) 主要任務3"]),
        ("linge_2022", "二(二) 主要任務1", ["二(二) 主要任務1"]),
        ("linge_2022", "二(一)3–4", ["二(一)3"]),  # there is no 二(一)4: the range stops at what exists
        ("linge_2022", "四(一)", ["四(一)"]),
        ("huoerqi_2010", "二(三)1–5", ["二(三)1", "二(三)2", "二(三)3", "二(三)4", "二(三)5"]),
        ("huoerqi_2010", "二(三)7, 三、3", ["二(三)7", "三、3"]),
        ("farm_shuangshu", "三(一)(二)", ["三(一)", "三(二)"]),
        ("doushan_2019", "三(三)3", ["三(三)3"]),
        ("street_pledge_2010", "一、3 and 三、2", ["一、3", "三、2"]),
        ("town_shuangshu_2010", "五、3", ["五、3"]),
        ("yinchuan_2011", "三(四)", ["三(四)"]),
        ("sanshuang_2025", "二、2", ["二、2"]),
    ],
)
def test_rulebook_citations_name_their_clauses(pack_id, citation, ids):
    assert load_regulation(PACKS_DIR / pack_id).resolve(citation) == ids


def test_the_clauses_hold_the_words_the_rules_rest_on():
    """Spot checks against the seeds: the clause a rule cites holds the sentence it enforces."""
    yuyao = load_regulation(PACKS_DIR / "yuyao_2011")
    assert "2月底之前完成" in yuyao.by_id("一").text
    assert "一式四份" in yuyao.by_id("三、3").text
    assert yuyao.by_id("三、3").parent == "三"
    town = load_regulation(PACKS_DIR / "town_shuangshu_2010")
    assert "70%以上" in town.by_id("五、3").text and "50%以上的定为" in town.by_id("五、3").text
    assert town.by_id("六").title == "五、工作要求"  # the seed numbers it 五 a second time
    farm = load_regulation(PACKS_DIR / "farm_shuangshu")
    assert farm.by_id("三(二)").title == "(二)组织准备阶段(11月20日---11月31日)"  # kept as the seed has it
    linge = load_regulation(PACKS_DIR / "linge_2022")
    assert "每月應至少開展1次活動" in linge.by_id("二(一) 主要任務3").text
    assert linge.by_id("二(一) 主要任務3").parent == "二(一) 主要任務"
    assert "15%-20%" in linge.by_id("三").text
    huoerqi = load_regulation(PACKS_DIR / "huoerqi_2010")
    assert huoerqi.by_id("二(四)").text == "每年年双述双评活动在11月15日至12月15日之间开展"
    assert "连续三次被定为不合格" in huoerqi.by_id("三、5").text


@pytest.mark.parametrize("pack_id", BUNDLED)
def test_the_pack_distribution_ships_regulation_md(pack_id):
    data = tomllib.loads((PACKS_DIR / pack_id / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = [p for globs in data["tool"]["setuptools"]["package-data"].values() for p in globs]
    assert any(_ships("regulation.md", p) for p in patterns)


def test_the_lock_pins_regulation_md(tmp_path):
    import shutil

    directory = tmp_path / "yuyao_2011"
    shutil.copytree(PACKS_DIR / "yuyao_2011", directory, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    assert "regulation.md" in pack_files(directory)
    lock = PackLock.of([("yuyao_2011@1.0.0", directory)])
    assert lock.check("yuyao_2011@1.0.0", directory) == []
    path = directory / "regulation.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2月底之前", "3月底之前"), encoding="utf-8")
    assert lock.check("yuyao_2011@1.0.0", directory) == ["regulation.md: changed since locked"]
