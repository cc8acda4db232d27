"""regulation.md parsing and citation resolving, on small texts written here."""

from __future__ import annotations

import pytest

from policyhub.authoring.regulation import Clause, RegulationError, load_regulation, parse_regulation

TEXT = """---
title: 关于做好公开承诺工作的通知
document_number: 余创先办发〔2011〕3号
date: 2011-02-21
---

# 关于做好公开承诺工作的通知

各乡镇、街道党委：

现通知如下：

## 一、明确时间安排 {#一}

原则上在2月底之前完成。

## 二、突出承诺重点 {#二}

注意把握以下五个方面：

### 一是紧密结合规划开展 {#二、一}

着重围绕规划作出承诺。

### 四是紧密结合上年承诺开展 {#二、四}

对内容空洞的承诺事项，要坚决予以纠正。

第二段。

## 三、规范承诺步骤 {#三}

### １、确定承诺事项 {#三、1}

提出承诺事项。

### ２、审核承诺内容 {#三、2}

```
## 这不是标题
```

### ６、每年承诺一次 {#三、6}

#### （一）第一年 {#三、6(一)}

#### （二）第二年 {#三、6(二)}

重新承诺。

## 附件1 {#附件1}

## 附件2 {#附件2}

## 附件12 {#附件12}
"""


@pytest.fixture(scope="module")
def regulation():
    return parse_regulation(TEXT)


def test_front_block_title_and_number(regulation):
    assert regulation.title == "关于做好公开承诺工作的通知"
    assert regulation.document_number == "余创先办发〔2011〕3号"
    assert regulation.meta["date"] == "2011-02-21"  # a string, not a datetime.date
    assert regulation.preamble == "各乡镇、街道党委：\n\n现通知如下："


def test_clauses_in_order_with_levels_parents_and_text(regulation):
    ids = [c.id for c in regulation.clauses]
    assert ids == ["一", "二", "二、一", "二、四", "三", "三、1", "三、2", "三、6", "三、6(一)", "三、6(二)", "附件1", "附件2", "附件12"]
    assert regulation.by_id("二、四") == Clause(
        "二、四", "四是紧密结合上年承诺开展", 3, "二", "对内容空洞的承诺事项，要坚决予以纠正。\n\n第二段。"
    )
    assert regulation.by_id("一") == Clause("一", "一、明确时间安排", 2, None, "原则上在2月底之前完成。")
    assert regulation.by_id("三").text == ""
    assert regulation.by_id("三、6(二)").parent == "三、6"
    assert regulation.by_id("三、6(二)").level == 4
    assert regulation.by_id("附件1").parent is None
    assert regulation.by_id("四") is None


def test_a_heading_inside_a_fence_is_text(regulation):
    assert regulation.by_id("三、2").text == "```\n## 这不是标题\n```"


def test_children(regulation):
    assert [c.id for c in regulation.children(None)] == ["一", "二", "三", "附件1", "附件2", "附件12"]
    assert [c.id for c in regulation.children("三")] == ["三、1", "三、2", "三、6"]
    assert regulation.children("三、1") == []


@pytest.mark.parametrize(
    "citation, ids",
    [
        ("三、6", ["三、6"]),  # the longest id, not 三
        ("二、四，三、6", ["二、四", "三、6"]),
        ("三、6，二、四", ["三、6", "二、四"]),  # order of appearance
        ("附件1、附件2", ["附件1", "附件2"]),
        ("附件12", ["附件12"]),
        ("一、3 and 三、2", ["一", "三、2"]),  # 一、3 does not exist: its longest existing prefix does
        ("三（2）", ["三"]),
        ("二 、四", ["二、四"]),  # white space does not count
        ("三、６", ["三、6"]),  # full-width digits
        ("三、1–2", ["三、1", "三、2"]),  # a range: the ids that exist
        ("三、1-6", ["三、1", "三、2", "三、6"]),
        ("三、6(一)(二)", ["三、6(一)", "三、6(二)"]),  # a bracketed sibling
        ("三、6（一）（二）", ["三、6(一)", "三、6(二)"]),
        ("二、一至四", ["二、一", "二、四"]),  # a range of Chinese numerals
        ("三、6，三、6", ["三、6"]),
        ("三、1-99999999999", ["三、1", "三、2", "三、6"]),  # a range is bounded, not walked to its end
        ("票数核对", []),
        ("", []),
        ("七", []),
    ],
)
def test_resolve(regulation, citation, ids):
    assert regulation.resolve(citation) == ids


def test_missing_anchor_and_duplicate_anchor_are_reported_with_lines():
    with pytest.raises(RegulationError) as caught:
        parse_regulation("# 标题\n\n## 一、总则 {#一}\n\n## 二、要求\n\n### 1 {#一}\n")
    assert caught.value.findings == [
        "line 5: heading '## 二、要求' has no clause anchor {#…}",
        "line 7: duplicate anchor {#一} (first on line 3)",
    ]


def test_an_empty_anchor_is_no_anchor():
    with pytest.raises(RegulationError, match="line 3: heading '## 一 {# }' has no clause anchor"):
        parse_regulation("# 标题\n\n## 一 {# }\n")


def test_closing_hashes_of_a_heading_are_not_its_text():
    regulation = parse_regulation("# 标题 #\n\n## C# 条款 {#一}\n")
    assert regulation.title == "标题" and regulation.by_id("一").title == "C# 条款"


def test_a_second_title_needs_an_anchor():
    with pytest.raises(RegulationError, match="line 3: heading '# 又一个标题'"):
        parse_regulation("# 标题\n\n# 又一个标题\n")


def test_bad_front_block():
    with pytest.raises(RegulationError, match="front block: never closed|opened with --- but never closed"):
        parse_regulation("---\ntitle: x\n\n# 标题\n")
    with pytest.raises(RegulationError, match="front block: must be a mapping"):
        parse_regulation("---\n- x\n---\n# 标题\n")


def test_title_from_heading_without_front_block():
    regulation = parse_regulation("# 某某通知\n\n## 一 {#一}\n正文\n")
    assert (regulation.title, regulation.document_number, regulation.preamble) == ("某某通知", "", "")
    assert regulation.by_id("一").text == "正文"


def test_load_regulation(tmp_path):
    assert load_regulation(tmp_path) is None
    (tmp_path / "regulation.md").write_text("# 标题\n\n## 一 {#一}\n", encoding="utf-8")
    assert [c.id for c in load_regulation(tmp_path).clauses] == ["一"]
    (tmp_path / "regulation.md").write_text("# 标题\n\n## 一\n", encoding="utf-8")
    with pytest.raises(RegulationError, match=r"regulation\.md: line 3"):
        load_regulation(tmp_path)
