"""town_shuangshu_2010's interpretations read the other way (grade.cumulative: false, ballot.share_base:
cast) are ordinary fixture cases with `settings:` (fixtures/ballot.yaml), run in-process and through a
server of their own (tests/integration/test_fixtures_over_grpc.py). Here: the bundled reading, and
settings applied and checked when a pack loads."""

from pathlib import Path

import pytest

from policyhub.domain.caseio import load_yaml
from policyhub.domain.errors import PackLoadError
from policyhub.authoring.fixtures import load_cases
from policyhub.packs.pack import load_pack

PACK = Path(__file__).resolve().parent.parent / "policy_packs" / "town_shuangshu_2010"


def test_the_bundled_pack_counts_cumulatively():
    thresholds = load_yaml((PACK / "thresholds.yaml").read_text(encoding="utf-8"))
    assert thresholds["grade"]["cumulative"] is True
    interpretation = next(i for i in load_pack(PACK).interpretations if i.setting == "grade.cumulative")
    assert interpretation.default is True


def test_settings_change_the_reading_of_one_loaded_pack_only():
    literal = load_pack(PACK, settings={"grade.cumulative": False, "ballot.share_base": "cast"})
    bundled = load_pack(PACK)
    assert literal.thresholds.bool("grade.cumulative") is False and literal.thresholds.str("ballot.share_base") == "cast"
    assert bundled.thresholds.bool("grade.cumulative") is True and bundled.thresholds.str("ballot.share_base") == "valid"
    # a threshold written {value, clause, quote} keeps its source when a setting changes its value
    changed = load_pack(PACK, settings={"grade.excellent_each_round": "75%"})
    assert changed.thresholds.ratio("grade.excellent_each_round") == 0.75
    assert changed.threshold_sources["grade.excellent_each_round"]["clause"] == "五、3"


def test_a_setting_that_is_not_a_threshold_is_refused():
    with pytest.raises(PackLoadError) as caught:
        load_pack(PACK, settings={"grade.cumulativ": False})
    assert "settings: 'grade.cumulativ' is not a threshold of thresholds.yaml" in caught.value.findings


def test_both_readings_are_cases_of_the_pack():
    cases = load_cases(PACK / "fixtures" / "ballot.yaml")
    assert {tuple(sorted(c.settings.items())) for c in cases} >= {
        (), (("grade.cumulative", False),), (("ballot.share_base", "cast"),)}
