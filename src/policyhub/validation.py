"""Field-level checks of a request: dates, codes, counts, and exactly one submission.

Each finding names the field by its path in the canonical JSON (e.g. `pledge.items[2].due`),
so a caller can fix it; all findings are reported at once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator

from google.protobuf.message import Message

from . import vocabulary as v
from .v1 import policyhub_pb2

DATE = "date"  # YYYY-MM-DD
MONTH = "month"  # YYYY-MM
DATE_OR_MONTH = "date_or_month"
COUNT = "count"  # a whole number >= 0
YEAR = "year"

_YEAR_RANGE = (1900, 2200)

# (message name, field name) -> a kind above or a code list from the vocabulary.
FIELDS: dict[tuple[str, str], object] = {
    ("EvaluateRequest", "date"): DATE,
    ("Member", "gender"): v.GENDERS,
    ("Member", "birth_date"): DATE_OR_MONTH,
    ("Member", "age"): COUNT,
    ("Member", "joined_party"): DATE_OR_MONTH,
    ("Member", "roles"): v.MEMBER_ROLES,
    ("Organization", "type"): v.ORGANIZATION_TYPES,
    ("PledgeItem", "category"): v.PLEDGE_CATEGORIES,
    ("PledgeItem", "due"): DATE_OR_MONTH,
    ("Review", "level"): v.REVIEW_LEVELS,
    ("Review", "at"): DATE,
    ("PreviousItem", "status"): v.PREVIOUS_ITEM_STATUSES,
    ("Pledge", "year"): YEAR,
    ("Pledge", "pledger"): v.PLEDGERS,
    ("Pledge", "signed_at"): DATE,
    ("Pledge", "submitted_at"): DATE,
    ("Pledge", "published_at"): DATE,
    ("Pledge", "publication_channels"): v.PUBLICATION_CHANNELS,
    ("Pledge", "copies"): COUNT,
    ("Pledge", "filed_with"): v.FILING_PLACES,
    ("Attendance", "party_members"): COUNT,
    ("Attendance", "representatives"): COUNT,
    ("Attendance", "group_leaders"): COUNT,
    ("Attendance", "town_leaders"): COUNT,
    ("Attendance", "supervisory_committee"): COUNT,
    ("Attendance", "non_party"): COUNT,
    ("RectificationItem", "deadline"): DATE,
    ("Meeting", "type"): v.MEETING_TYPES,
    ("Meeting", "date"): DATE,
    ("Meeting", "chair_role"): v.CHAIR_ROLES,
    ("Meeting", "segments"): v.AGENDA_SEGMENTS,
    ("Meeting", "photos"): COUNT,
    ("Period", "start"): DATE,
    ("Period", "end"): DATE,
    ("Activity", "date"): DATE,
    ("Activity", "photos"): COUNT,
    ("Grid", "households"): COUNT,
    ("LedgerEntry", "deadline"): DATE,
    ("Subject", "kind"): v.SUBJECT_KINDS,
    ("Subject", "role"): v.MEMBER_ROLES,
    ("Subject", "roles"): v.MEMBER_ROLES,
    ("Round", "name"): v.ROUND_NAMES,
    ("Round", "month"): MONTH,
    ("Round", "eligible"): COUNT,
    ("Round", "cast"): COUNT,
    ("Round", "invalid"): COUNT,
    ("Round", "tallies"): v.BALLOT_OPTIONS,  # keys are codes, values are counts
    ("HistoryEntry", "year"): YEAR,
    ("HistoryEntry", "grade"): v.BALLOT_OPTIONS,
    ("RawBallot", "round"): v.ROUND_NAMES,
    ("RawBallot", "choice"): v.BALLOT_OPTIONS,
    ("Ballot", "purpose"): v.BALLOT_PURPOSES,
    ("Ballot", "year"): YEAR,
    ("Ballot", "final_grade"): v.BALLOT_OPTIONS,
    ("Ballot", "award"): v.AWARDS,
    ("Ballot", "selected"): COUNT,
    ("Ballot", "base_count"): COUNT,
}

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


def parse_date(text: str) -> dt.date | None:
    """A real calendar day written YYYY-MM-DD, else None (2009-11-31 is None)."""
    if not _DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_month(text: str) -> tuple[int, int] | None:
    if not _MONTH_RE.match(text):
        return None
    year, month = int(text[:4]), int(text[5:])
    return (year, month) if 1 <= month <= 12 else None


def _check_value(kind: object, value: object) -> str | None:
    """Why `value` is not a valid `kind`, or None when it is."""
    if isinstance(kind, dict):
        return None if value in kind else f"unknown code {value!r}; expected one of: {', '.join(kind)}"
    if kind == COUNT:
        return None if value >= 0 else f"must not be negative, got {value}"
    if kind == YEAR:
        low, high = _YEAR_RANGE
        return None if low <= value <= high else f"must be a year between {low} and {high}, got {value}"
    if kind == DATE:
        return None if parse_date(value) else f"not a calendar date YYYY-MM-DD: {value!r}"
    if kind == MONTH:
        return None if parse_month(value) else f"not a month YYYY-MM: {value!r}"
    if kind == DATE_OR_MONTH:
        ok = parse_date(value) or parse_month(value)
        return None if ok else f"not a date YYYY-MM-DD or month YYYY-MM: {value!r}"
    raise AssertionError(f"unknown field kind {kind!r}")


def _walk(message: Message, path: str) -> Iterator[tuple[str, str]]:
    name = message.DESCRIPTOR.name
    for field, value in message.ListFields():
        field_path = f"{path}.{field.name}" if path else field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            kind = FIELDS.get((name, field.name))
            for key, count in value.items():
                if kind is not None:
                    problem = _check_value(kind, key)
                    if problem:
                        yield f"{field_path}.{key}", problem
                if isinstance(count, int) and count < 0:
                    yield f"{field_path}.{key}", f"must not be negative, got {count}"
            continue
        if field.message_type is not None:
            if field.message_type.full_name.startswith("google.protobuf."):
                continue  # extra, params: free-form
            if field.is_repeated:
                for i, item in enumerate(value):
                    yield from _walk(item, f"{field_path}[{i}]")
            else:
                yield from _walk(value, field_path)
            continue
        kind = FIELDS.get((name, field.name))
        if kind is None:
            continue
        if field.is_repeated:
            for i, item in enumerate(value):
                problem = _check_value(kind, item)
                if problem:
                    yield f"{field_path}[{i}]", problem
        else:
            problem = _check_value(kind, value)
            if problem:
                yield field_path, problem


def validate_request(request: policyhub_pb2.EvaluateRequest) -> list[tuple[str, str]]:
    """Every problem with the request, as (field path, description); empty when it is valid."""
    problems = list(_walk(request, ""))
    if request.WhichOneof("submission") is None:
        problems.append(("submission", "exactly one of pledge, meeting, log, ballot is required"))
    if not request.pack:
        if not request.locality:
            problems.append(("locality", "required when no pack is named"))
        if not request.date:
            problems.append(("date", "required when no pack is named"))
    elif not re.match(r"^[a-z0-9_]+(@\d+\.\d+\.\d+)?$", request.pack):
        problems.append(("pack", f"not a pack id or id@version: {request.pack!r}"))
    return problems
