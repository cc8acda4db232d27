"""normalize's generated pass: json_format's canonical JSON, and validation.validate_request's findings.

The plain walk (validate_request) and json_format are the references; the generated readers must
agree with them on every request we have, on every field planted at every depth, and (in
tests/reliability/test_reading.py) on mutated requests.
"""

from pathlib import Path

import pytest
from google.protobuf import json_format

from policyhub.domain.caseio import load_file, request_from_dict
from policyhub.domain.errors import InvalidArgument
from policyhub.evaluation.normalize import message_dict, read_message, read_request, submission_dict, tally_raw_ballots, valid_test
from policyhub.v1 import policyhub_pb2 as pb
from policyhub.domain.validation import COUNT, DATE, DATE_OR_MONTH, FIELDS, MONTH, YEAR, check_value, validate_request
from tests.reliability.strategies import CODES, TRICKY_TEXT

ROOT = Path(__file__).resolve().parent.parent


def corpus_requests():
    """Every fixture case's request and every example that parses as a request."""
    files = sorted(ROOT.glob("policy_packs/*/fixtures/*.yaml")) + sorted(ROOT.glob("examples/**/*.yaml"))
    for path in files:
        data = load_file(path)
        cases = data["cases"] if isinstance(data, dict) and "cases" in data else [{"request": data}]
        for case in cases:
            try:
                yield request_from_dict(case["request"])
            except InvalidArgument:
                continue  # a case about malformed input: no message to convert


def test_the_corpus_is_large():
    assert sum(1 for _ in corpus_requests()) > 300


def test_every_request_and_submission_converts_as_json_format_does():
    checked = 0
    for request in corpus_requests():
        messages = [request]
        kind = request.WhichOneof("submission")
        if kind:
            messages.append(getattr(request, kind))
        for message in messages:
            expected = json_format.MessageToDict(message, preserving_proto_field_name=True)
            assert message_dict(message) == expected, message
            checked += 1
    assert checked > 600


def test_free_form_extra_optional_zeros_maps_and_raw_ballots():
    request = request_from_dict({
        "locality": "x", "date": "2020-01-01",
        "ballot": {
            "purpose": "evaluation", "year": 2020, "subject": {"id": "S-1", "roles": ["village_secretary"]},
            "rounds": [{"name": "village", "cast": 0, "invalid": 0, "tallies": {"excellent": 0, "competent": 3}}],
            "ballots": [{"round": "town", "choice": "excellent"}, {"round": "town", "choice": "competent"}],
            "extra": {"level": "village", "n": 2, "nested": {"list": [1, "a", None, True]}},
        },
    })
    ballot = json_format.MessageToDict(request.ballot, preserving_proto_field_name=True)
    assert message_dict(request.ballot) == ballot
    assert ballot["rounds"][0]["cast"] == 0 and ballot["rounds"][0]["tallies"]["excellent"] == 0
    converted = submission_dict(request.ballot)
    assert converted["rounds"][1] == {"name": "town", "tallies": {"excellent": 1, "competent": 1}, "cast": 2}
    assert "ballots" not in converted


@pytest.mark.parametrize("kind", ["pledge", "meeting", "log", "ballot"])
def test_an_empty_submission_is_an_empty_dict(kind):
    request = request_from_dict({kind: {}})
    assert message_dict(getattr(request, kind)) == {}


# --- read_request: validation.validate_request's findings and json_format's dict, in one pass ----

def reference(request):
    """What read_request must give: the plain walk's problems, else json_format's submission with raw ballots tallied."""
    problems = validate_request(request)
    if problems:
        return problems, None
    submission = json_format.MessageToDict(getattr(request, request.WhichOneof("submission")),
                                           preserving_proto_field_name=True)
    if "ballots" in submission:
        tally_raw_ballots(submission)
    return problems, submission


def test_read_request_finds_and_builds_what_the_plain_walk_and_json_format_do_on_the_corpus():
    valid = invalid = 0
    for request in corpus_requests():
        expected = reference(request)
        assert read_request(request) == expected, request
        valid += not expected[0]
        invalid += bool(expected[0])
    assert valid > 300 and invalid > 0  # a few fixtures are requests the service must refuse


