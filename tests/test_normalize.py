"""normalize.message_dict gives exactly json_format's canonical JSON, on every request we have."""

from pathlib import Path

import pytest
from google.protobuf import json_format

from policyhub.caseio import load_file, request_from_dict
from policyhub.errors import InvalidArgument
from policyhub.normalize import message_dict, submission_dict

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
