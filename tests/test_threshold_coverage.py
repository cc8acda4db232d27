"""Threshold coverage: where cases lie against each numeric and date threshold, and the bar that fails a run."""

import datetime as dt
import json
import textwrap
from fractions import Fraction

import pytest
from click.testing import CliRunner

from policyhub.cli import main
from policyhub.rules.ballots import Share
from policyhub.rules.tracked import Comparison, Recorder, TrackingThresholds
from policyhub.authoring.thresholdcoverage import numeric_keys, position


def c(kind, op, x, t, step=1):
    return Comparison("k", kind, op, x, t, step)


@pytest.mark.parametrize(
    "comparison, expected",
    [
        # a deadline compared `published > deadline`: the day before is inside, the day after outside
        (c("date", ">", dt.date(2011, 2, 28), dt.date(2011, 2, 28)), "at"),
        (c("date", ">", dt.date(2011, 2, 27), dt.date(2011, 2, 28)), "inside"),
        (c("date", ">", dt.date(2011, 3, 1), dt.date(2011, 2, 28)), "outside"),
        (c("date", ">", dt.date(2011, 3, 2), dt.date(2011, 2, 28)), None),
        # a minimum compared `count < least`: one more is inside, one fewer outside
        (c("int", "<", 9, 8), "inside"),
        (c("int", "<", 7, 8), "outside"),
        # a window's first day compared `first <= (month, day)`
        (c("month_day", ">=", (6, 2), (6, 1)), "inside"),
        (c("month_day", ">=", (5, 31), (6, 1)), "outside"),
        (c("month_day", ">=", (12, 31), (1, 1)), None),  # no wrapping round the year
        # an exact number has no inside: both neighbours are outside
        (c("int", "!=", 3, 4), "outside"),
        (c("int", "!=", 5, 4), "outside"),
        (c("int", "==", 4, 4), "at"),
        # a share reaching a 1/3 bar: with 9 votes the neighbours are 2/9 and 4/9
        (c("ratio", ">=", Fraction(4, 9), Fraction(1, 3), Fraction(1, 9)), "inside"),
        (c("ratio", ">=", Fraction(2, 9), Fraction(1, 3), Fraction(1, 9)), "outside"),
        (c("ratio", ">=", Fraction(5, 9), Fraction(1, 3), Fraction(1, 9)), None),
        # with 10 votes 1/3 is unattainable: 3/10 and 4/10 are its nearest shares
        (c("ratio", ">=", Fraction(3, 10), Fraction(1, 3), Fraction(1, 10)), "outside"),
        (c("ratio", ">=", Fraction(4, 10), Fraction(1, 3), Fraction(1, 10)), "inside"),
        # a share of unknown total counts only at the bar
        (c("ratio", ">=", Fraction(1, 3), Fraction(1, 3), None), "at"),
        (c("ratio", ">=", Fraction(1, 2), Fraction(1, 3), None), None),
    ],
)
def test_position(comparison, expected):
    assert position(comparison) == expected


def test_tracked_values_record_comparisons_from_either_side():
    recorder = Recorder()
    t = TrackingThresholds({"deadline": "2011-02-28", "least": 2, "bar": "1/3", "day": "03-31"}, recorder)
    deadline, least, bar = t.date("deadline"), t.int("least"), t.ratio("bar")
    assert (dt.date(2011, 3, 1) > deadline) is True and (least <= 1) is False
    assert (Share(3, 9) >= bar) is True and (t.day_in_year("day", 2012) < dt.date(2012, 4, 1)) is True
    assert [(r.key, r.op, r.x) for r in recorder.comparisons] == [
        ("deadline", ">", dt.date(2011, 3, 1)),
        ("least", ">=", 1),
        ("bar", ">=", Fraction(1, 3)),
        ("day", ">", dt.date(2012, 4, 1)),
    ]
    assert recorder.comparisons[2].step == Fraction(1, 9)


def test_only_numbers_dates_and_shares_count():
    data = {"a": 1, "b": True, "c": "2011-02-28", "d": "03-31", "e": "50%", "f": "1/3", "g": 0.8, "h": [1, 2],
            "i": "plurality", "w": {"from": "06-01"}}
    assert numeric_keys(data) == {"a": "int", "c": "date", "d": "month_day", "e": "ratio", "f": "ratio",
                                  "g": "ratio", "w.from": "month_day"}


RULES = '''
from policyhub.rules import Context, Rule, derive, fact, m
from policyhub.rules.ballots import Share
from policyhub.rules.periods import day


@derive("pledge", uses=("deadline", "window", "residence_share", "pay_ratio", "copies"))
def checks(pledge: dict, ctx: Context):
    t = ctx.thresholds
    published = day(pledge.get("published_at"))
    if published:
        yield fact("publication", late=published > t.date("deadline"))
        first, last = t.month_day("window.from"), t.month_day("window.to")
        yield fact("window", inside=first <= (published.month, published.day) <= last)
    items = pledge.get("items", [])
    if items:
        share = Share(sum(1 for i in items if i.get("category") == "residence"), len(items))
        yield fact("residence", enough=share >= t.ratio("residence_share"), pay=float(t.ratio("pay_ratio")))
    # engine side: the threshold travels in a fact field, the condition compares it
    yield fact("copies", made=pledge.get("copies", 0), required=t.int("copies"))


def _rule(name, when):
    return Rule(id=f"gate_2020.pledge.{name}", clause="一", kinds=("pledge",), severity="error", when=when,
                message={"zh": name, "en": name})


LATE = _rule("late", lambda t: (m.type == "publication") & (m.late == True))  # noqa: E712
WINDOW = _rule("window", lambda t: (m.type == "window") & (m.inside == False))  # noqa: E712
RESIDENCE = _rule("residence", lambda t: (m.type == "residence") & (m.enough == False))  # noqa: E712
COPIES = _rule("copies", lambda t: (m.type == "copies") & (m.made != m.required))
# engine side: the threshold baked into the condition as a literal
ITEMS = Rule(id="gate_2020.pledge.items", clause="二", kinds=("pledge",), severity="error",
             thresholds=("min_items",), message={"zh": "少", "en": "few"},
             when=lambda t: (m.type == "copies") & (m.made < t.int("min_items")))
'''