BAD = {COUNT: -1, YEAR: 1899, DATE: "2009-11-31", MONTH: "2010-13", DATE_OR_MONTH: "２０１１-01"}
GOOD = {COUNT: 0, YEAR: 2200, DATE: "2012-02-29", MONTH: "2010-12", DATE_OR_MONTH: "2010-01"}


def _value(kind, bad):
    if isinstance(kind, dict):
        return "Excellent" if bad else next(iter(kind))
    return (BAD if bad else GOOD)[kind]


def plant(message) -> int:
    """Fill every field of `message`, at every depth, each checked one with a bad value; how many were planted."""
    planted = 0
    for field in message.DESCRIPTOR.fields:
        kind = FIELDS.get((message.DESCRIPTOR.name, field.name))
        value = getattr(message, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value["excellent"], value["Good"], value["poor"] = 3, 1, -2  # "Good" is no code; -2 no count
            planted += 2
        elif field.message_type is not None and field.message_type.full_name == "google.protobuf.Struct":
            value.update({"n": 1.5, "deep": {"list": [1, float("nan"), {"x": float("-inf")}]}})
            planted += 2
        elif field.message_type is not None:
            for item in [value.add(), value.add()] if field.is_repeated else [value]:
                planted += plant(item)
        elif kind is None:
            if field.type == field.TYPE_STRING and field.is_repeated:
                value.extend(["a", ""])
            elif field.type == field.TYPE_STRING:
                setattr(message, field.name, "free text")
            elif field.type == field.TYPE_BOOL and not field.is_repeated:
                setattr(message, field.name, True)
        elif field.is_repeated:
            value.extend([_value(kind, False), _value(kind, True)])
            planted += 1
        else:
            setattr(message, field.name, _value(kind, True))
            planted += 1
    return planted


@pytest.mark.parametrize("kind", ["pledge", "meeting", "log", "ballot"])
def test_every_checked_field_at_every_depth_is_reported_as_the_plain_walk_reports_it(kind):
    request = pb.EvaluateRequest(date="2011-02-30", pack="demo_2020@1.0")
    planted = plant(getattr(request, kind)) + 2
    problems, submission = read_request(request)
    assert problems == validate_request(request)
    assert len(problems) == planted and submission is None
    assert problems[0] == ("date", "not a calendar date YYYY-MM-DD: '2011-02-30'")
    assert problems[-1] == ("pack", "not a pack id or id@version: 'demo_2020@1.0'")


@pytest.mark.parametrize("kind", ["pledge", "meeting", "log", "ballot"])
def test_every_field_at_every_depth_converts_as_json_format_does(kind):
    request = pb.EvaluateRequest()
    plant(getattr(request, kind))
    message = getattr(request, kind)
    _clear_non_finite(message)  # NaN is not JSON: json_format refuses it (the walk reports it)
    expected = json_format.MessageToDict(message, preserving_proto_field_name=True)
    problems, data = read_message(message)
    assert problems and data == expected  # the bad codes are reported, and the dict is built all the same


def _clear_non_finite(message):
    """Every free-form field's NaN and infinities replaced by numbers."""
    for field, value in message.ListFields():
        if field.message_type is not None and field.message_type.full_name == "google.protobuf.Struct":
            value.update({"deep": {"list": [1, 2.5, {"x": -1}]}})
        elif field.message_type is not None and not field.message_type.GetOptions().map_entry:
            for item in value if field.is_repeated else [value]:
                _clear_non_finite(item)


def test_the_inlined_checks_pass_exactly_what_check_value_passes():
    texts = [*TRICKY_TEXT, *CODES, "2011-02-28", "2012-02-29", "2011-12", "2011-01", "0001-01-01", "9999-12",
             "2011-10", "2011-09", "2011-1a", "2011-0a", "2011-W01-1", "20110228", "2011-02-28T00:00"]
    numbers = [-(2**31), -1, 0, 1, 1899, 1900, 2011, 2200, 2201, 2**31 - 1]
    kinds = {id(kind): kind for kind in FIELDS.values()}.values()
    checked = 0
    for kind in kinds:
        test = valid_test(kind)
        for value in numbers if kind in (COUNT, YEAR) else texts:
            assert bool(test(value)) == (check_value(kind, value) is None), (kind if isinstance(kind, str) else "codes", value)
            checked += 1
    assert checked > 1000
