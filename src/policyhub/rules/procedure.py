"""Meeting procedure checks driven by YAML lists: required agenda segments and attendee kinds.

A pack lists, in thresholds.yaml, the segments (`agenda segments` of vocabulary.md) and the
attendance kinds a meeting must have; these helpers yield one fact per missing item, so a rule
fires once per missing segment or kind, with a path naming it.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from . import extra
from .model import fact


def missing_segments(meeting: dict[str, Any], required: Iterable[str], path: str = "meeting") -> Iterator[dict]:
    """Facts `missing_segment` {segment, path} for each required segment the meeting lacks."""
    present = set(meeting.get("segments", []))
    for segment in required:
        if segment not in present:
            yield fact("missing_segment", segment=segment, path=f"{path}.segments")


def missing_attendance(meeting: dict[str, Any], required: Iterable[str], path: str = "meeting") -> Iterator[dict]:
    """Facts `missing_attendance` {kind, path} for each required kind with no one present.

    A kind is either an `attendance` count (party_members, …) or, prefixed `extra.`, a count
    in the meeting's `extra` map (e.g. `extra.two_committees`).
    """
    attendance = meeting.get("attendance", {})
    for kind in required:
        if kind.startswith("extra."):
            # a head count in extra: a whole number (the string "7" or 2.5 is refused, not read as nobody)
            count = extra.count(meeting, kind[len("extra."):], path) or 0
            field_path = f"{path}.{kind}"
        else:
            count = attendance.get(kind, 0)
            field_path = f"{path}.attendance.{kind}"
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