PACK = """
id: gate_2020
version: 1.0.0
title: {zh: 门槛, en: Gates}
locality: gate
issuing_body: {zh: 测试, en: Tests}
source_seed: none
effective_from: 2020-01-01
effective_to: 2020-12-31
"""

THRESHOLDS = """
deadline: 2020-03-31
window: {from: 03-01, to: 03-31}
residence_share: 1/3
pay_ratio: 0.8
copies: 4
min_items: 3
"""


def pledge_case(name, **pledge):
    return {"name": name, "request": {"locality": "gate", "date": "2020-06-01", "pledge": pledge}, "expect": {}}


def make_pack(tmp_path):
    pack = tmp_path / "gate_2020"
    (pack / "rules").mkdir(parents=True)
    (pack / "pack.yaml").write_text(PACK)
    (pack / "thresholds.yaml").write_text(THRESHOLDS)
    (pack / "rules" / "all.py").write_text(textwrap.dedent(RULES))
    return pack


def run(tmp_path, cases):
    pack = make_pack(tmp_path)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"cases": cases}))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["test", str(path), "--pack-path", str(pack), "--json", str(report),
                                       "--min-threshold-coverage", "100"])
    return result, json.loads(report.read_text())["threshold_coverage"]["gate_2020@1.0.0"]


AT = [
    pledge_case("published on the deadline, the window's last day; 4 copies; 1 of 3 items residence",
                published_at="2020-03-31", copies=4,
                items=[{"text": "a", "category": "residence"}, {"text": "b"}, {"text": "c"}]),
    pledge_case("published on the window's first day, 3 copies", published_at="2020-03-01", copies=3),
]
AROUND = [
    pledge_case("a day early, 5 copies; 2 of 6 items residence",
                published_at="2020-03-30", copies=5,
                items=[{"text": "a", "category": "residence"}] * 2 + [{"text": "b"}] * 4),
    pledge_case("a day late (and after the window), 2 copies; 1 of 4 items residence",
                published_at="2020-04-01", copies=2, items=[{"text": "a", "category": "residence"}] + [{"text": "b"}] * 3),
    pledge_case("a day before the window opens; 3 of 7 items residence (just over a third)",
                published_at="2020-02-29", items=[{"text": "a", "category": "residence"}] * 3 + [{"text": "b"}] * 4),
    pledge_case("the window's second day", published_at="2020-03-02"),
]


def test_a_run_with_cases_only_at_the_thresholds_fails_and_names_what_is_missing(tmp_path):
    result, report = run(tmp_path, AT)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "thresholds gate_2020@1.0.0: 1/6 exercised at, just inside and just outside their value" in lines
    assert "  missing: deadline (date): no case just inside, just outside" in lines
    assert "  missing: window.from (month_day): no case just inside, just outside" in lines
    assert "  missing: residence_share (ratio): no case just inside, just outside" in lines
    # 3 copies are at the literal `m.made < 3` and 4 just inside it; no case has 2
    assert "  missing: min_items (int): no case just outside" in lines
    # 4 copies are at `m.made != m.required`, 3 just outside; an exact number has no inside
    assert not any(line.startswith("  missing: copies") for line in lines)
    assert "  not counted: pay_ratio: read but never compared (a parameter, not a bound)" in lines
    assert report["deadline"]["at"] == [AT[0]["name"]]
    assert report["min_items"]["at"] == [AT[1]["name"]]


def test_cases_around_each_threshold_reach_full_coverage(tmp_path):
    result, report = run(tmp_path, AT + AROUND)
    assert result.exit_code == 0, result.output
    assert "threshold coverage 100.0%" in result.output
    assert report["deadline"]["inside"] == [AROUND[0]["name"]]
    assert report["deadline"]["outside"] == [AROUND[1]["name"]]
    assert report["window.from"]["outside"] == [AROUND[2]["name"]]
    assert report["window.to"]["outside"] == [AROUND[1]["name"]]
    # 2/6 is at a third; 1/4 and 3/7 are the shares next to it for 4 and 7 items
    assert report["residence_share"]["at"] == sorted([AT[0]["name"], AROUND[0]["name"]])
    assert report["residence_share"]["outside"] == [AROUND[1]["name"]]
    assert report["residence_share"]["inside"] == [AROUND[2]["name"]]
    # copies: compared in the engine through the fact's `required` field
    assert report["copies"]["outside"] == sorted([AROUND[0]["name"], AT[1]["name"]])
    assert report["min_items"]["outside"] == [AROUND[1]["name"]]
    assert report["pay_ratio"]["counted"] is False


def test_dropping_the_just_outside_case_of_one_threshold_fails_the_bar(tmp_path):
    cases = AT + [case for case in AROUND if "a day late" not in case["name"]]
    result, report = run(tmp_path, cases)
    assert result.exit_code == 1
    assert "  missing: deadline (date): no case just outside" in result.output.splitlines()
    assert report["deadline"]["missing"] == ["outside"]
