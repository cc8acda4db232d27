"""Field-level checks of a request: dates, codes, counts, and exactly one submission.

Each finding names the field by its path in the canonical JSON (e.g. `pledge.items[2].due`),
so a caller can fix it; all findings are reported at once.

`validate_request` here is the plain walk that defines the checks. The service reads requests
with normalize.read_request, one generated pass per message type that makes the same checks and
builds the submission's dict on the way (tests/test_normalize.py and tests/reliability/test_reading.py
hold the two to the same findings).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, cast

from google.protobuf import struct_pb2
from google.protobuf.message import Message

from . import vocabulary as v
from ..v1 import policyhub_pb2

DATE = "date"  # YYYY-MM-DD
MONTH = "month"  # YYYY-MM
DATE_OR_MONTH = "date_or_month"
COUNT = "count"  # a whole number >= 0
YEAR = "year"

YEAR_RANGE = (1900, 2200)

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

# ASCII digits, matched whole: `\d` also takes ２０１１ or ٢٠١١, and `$` a trailing newline.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH_RE = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_PACK_REF_RE = re.compile(r"[a-z0-9_]+(@[0-9]+\.[0-9]+\.[0-9]+)?")


# Days read before, by their text: a request's date is read twice (checked, then resolved) and
# requests mostly carry a few dates. Bounded (callers choose the texts): emptied when full.
_DAYS: dict[str, dt.date | None] = {}
_DAYS_HELD = 4096


def parse_date(text: str) -> dt.date | None:
    """A real calendar day written YYYY-MM-DD, else None (2009-11-31 is None)."""
    day = _DAYS.get(text, _DAYS)
    if day is not _DAYS:
        return day  # type: ignore[return-value]
    if not _DATE_RE.fullmatch(text):
        day = None
    else:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
    if len(_DAYS) >= _DAYS_HELD:
        _DAYS.clear()
    _DAYS[text] = day
    return day


def is_month(text: str) -> bool:
    """Written YYYY-MM, with a month from 01 to 12."""
    return _MONTH_RE.fullmatch(text) is not None


def parse_month(text: str) -> tuple[int, int] | None:
    return (int(text[:4]), int(text[5:])) if is_month(text) else None


def check_value(kind: object, value: Any) -> str | None:
    """Why `value` is not a valid `kind`, or None when it is (`value`: the field's own type, an int
    for a count or year, text for a date or month)."""
    if isinstance(kind, dict):
        return None if value in kind else f"unknown code {value!r}; expected one of: {', '.join(kind)}"
    if kind == COUNT:
        return None if value >= 0 else f"must not be negative, got {value}"
    if kind == YEAR:
        low, high = YEAR_RANGE
        return None if low <= value <= high else f"must be a year between {low} and {high}, got {value}"
    if kind == DATE:
        return None if parse_date(value) else f"not a calendar date YYYY-MM-DD: {value!r}"
    if kind == MONTH:
        return None if is_month(value) else f"not a month YYYY-MM: {value!r}"
    if kind == DATE_OR_MONTH:
        ok = parse_date(value) or is_month(value)
        return None if ok else f"not a date YYYY-MM-DD or month YYYY-MM: {value!r}"
    raise AssertionError(f"unknown field kind {kind!r}")


# Checks across a message's fields, after its own fields' (message name -> check(message, prefix,
# problems), `prefix` being the message's path and a dot). normalize's readers call the same
# functions at the same point of their walk, so both report the same problems in the same order.
MAX_PERIOD_YEARS = 10


def check_period(period, prefix: str, problems: list[tuple[str, str]]) -> None:
    """A ledger period that ends before it starts has no months: it is refused, not found compliant.

    A ledger answers month by month for its members: one spanning centuries (the calendar runs
    to 9999) would keep a worker busy for minutes, so a period is at most MAX_PERIOD_YEARS long.
    """
    start, end = parse_date(period.start) if period.start else None, parse_date(period.end) if period.end else None
    if start and end and end < start:
        problems.append((f"{prefix}end", f"before the period's start {period.start}"))
    elif start and end and (end.year, end.month, end.day) > (start.year + MAX_PERIOD_YEARS, start.month, start.day):
        # compared as tuples: start + 10 years may lie past 9999-12-31
        problems.append((f"{prefix}end", f"a ledger's period spans at most {MAX_PERIOD_YEARS} years "
                                         f"(from {period.start}); split a longer ledger"))


def check_raw_ballot(paper, prefix: str, problems: list[tuple[str, str]]) -> None:
    """A raw ballot paper must say which round it was cast in; tallied into no round it would invent one.

    A paper with no choice is a blank ballot (空白票): cast and invalid (tally_raw_ballots).
    """
    if not paper.round:
        problems.append((f"{prefix}round", "required: the round this ballot paper was cast in"))


CROSS_CHECKS = {"Period": check_period, "RawBallot": check_raw_ballot}


# How each field of a message type is checked (see _plan).
_MAP, _MESSAGE, _MESSAGES, _VALUE, _VALUES, _FREE_FORM = range(6)
_plans: dict[str, dict[str, tuple[int, object]]] = {}


def _plan(descriptor) -> dict[str, tuple[int, object]]:
    """Field name -> (how to walk it, its kind); fields with nothing to check are left out."""
    plan = _plans.get(descriptor.full_name)
    if plan is not None:
        return plan
    plan = {}
    for field in descriptor.fields:
        kind = FIELDS.get((descriptor.name, field.name))
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            plan[field.name] = (_MAP, kind)  # values are checked as counts even without a kind
        elif field.message_type is not None:
            if field.message_type.full_name.startswith("google.protobuf."):
                plan[field.name] = (_FREE_FORM, None)  # extra: any JSON, but JSON
                continue
            plan[field.name] = (_MESSAGES if field.is_repeated else _MESSAGE, None)
        elif kind is not None:
            plan[field.name] = (_VALUES if field.is_repeated else _VALUE, kind)
    _plans[descriptor.full_name] = plan
    return plan


def _walk(message: Message, path: str, problems: list[tuple[str, str]]) -> None:
    _walk_fields(message, path, problems)
    cross = CROSS_CHECKS.get(message.DESCRIPTOR.name)
    if cross is not None:
        cross(message, f"{path}." if path else "", problems)


def _walk_fields(message: Message, path: str, problems: list[tuple[str, str]]) -> None:
    plan = _plan(message.DESCRIPTOR)
    for field, value in message.ListFields():
        step = plan.get(field.name)
        if step is None:
            continue
        how, kind = step
        name = field.name
        if how == _VALUE:
            problem = check_value(kind, value)
            if problem:
                problems.append((f"{path}.{name}" if path else name, problem))
        elif how == _MESSAGE:
            _walk(value, f"{path}.{name}" if path else name, problems)
        elif how == _MESSAGES:
            field_path = f"{path}.{name}" if path else name
            for i, item in enumerate(value):
                _walk(item, f"{field_path}[{i}]", problems)
        elif how == _VALUES:
            for i, item in enumerate(value):
                problem = check_value(kind, item)
                if problem:
                    problems.append((f"{path}.{name}[{i}]" if path else f"{name}[{i}]", problem))
        elif how == _FREE_FORM:
            check_free_form(value, f"{path}.{name}" if path else name, problems)
        else:  # _MAP
            for key in value:  # (a upb map's .items() iterates in Python; indexing is C)
                count = value[key]
                if kind is not None:
                    problem = check_value(kind, key)
                    if problem:
                        problems.append((f"{path}.{name}.{key}" if path else f"{name}.{key}", problem))
                if isinstance(count, int) and count < 0:
                    problems.append((f"{path}.{name}.{key}" if path else f"{name}.{key}", f"must not be negative, got {count}"))


def check_free_form(value: Message, path: str, problems: list[tuple[str, str]]) -> None:
    """A Struct, Value or ListValue: NaN and infinities are not JSON, so they cannot become facts."""
    kind = value.DESCRIPTOR.name
    if kind == "Struct":
        for key, item in cast(struct_pb2.Struct, value).fields.items():
            check_free_form(item, f"{path}.{key}", problems)
    elif kind == "ListValue":
        for i, item in enumerate(cast(struct_pb2.ListValue, value).values):
            check_free_form(item, f"{path}[{i}]", problems)
    elif kind == "Value":
        json_value = cast(struct_pb2.Value, value)
        which = json_value.WhichOneof("kind")
        if which == "number_value" and not math.isfinite(json_value.number_value):
            problems.append((path, f"not a finite number: {json_value.number_value}"))
        elif which in ("struct_value", "list_value"):
            check_free_form(getattr(value, which), path, problems)


def validate_request(request: policyhub_pb2.EvaluateRequest) -> list[tuple[str, str]]:
    """Every problem with the request, as (field path, description); empty when it is valid."""
    problems: list[tuple[str, str]] = []
    _walk(request, "", problems)
    check_request(request, request.WhichOneof("submission"), problems)
    return problems


def check_request(request: policyhub_pb2.EvaluateRequest, kind: str | None, problems: list[tuple[str, str]]) -> None:
    """The request's own rules, after its fields': one submission (`kind`), and a pack or where and when."""
    if kind is None:
        problems.append(("submission", "exactly one of pledge, meeting, log, ballot is required"))
    if not request.pack:
        if not request.locality:
            problems.append(("locality", "required when no pack is named"))
        if not request.date:
            problems.append(("date", "required when no pack is named"))
    elif not _PACK_REF_RE.fullmatch(request.pack):
        problems.append(("pack", f"not a pack id or id@version: {request.pack!r}"))
