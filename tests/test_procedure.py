"""policyhub.rules.procedure: the segments a meeting lacks and the head counts of required kinds,
as measure functions read them (and the one-fact-per-missing-item form Python rules read)."""

import pytest

from policyhub.domain.errors import InvalidArgument
from policyhub.rules.procedure import attendance_counts, lacking_segments, missing_attendance, missing_segments

MEETING = {
    "segments": ["duty_report", "discussion"],
    "attendance": {"party_members": 12, "representatives": 0},
    "extra": {"two_committees": 3, "town_leaders": 0},
}


def test_lacking_segments_in_the_order_required():
    required = ["democratic_evaluation", "duty_report", "questions", "discussion"]
    assert lacking_segments(MEETING, required) == ["democratic_evaluation", "questions"]
    assert lacking_segments({}, ["duty_report"]) == ["duty_report"]
    assert [f["segment"] for f in missing_segments(MEETING, required, "log.meetings[2]")] == [
        "democratic_evaluation", "questions"]
    assert {f["path"] for f in missing_segments(MEETING, required, "log.meetings[2]")} == {"log.meetings[2].segments"}


def test_attendance_counts_read_attendance_and_extra_with_their_paths():
    required = ["party_members", "representatives", "group_leaders", "extra.two_committees", "extra.town_leaders",
                "extra.absent"]
    assert list(attendance_counts(MEETING, required, "meeting")) == [
        ("party_members", 12, "meeting.attendance.party_members"),
        ("representatives", 0, "meeting.attendance.representatives"),
        ("group_leaders", 0, "meeting.attendance.group_leaders"),
        ("extra.two_committees", 3, "meeting.extra.two_committees"),
        ("extra.town_leaders", 0, "meeting.extra.town_leaders"),
        ("extra.absent", 0, "meeting.extra.absent"),
    ]
    assert [f["kind"] for f in missing_attendance(MEETING, required, "meeting")] == [
        "representatives", "group_leaders", "extra.town_leaders", "extra.absent"]


@pytest.mark.parametrize("value", ["7", 2.5, True, -1])
def test_a_head_count_in_extra_that_is_no_whole_number_is_refused(value):
    with pytest.raises(InvalidArgument):
        list(attendance_counts({"extra": {"two_committees": value}}, ["extra.two_committees"], "meeting"))
