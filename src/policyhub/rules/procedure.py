"""Meeting procedure measured against YAML lists: required agenda segments and attendee kinds.

A pack lists, in thresholds.yaml, the segments (`agenda segments` of vocabulary.md) and the
attendance kinds a meeting must have. `lacking_segments` and `attendance_counts` measure them for a
pack's measure functions (rules as data compare the counts); `missing_segments` and
`missing_attendance` yield one fact per missing item for rules still written in Python.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from . import extra
from .model import fact


def lacking_segments(meeting: dict[str, Any], required: Iterable[str]) -> list[str]:
    """The required segments the meeting does not record, in the order required."""
    present = set(meeting.get("segments", []))
    return [segment for segment in required if segment not in present]


def missing_segments(meeting: dict[str, Any], required: Iterable[str], path: str = "meeting") -> Iterator[dict]:
    """Facts `missing_segment` {segment, path} for each required segment the meeting lacks."""
    for segment in lacking_segments(meeting, required):
        yield fact("missing_segment", segment=segment, path=f"{path}.segments")


def attendance_counts(meeting: dict[str, Any], required: Iterable[str], path: str = "meeting") -> Iterator[tuple[str, int, str]]:
    """(kind, how many came, the field's path) for each required kind.

    A kind is either an `attendance` count (party_members, …) or, prefixed `extra.`, a count
    in the meeting's `extra` map (e.g. `extra.two_committees`).
    """
    attendance = meeting.get("attendance", {})
    for kind in required:
        if kind.startswith("extra."):
            # a head count in extra: a whole number (the string "7" or 2.5 is refused, not read as nobody)
            yield kind, extra.count(meeting, kind[len("extra."):], path) or 0, f"{path}.{kind}"
        else:
            yield kind, attendance.get(kind, 0), f"{path}.attendance.{kind}"


def missing_attendance(meeting: dict[str, Any], required: Iterable[str], path: str = "meeting") -> Iterator[dict]:
    """Facts `missing_attendance` {kind, path} for each required kind with no one present."""
    for kind, count, field_path in attendance_counts(meeting, required, path):
        if count <= 0:
            yield fact("missing_attendance", kind=kind, path=field_path)


def meetings_of(submission: dict[str, Any], kind: str, meeting_type: str | None = None) -> Iterator[tuple[dict, str]]:
    """The meetings of a `meeting` submission (itself) or a `log` (its meetings), with their paths."""
    if kind == "meeting":
        candidates = [(submission, "meeting")]
    elif kind == "log":
        candidates = [(mt, f"log.meetings[{i}]") for i, mt in enumerate(submission.get("meetings", []))]
    else:
        candidates = []
    for meeting, path in candidates:
        if meeting_type is None or meeting.get("type") == meeting_type:
            yield meeting, path
