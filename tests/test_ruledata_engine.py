"""What durable_rules can compare, as the rule-data compiler relies on it, and the compiled
conditions against the Python explanation and exact arithmetic (every answer from Fractions)."""

import itertools
from fractions import Fraction

import pytest
from durable.lang import item, m

from policyhub.engine.engine import CompiledRuleset
from policyhub.ruledata.compiler import Compiler
from policyhub.ruledata.explain import Explainer
from policyhub.ruledata.language import FactSchema, FieldType, Scope, normal, parse, resolve


def fired(conditions, facts):
    ruleset = CompiledRuleset("probe", conditions)
    try:
        return sorted({x.rule_index for x in ruleset.run(facts)})
    finally:
        ruleset.close()


def test_the_engine_takes_whole_number_arithmetic_on_the_right_and_truncates_division():
    conditions = [(m.type == "x") & (m.a >= (m.b * 7 + 9) / 10), (m.type == "x") & (m.a > (m.b * 7) / 10)]
    # 6/9 ≥ 70%? 60 < 63: no; 7/9: 70 ≥ 63: yes. With truncation alone 6 ≥ 63/10 = 6 would pass.
    assert fired(conditions, [{"type": "x", "a": 6, "b": 9}]) == []
    assert fired(conditions, [{"type": "x", "a": 7, "b": 9}]) == [0, 1]
    assert fired(conditions, [{"type": "x", "a": 7, "b": 10}]) == [0]  # exactly 70%: at least, not more


def test_the_engine_refuses_an_item_reference_inside_a_list_quantifier():
    with pytest.raises(Exception, match="102"):
        CompiledRuleset("probe", [(m.type == "x") & m.rounds.allItems(item.e >= item.v)])


def test_the_engines_all_items_does_not_match_an_empty_list():
    condition = (m.type == "x") & m.rounds.allItems(item.e >= 1)
    assert fired([condition], [{"type": "x", "rounds": []}]) == []
    assert fired([condition], [{"type": "x", "rounds": [{"e": 1}]}]) == [0]


SCHEMA = FactSchema("t", {
    "part": FieldType("number"), "whole": FieldType("number"), "day": FieldType("date"),
    "rounds": FieldType("list", item=FactSchema("r", {"e": FieldType("number"), "v": FieldType("number")}), max=3),
    "words": FieldType("list"),
})
THRESHOLDS = {"bar.seventy": "70%", "bar.third": "1/3", "bar.half": 0.5, "bar.day": "2011-03-31", "bar.n": 4}


def compiled(text):
    node = normal(resolve(parse(text), Scope(SCHEMA, THRESHOLDS, {})))
    compiler = Compiler()
    return node, compiler.condition("t", node), compiler.shape


@pytest.mark.parametrize("bar,value", [("bar.seventy", Fraction(7, 10)), ("bar.third", Fraction(1, 3)),
                                       ("bar.half", Fraction(1, 2))])
@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_a_share_compared_by_the_engine_answers_as_exact_fractions_and_as_the_explanation(bar, value, op):
    text = f"share(part, whole) {op} {bar}"
    node, condition, shape = compiled(text)
    truth = {"<": lambda s: s < value, "<=": lambda s: s <= value, ">": lambda s: s > value,
             ">=": lambda s: s >= value, "==": lambda s: s == value, "!=": lambda s: s != value}[op]
    facts = [{"type": "t", "part": a, "whole": b} for a, b in itertools.product(range(0, 13), range(1, 13))]
    ruleset = CompiledRuleset("shares", [condition])
    try:
        engine = {x.fact_index for x in ruleset.run(facts)}
    finally:
        ruleset.close()
    for i, fact in enumerate(facts):
        expected = truth(Fraction(fact["part"], fact["whole"]))
        assert (i in engine) == expected, (text, fact)
        assert Explainer().evaluate(node, fact) == expected, (text, fact)


def test_a_share_of_nothing_holds_neither_way():
    for text in ("share(part, whole) >= bar.seventy", "not (share(part, whole) >= bar.seventy)"):
        node, condition, _ = compiled(text)
        assert fired([condition], [{"type": "t", "part": 0, "whole": 0}]) == []
        assert Explainer().evaluate(node, {"type": "t", "part": 0, "whole": 0}) is False


