"""Bad input is refused with every bad field named; pack resolution by locality and date."""

import shutil

import pytest
import yaml

from tests.conftest import DEMO_PACK, demo_request
from policyhub.domain.caseio import load_yaml, request_from_dict
from policyhub.domain.errors import InvalidArgument, KindNotGoverned, NoPackInForce, PackLoadError, PackNotFound
from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.pack import load_pack
from policyhub.packs.registry import PackRegistry


def fields(exc_info):
    return [field for field, _ in exc_info.value.violations]


@pytest.mark.parametrize(
    "submission, field",
    [
        ({"pledge": {"published_at": "2009-11-31"}}, "pledge.published_at"),
        ({"pledge": {"copies": -1}}, "pledge.copies"),
        ({"pledge": {"items": [{"category": "post"}, {"category": "postt"}]}}, "pledge.items[1].category"),
        ({"meeting": {"attendance": {"party_members": -3}}}, "meeting.attendance.party_members"),
        ({"ballot": {"rounds": [{"name": "village", "tallies": {"excelent": 3}}]}}, "ballot.rounds[0].tallies.excelent"),
        ({"ballot": {"rounds": [{"name": "village", "month": "2010-13"}]}}, "ballot.rounds[0].month"),
        ({"log": {"period": {"start": "2022-02-29"}}}, "log.period.start"),
    ],
)
def test_bad_fields_are_named(demo, submission, field):
    with pytest.raises(InvalidArgument) as exc:
        demo.evaluate(demo_request(**submission))
    assert field in fields(exc)


def test_every_bad_field_is_reported_at_once(demo):
    with pytest.raises(InvalidArgument) as exc:
        demo.evaluate(demo_request(pledge={"copies": -1, "signed_at": "2020-02-30", "pledger": "robot"}))
    assert sorted(fields(exc)) == ["pledge.copies", "pledge.pledger", "pledge.signed_at"]


def test_no_submission_and_no_date(demo):
    with pytest.raises(InvalidArgument) as exc:
        demo.evaluate(request_from_dict({"locality": "demo"}))
    assert sorted(fields(exc)) == ["date", "submission"]


def test_two_submissions_in_one_request_are_refused():
    with pytest.raises(InvalidArgument) as exc:
        request_from_dict({"locality": "demo", "date": "2020-01-01", "pledge": {}, "ballot": {}})
    assert "oneof" in exc.value.message or "submission" in exc.value.message


def test_wrong_json_types_are_refused_not_crashed():
    with pytest.raises(InvalidArgument):
        request_from_dict({"locality": "demo", "pledge": {"copies": "four"}})
    with pytest.raises(InvalidArgument):
        request_from_dict(["not", "a", "mapping"])


def test_yaml_dates_stay_strings():
    assert load_yaml("date: 2009-11-31\nother: 2011-02-28") == {"date": "2009-11-31", "other": "2011-02-28"}


def test_pack_resolution(demo_registry, tmp_path):
    newer = tmp_path / "demo_2020_v2"
    shutil.copytree(DEMO_PACK, newer)
    manifest = yaml.safe_load((newer / "pack.yaml").read_text())
    manifest["version"] = "1.1.0"
    (newer / "pack.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    registry = PackRegistry([load_pack(DEMO_PACK), load_pack(newer)])
    import datetime as dt

    assert registry.resolve("demo", dt.date(2020, 6, 1)).version == "1.1.0"  # newest version wins
    assert registry.get("demo_2020").version == "1.1.0"
    assert registry.get("demo_2020@1.0.0").version == "1.0.0"
    with pytest.raises(PackNotFound, match="loaded versions: 1.1.0, 1.0.0"):
        registry.get("demo_2020@9.9.9")
    with pytest.raises(PackNotFound):
        registry.get("nowhere_2020")
    with pytest.raises(NoPackInForce, match=r"2020-01-01 … 2020-12-31"):
        registry.resolve("demo", dt.date(2021, 1, 1))
    with pytest.raises(NoPackInForce, match="no pack for locality 'atlantis'"):
        registry.resolve("atlantis", dt.date(2021, 1, 1))


def test_a_kind_the_pack_does_not_govern_is_refused(tmp_path):
    only_pledges = tmp_path / "p"
    shutil.copytree(DEMO_PACK, only_pledges)
    script = (only_pledges / "rules" / "all.py").read_text()
    head = script.split("@derive(\"meeting\"")[0].replace("from policyhub.rules.core_ballot import *", "")
    (only_pledges / "rules" / "all.py").write_text(head + COPIES_ONLY)
    (only_pledges / "thresholds.yaml").write_text("copies: 4\n")
    evaluator = Evaluator(PackRegistry([load_pack(only_pledges)]))
    with pytest.raises(KindNotGoverned, match="no rules for a meeting"):
        evaluator.evaluate(demo_request(meeting={"type": "review_meeting"}))


COPIES_ONLY = '''
COPIES = Rule(
    id="demo_2020.pledge.copies", clause="一", kinds=("pledge",), severity="error",
    when=lambda t: (m.type == "copies") & (m.copies != m.required),
    message={"zh": "份数", "en": "copies"},
)
'''


def _broken_copy(tmp_path, edit):
    broken = tmp_path / "broken"
    shutil.copytree(DEMO_PACK, broken)
    edit(broken)
    with pytest.raises(PackLoadError) as exc:
        load_pack(broken)
    return exc.value.findings


def test_pack_loader_rejects_unknown_and_undefined_thresholds(tmp_path):
    findings = _broken_copy(tmp_path, lambda p: (p / "thresholds.yaml").write_text(
        (p / "thresholds.yaml").read_text().replace("copies: 4", "copeis: 4")))
    assert "thresholds.yaml: unknown key 'copeis' (no rule or derive function reads it)" in findings
    assert any("'copies' is read by derive all.copies but not defined" in f for f in findings)


def test_pack_loader_rejects_a_bad_manifest(tmp_path):
    def edit(p):
        text = (p / "pack.yaml").read_text().replace("version: 1.0.0", "version: one").replace("locality:", "localty:")
        (p / "pack.yaml").write_text(text)

    findings = _broken_copy(tmp_path, edit)
    assert "pack.yaml: version must be semver MAJOR.MINOR.PATCH, got 'one'" in findings
    assert "pack.yaml: unknown key 'localty'" in findings
    assert "pack.yaml: missing key 'locality'" in findings


def test_pack_loader_rejects_a_rule_script_that_does_not_import(tmp_path):
    findings = _broken_copy(tmp_path, lambda p: (p / "rules" / "zz.py").write_text("import no_such_module\n"))
    assert any(f.startswith("rules/zz.py: does not import: ModuleNotFoundError") for f in findings)
