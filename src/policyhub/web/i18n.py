"""The explorer's own words in zh and en (pack texts carry their own zh and en)."""

from __future__ import annotations

LANGS = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    "title": ("policyhub 规定浏览器", "policyhub regulation explorer"),
    "packs": ("规则包", "Packs"),
    "workbench": ("案例工作台", "Case workbench"),
    "api": ("HTTP API", "HTTP API"),
    "pack": ("规则包", "Pack"),
    "locality": ("地区", "Locality"),
    "period": ("施行期间", "In force"),
    "version": ("版本", "Version"),
    "versions": ("版本", "Versions"),
    "digest": ("内容摘要", "Content digest"),
    "document": ("文件", "Document"),
    "kinds": ("材料类型", "Kinds"),
    "rules": ("规则", "Rules"),
    "open_ended": ("长期有效", "open-ended"),
    "regulation": ("规定原文", "The regulation"),
    "no_text": ("此规则包未附规定原文（regulation.md），以下按规则引用的条款列出。",
                "This pack ships no regulation text (regulation.md); rules are listed by the clause they cite."),
    "coverage": ("覆盖情况", "Coverage"),
    "clauses": ("条款", "clauses"),
    "uncited": ("无规则引用", "no rule cites it"),
    "cited_below": ("仅其下级条款被引用", "only its sub-clauses are cited"),
    "no_firing": ("无触发案例", "no firing case"),
    "no_silent": ("无不触发案例", "no non-firing case"),
    "rule_cites": ("引用本条的规则", "Rules citing this clause"),
    "thresholds_set": ("本条设定的阈值", "Thresholds this clause sets"),
    "interpretation": ("解释", "Interpretation"),
    "interpretations": ("解释", "Interpretations"),
    "setting": ("设置", "Setting"),
    "value": ("当前值", "Value"),
    "default": ("默认值", "Default"),
    "allowed": ("可选值", "Allowed values"),
    "fires_in": ("触发的案例", "Fires in"),
    "silent_in": ("运行但不触发的案例", "Runs without firing in"),
    "severity": ("严重程度", "Severity"),
    "message": ("提示", "Message"),
    "condition": ("条件", "Condition"),
    "reads": ("读取阈值", "Reads thresholds"),
    "consequences": ("后果", "Consequences"),
    "grades": ("等次", "Grades"),
    "yields_grade": ("给出等次", "yields a grade"),
    "citation": ("依据", "Citation"),
    "other_fields": ("其他字段", "Other fields"),
    "unplaced_rules": ("引用的条款不在原文中的规则", "Rules citing no clause of the text"),
    "unplaced_thresholds": ("未标明条款的阈值", "Thresholds naming no clause"),
    "failing_fixtures": ("未通过的案例", "Failing fixture cases"),
    "open_in_workbench": ("在工作台打开", "open in workbench"),
    "fixtures": ("测试案例", "Fixture cases"),
    "start_from": ("从这里开始", "Start from"),
    "example": ("示例", "Example"),
    "fixture": ("测试案例", "Fixture"),
    "case": ("案例（JSON 或 YAML）", "Case (JSON or YAML)"),
    "evaluate": ("评估", "Evaluate"),
    "pack_choice": ("规则包", "Pack"),
    "auto_pack": ("按地区和日期自动选择", "by locality and date"),
    "compare": ("对比", "Compare"),
    "compare_none": ("不对比", "no comparison"),
    "compare_version": ("与另一版本对比", "with another version"),
    "compare_interp": ("改变一项解释", "with an interpretation changed"),
    "other_value": ("改为（YAML）", "changed to (YAML)"),
    "decision": ("结论", "Decision"),
    "compliant": ("合规", "compliant"),
    "non_compliant": ("不合规", "not compliant"),
    "violations": ("违规", "Violations"),
    "notes": ("提示（非违规）", "Notes (not violations)"),
    "none": ("无", "none"),
    "trace": ("规则轨迹", "Trace"),
    "applicable": ("适用", "applicable"),
    "not_applicable": ("不适用", "not applicable"),
    "fired": ("触发", "fired"),
    "not_fired": ("未触发", "not fired"),
    "matched": ("匹配的事实", "Matched facts"),
    "error": ("错误", "Error"),
    "field": ("字段", "Field"),
    "diff": ("差异", "What changed"),
    "added": ("新增", "added"),
    "removed": ("消失", "removed"),
    "unchanged": ("未变", "unchanged"),
    "no_change": ("结论没有变化", "The decision did not change"),
    "save_fixture": ("另存为测试案例", "Save as fixture"),
    "fixture_name": ("案例名称", "Case name"),
    "permalink": ("永久链接", "Permalink"),
    "download": ("下载 YAML", "Download YAML"),
    "reload_refused": ("包的修改未能加载，仍使用旧版本：", "The edited packs did not load; the old set still serves:"),
    "pack_of_decision": ("作出结论的规则包", "Decided by"),
    "left": ("左", "left"),
    "right": ("右", "right"),
    "subject": ("对象", "Subject"),
    "path": ("位置", "Path"),
    "text_of_clause": ("条文", "Text"),
    "preamble": ("前言", "Preamble"),
    "load": ("载入", "Load"),
    "pick": ("— 选择 —", "— choose —"),
    "form": ("表单（按接口定义生成）", "Form (made from the contract)"),
    "form_help": ("表单的每一项对应请求的一个字段；修改后上面的文本随之更新，留空即不填该字段。",
                  "Every input is a field of the request; an edit updates the text above, and an empty input leaves the field out."),
    "fill_form": ("用上面的文本填表", "Fill the form from the text"),
}


def word(key: str, lang: str) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def text(value, lang: str) -> str:
    """A Text message's words in `lang`, the other language when that one is empty."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    first, second = ("zh", "en") if lang == "zh" else ("en", "zh")
    return value.get(first) or value.get(second) or ""
