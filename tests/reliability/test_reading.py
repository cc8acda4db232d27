"""normalize.read_request against its references on mutated requests: the same findings as the
plain walk (validation.validate_request), in the same order, and json_format's dict when valid.

Mutations reach every field at any depth with hostile values (look-alike digits, huge values,
NaN in extra, thousands of items), where the corpus only holds well-formed requests.
"""

from __future__ import annotations

from google.protobuf import json_format
from hypothesis import given, settings

from policyhub.evaluation.normalize import message_dict, read_request, tally_raw_ballots
from policyhub.domain.validation import validate_request

from . import strategies
from .conftest import examples


def _json_format(message):
    try:
        return json_format.MessageToDict(message, preserving_proto_field_name=True)
    except ValueError as exc:  # NaN or an infinity in extra
        return ValueError, str(exc)


def _message_dict(message):
    try:
        return message_dict(message)
    except ValueError as exc:
        return ValueError, str(exc)


@settings(max_examples=examples(200, 0.02))
@given(strategies.mutated_requests())
def test_mutated_requests_read_as_the_plain_walk_and_json_format_read_them(request):
    problems, submission = read_request(request)
    assert problems == validate_request(request)
    kind = request.WhichOneof("submission")
    if kind is None:
        assert problems and submission is None
        return
    message = getattr(request, kind)
    expected = _json_format(message)
    assert _message_dict(message) == expected
    if problems:
        assert submission is None
    else:
        if "ballots" in expected:
            tally_raw_ballots(expected)
        assert submission == expected
