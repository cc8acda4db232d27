"""An explanation of `count(list)` shows what it counted when the list holds words or numbers."""

from policyhub.ruledata.explain import Explainer
from policyhub.ruledata.language import FactSchema, FieldType, Scope, normal, parse, resolve

SCHEMA = FactSchema("run", {"type": FieldType("text"), "path": FieldType("text"), "years": FieldType("list"),
                            "rounds": FieldType("list", item=FactSchema("round", {"name": FieldType("text")}))})


def explained(text: str, fact: dict) -> list[str]:
    condition = normal(resolve(parse(text), Scope(SCHEMA, {"escalation.admonition_run": 2}, {})))
    explainer = Explainer({"escalation.admonition_run": {"clause": "三、5"}})
    explainer.evaluate(condition, fact)
    return [step.text for step in explainer.steps]


def test_a_counted_list_of_words_is_shown_after_its_count():
    assert explained("count(years) >= escalation.admonition_run", {"years": ["2011", "2012"]}) == [
        "count(years) = 2 (2011, 2012) ≥ escalation.admonition_run = 2 (三、5): yes"]
    assert explained("count(years) >= escalation.admonition_run", {"years": ["2012"]}) == [
        "count(years) = 1 (2012) ≥ escalation.admonition_run = 2 (三、5): no"]


def test_an_empty_list_and_a_list_of_records_show_the_count_alone():
    assert explained("count(years) >= escalation.admonition_run", {}) == [
        "count(years) = 0 ≥ escalation.admonition_run = 2 (三、5): no"]
    assert explained("count(rounds) >= escalation.admonition_run", {"rounds": [{"name": "a"}, {"name": "b"}]}) == [
        "count(rounds) = 2 ≥ escalation.admonition_run = 2 (三、5): yes"]


def test_a_field_compared_with_a_field_that_is_not_given_says_so():
    """Both sides of a comparison name what is missing (the right side was shown as an object's repr)."""
    schema = FactSchema("plan", {"type": FieldType("text"), "due_year": FieldType("number"),
                                 "year": FieldType("number")})
    explainer = Explainer()
    explainer.evaluate(normal(resolve(parse("due_year > year"), Scope(schema, {}, {}))), {"due_year": 2012})
    assert [(s.text, s.right_value) for s in explainer.steps] == [("due_year = 2012 > year = not given: no", "not given")]
    explainer = Explainer()
    explainer.evaluate(normal(resolve(parse("due_year > year"), Scope(schema, {}, {}))), {})
    assert [s.text for s in explainer.steps] == ["due_year = not given > year = not given: no"]
