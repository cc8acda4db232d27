"""The shared ballot arithmetic's fast paths: exact at every bar, comparisons still tracked, work shared
within one request only, thresholds views that remember values but still refuse undeclared keys."""

import operator
from fractions import Fraction
from pathlib import Path

import pytest

from policyhub.packs.pack import load_pack
from policyhub.rules.ballots import Share, checked_rounds, reaches
from policyhub.rules.model import Context
from policyhub.rules.thresholds import ThresholdError, Thresholds
from policyhub.rules.tracked import Recorder, TrackingThresholds

PACKS = Path(__file__).resolve().parent.parent / "policy_packs"
BARS = [Fraction(7, 10), Fraction(3, 5), Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(0), Fraction(1)]


def test_reaches_agrees_with_fraction_for_every_share_up_to_60_votes():
    for bar in BARS:
        for total in range(1, 61):
            for votes in range(total + 1):
                assert reaches(votes, total, bar) == (Fraction(votes, total) >= bar), (votes, total, bar)


def test_a_70_percent_bar_is_met_by_7_of_10_and_missed_by_69_of_100():
    bar = Thresholds({"bar": "70%"}).ratio("bar")
    assert reaches(7, 10, bar) and reaches(70, 100, bar)
    assert not reaches(69, 100, bar) and not reaches(699, 1000, bar)


def test_reaches_with_a_tracked_bar_records_the_comparison_and_its_step():
    recorder = Recorder()
    bar = TrackingThresholds({"bar": "70%"}, recorder).ratio("bar")
    assert reaches(7, 10, bar) is True and reaches(13, 20, bar) is False
    assert [(c.key, c.op, c.x, c.step) for c in recorder.comparisons] == [
        ("bar", ">=", Fraction(7, 10), Fraction(1, 10)),
        ("bar", ">=", Fraction(13, 20), Fraction(1, 20)),
    ]


@pytest.mark.parametrize("votes, total", [(0, 7), (6, 9), (7, 10), (10, 10), (-3, 9), (12, 8)])
def test_share_is_the_reduced_fraction_and_keeps_its_total(votes, total):
    share = Share(votes, total)
    assert share == Fraction(votes, total) and hash(share) == hash(Fraction(votes, total))
    plain = Fraction(votes, total)
    assert (share.numerator, share.denominator) == (plain.numerator, plain.denominator)
    assert share.total == total


def test_share_compares_like_a_fraction_from_either_side():
    for bar in BARS:
        for share in (Share(2, 3), Share(7, 10), Share(1, 2), Share(0, 4)):
            plain = Fraction(share)
            for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq):
                assert op(share, bar) == op(plain, bar) and op(bar, share) == op(bar, plain), (share, bar, op)
            assert (share >= 0.5) == (plain >= 0.5)  # not a Fraction bar: Fraction's own comparison


def test_share_of_nothing_is_refused():
    with pytest.raises(ZeroDivisionError):
        Share(1, 0)


BALLOT = {"rounds": [
    {"name": "village", "cast": 10, "invalid": 0, "tallies": {"excellent": 7, "competent": 3}},
    {"name": "town", "cast": 10, "invalid": 0, "tallies": {"excellent": 11}},
    {"name": "town", "cast": 5, "invalid": 1, "tallies": {"excellent": 2, "great": 1}},
]}
OPTIONS = ["excellent", "competent", "basically_competent", "incompetent"]


def context() -> Context:
    return Context(kind="ballot", pack_id="x", locality="x", date=None, thresholds=Thresholds({}))


def test_checked_rounds_finds_each_rounds_problems():
    checked = checked_rounds(BALLOT, OPTIONS, context())
    assert checked.names == ["village", "town", "town"]
    assert checked.problems == [{}, {"tally_excess": 1}, {"unknown_options": ["great"]}]
    assert [r.index for r in checked.passing] == [0]


def test_checked_rounds_is_worked_out_once_per_request_and_ballot():
    ctx = context()
    first = checked_rounds(BALLOT, OPTIONS, ctx)
    assert checked_rounds(BALLOT, list(OPTIONS), ctx) is first  # the other derive functions of the request
    copy = {"rounds": [dict(r) for r in BALLOT["rounds"]]}
    assert checked_rounds(copy, OPTIONS, ctx) is not first  # another ballot is counted afresh
    assert checked_rounds(BALLOT, OPTIONS + ["great"], ctx).problems[2] == {}  # so are other options
    assert checked_rounds(BALLOT, OPTIONS, context()) is not first  # and nothing outlives its request


def test_a_view_remembers_values_but_refuses_an_undeclared_key_every_time():
    view = Thresholds({"a": {"bar": "1/3", "words": "x"}, "b": 2}).restricted(["a"], "derive demo.f")
    assert view.ratio("a.bar") == Fraction(1, 3) and view.ratio("a.bar") is view.ratio("a.bar")
    for _ in range(2):
        with pytest.raises(ThresholdError, match="derive demo.f reads threshold 'b' without declaring it"):
            view.int("b")
    with pytest.raises(ThresholdError, match="must be a whole number"):
        view.int("a.words")


def test_a_pack_gives_each_derive_function_its_restricted_view():
    pack = load_pack(PACKS / "town_shuangshu_2010")
    views = {d.name: v for d, v in pack.derives_by_kind["ballot"]}
    assert set(views) == {d.name for d in pack.derives if "ballot" in d.spec.kinds}
    core = views["core.ballot.core_ballot_rounds"]  # the core.ballot library's, as the pack takes it (uses:)
    assert core.str("ballot.default_scheme") == "four_level"
    with pytest.raises(ThresholdError, match="derive core.ballot.core_ballot_rounds reads threshold"):
        core.ratio("grade.excellent_each_round")
    assert pack.derives_by_kind["pledge"] == ()