@pytest.mark.parametrize("text", [
    "all(rounds, share(e, v) >= bar.seventy)",
    "any(rounds, share(e, v) < bar.third)",
    "not all(rounds, e >= bar.n)",
    "count(rounds) >= 2 and any(rounds, e > v)",
])
def test_quantifiers_unrolled_for_the_engine_answer_as_the_explanation(text):
    node, condition, shape = compiled(text)
    lists = [[], [(7, 10)], [(6, 9)], [(7, 10), (1, 3)], [(5, 4), (9, 10), (1, 1)], [(0, 3), (4, 3)]]
    facts = [{"type": "t", "rounds": [{"e": e, "v": v} for e, v in rounds]} for rounds in lists]
    sent = [dict(f) for f in facts]
    for f in sent:
        shape.apply(f)
    ruleset = CompiledRuleset("lists", [condition])
    try:
        engine = {x.fact_index for x in ruleset.run(sent)}
    finally:
        ruleset.close()
    for i, fact in enumerate(facts):
        assert (i in engine) == Explainer().evaluate(node, fact), (text, fact)


def test_expected_answers_of_quantifiers_from_their_meaning():
    node, condition, shape = compiled("all(rounds, share(e, v) >= bar.seventy)")
    facts = [{"type": "t", "rounds": [{"e": 7, "v": 10}, {"e": 21, "v": 30}]},  # 70% and 70%: all reach it
             {"type": "t", "rounds": [{"e": 7, "v": 10}, {"e": 20, "v": 30}]},  # 66.7% in the second: no
             {"type": "t", "rounds": []}]  # no rounds: every one of none reaches it
    for f in facts:
        shape.apply(f)
    ruleset = CompiledRuleset("lists", [condition])
    try:
        assert sorted(x.fact_index for x in ruleset.run(facts)) == [0, 2]
    finally:
        ruleset.close()


def test_a_list_longer_than_its_rules_read_is_refused():
    _, _, shape = compiled("any(rounds, e > v)")
    with pytest.raises(ValueError, match="rounds holds 4 items"):
        shape.apply({"type": "t", "rounds": [{"e": 1, "v": 1}] * 4})


def test_dates_and_words():
    node, condition, shape = compiled("day > bar.day and 'questions' not in words")
    facts = [{"type": "t", "day": "2011-04-01", "words": ["duty_report"]},
             {"type": "t", "day": "2011-03-31", "words": []},
             {"type": "t", "day": "2011-04-01", "words": ["questions"]},
             {"type": "t", "day": "2011-04-01", "words": []}]
    for f in facts:
        shape.apply(f)
    ruleset = CompiledRuleset("dates", [condition])
    try:
        assert sorted(x.fact_index for x in ruleset.run(facts)) == [0, 3]
    finally:
        ruleset.close()
    assert [Explainer().evaluate(node, f) for f in facts] == [True, False, False, True]


def test_a_day_of_the_year_compared_with_a_yearly_day():
    schema = FactSchema("t", {"held": FieldType("date")})
    node = normal(resolve(parse("month_day(held) > meeting.last or month_day(held) != '06-15'"),
                          Scope(schema, {"meeting.last": "06-30"}, {})))
    compiler = Compiler()
    condition = compiler.condition("t", node)
    facts = [{"type": "t", "held": d} for d in ("2011-06-15", "2011-07-01", "2011-06-30", "2012-06-15")]
    expected = [False, True, True, False]  # 07-01 is after 06-30; 06-30 is not 06-15
    for f in facts:
        compiler.shape.apply(f)
    ruleset = CompiledRuleset("days", [condition])
    try:
        assert sorted(x.fact_index for x in ruleset.run(facts)) == [i for i, e in enumerate(expected) if e]
    finally:
        ruleset.close()
    explainer = Explainer()
    assert [explainer.evaluate(node, f) for f in facts] == expected
    assert {(c.key, c.kind, c.x) for c in explainer.comparisons} >= {("meeting.last", "month_day", (7, 1))}
