from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Member(_message.Message):
    __slots__ = ("id", "name", "gender", "birth_date", "age", "joined_party", "unit", "position", "phone", "branch", "grid", "roles", "extra")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    JOINED_PARTY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    GRID_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    gender: str
    birth_date: str
    age: int
    joined_party: str
    unit: str
    position: str
    phone: str
    branch: str
    grid: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., gender: _Optional[str] = ..., birth_date: _Optional[str] = ..., age: _Optional[int] = ..., joined_party: _Optional[str] = ..., unit: _Optional[str] = ..., position: _Optional[str] = ..., phone: _Optional[str] = ..., branch: _Optional[str] = ..., grid: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Organization(_message.Message):
    __slots__ = ("id", "name", "type", "extra")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    type: str
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PledgeItem(_message.Message):
    __slots__ = ("category", "text", "target", "measures", "due", "carried_from", "id", "extra")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    CARRIED_FROM_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    category: str
    text: str
    target: str
    measures: str
    due: str
    carried_from: str
    id: str
    extra: _struct_pb2.Struct
    def __init__(self, category: _Optional[str] = ..., text: _Optional[str] = ..., target: _Optional[str] = ..., measures: _Optional[str] = ..., due: _Optional[str] = ..., carried_from: _Optional[str] = ..., id: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("level", "approved", "at", "seal")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    SEAL_FIELD_NUMBER: _ClassVar[int]
    level: str
    approved: bool
    at: str
    seal: bool
    def __init__(self, level: _Optional[str] = ..., approved: _Optional[bool] = ..., at: _Optional[str] = ..., seal: _Optional[bool] = ...) -> None: ...

class Supervision(_message.Message):
    __slots__ = ("phone", "email")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    phone: str
    email: str
    def __init__(self, phone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class PreviousItem(_message.Message):
    __slots__ = ("id", "text", "status")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    id: str
    text: str
    status: str
    def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class LinkedHousehold(_message.Message):
    __slots__ = ("head_name", "phone")
    HEAD_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    head_name: str
    phone: str
    def __init__(self, head_name: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class Pledge(_message.Message):
    __slots__ = ("id", "year", "pledger", "member", "organization", "items", "oral", "signed_at", "submitted_at", "reviews", "published_at", "publication_channels", "copies", "filed_with", "supervision", "previous_items", "linked_households", "courtyard", "extra")
    ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    PLEDGER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    ORAL_FIELD_NUMBER: _ClassVar[int]
    SIGNED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLICATION_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    COPIES_FIELD_NUMBER: _ClassVar[int]
    FILED_WITH_FIELD_NUMBER: _ClassVar[int]
    SUPERVISION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ITEMS_FIELD_NUMBER: _ClassVar[int]
    LINKED_HOUSEHOLDS_FIELD_NUMBER: _ClassVar[int]
    COURTYARD_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    year: int
    pledger: str
    member: Member
    organization: Organization
    items: _containers.RepeatedCompositeFieldContainer[PledgeItem]
    oral: bool
    signed_at: str
    submitted_at: str
    reviews: _containers.RepeatedCompositeFieldContainer[Review]
    published_at: str
    publication_channels: _containers.RepeatedScalarFieldContainer[str]
    copies: int
    filed_with: _containers.RepeatedScalarFieldContainer[str]
    supervision: Supervision
    previous_items: _containers.RepeatedCompositeFieldContainer[PreviousItem]
    linked_households: _containers.RepeatedCompositeFieldContainer[LinkedHousehold]
    courtyard: str
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., year: _Optional[int] = ..., pledger: _Optional[str] = ..., member: _Optional[_Union[Member, _Mapping]] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ..., items: _Optional[_Iterable[_Union[PledgeItem, _Mapping]]] = ..., oral: _Optional[bool] = ..., signed_at: _Optional[str] = ..., submitted_at: _Optional[str] = ..., reviews: _Optional[_Iterable[_Union[Review, _Mapping]]] = ..., published_at: _Optional[str] = ..., publication_channels: _Optional[_Iterable[str]] = ..., copies: _Optional[int] = ..., filed_with: _Optional[_Iterable[str]] = ..., supervision: _Optional[_Union[Supervision, _Mapping]] = ..., previous_items: _Optional[_Iterable[_Union[PreviousItem, _Mapping]]] = ..., linked_households: _Optional[_Iterable[_Union[LinkedHousehold, _Mapping]]] = ..., courtyard: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Attendance(_message.Message):
    __slots__ = ("party_members", "representatives", "group_leaders", "town_leaders", "supervisory_committee", "non_party")
    PARTY_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    REPRESENTATIVES_FIELD_NUMBER: _ClassVar[int]
    GROUP_LEADERS_FIELD_NUMBER: _ClassVar[int]
    TOWN_LEADERS_FIELD_NUMBER: _ClassVar[int]
    SUPERVISORY_COMMITTEE_FIELD_NUMBER: _ClassVar[int]
    NON_PARTY_FIELD_NUMBER: _ClassVar[int]
    party_members: int
    representatives: int
    group_leaders: int
    town_leaders: int
    supervisory_committee: int
    non_party: int
    def __init__(self, party_members: _Optional[int] = ..., representatives: _Optional[int] = ..., group_leaders: _Optional[int] = ..., town_leaders: _Optional[int] = ..., supervisory_committee: _Optional[int] = ..., non_party: _Optional[int] = ...) -> None: ...

class RectificationItem(_message.Message):
    __slots__ = ("content", "measures", "deadline", "owner")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MEASURES_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    content: str
    measures: str
    deadline: str
    owner: str
    def __init__(self, content: _Optional[str] = ..., measures: _Optional[str] = ..., deadline: _Optional[str] = ..., owner: _Optional[str] = ...) -> None: ...

class Rectification(_message.Message):
    __slots__ = ("published", "items")
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    published: bool
    items: _containers.RepeatedCompositeFieldContainer[RectificationItem]
    def __init__(self, published: _Optional[bool] = ..., items: _Optional[_Iterable[_Union[RectificationItem, _Mapping]]] = ...) -> None: ...

class Meeting(_message.Message):
    __slots__ = ("id", "org", "type", "date", "chair_role", "attendance", "segments", "vote_counters", "vote_supervisors", "minutes_signed_by_questioners", "minutes_signed_by_liaison_cadre", "photos", "rectification", "extra")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORG_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    CHAIR_ROLE_FIELD_NUMBER: _ClassVar[int]
    ATTENDANCE_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    VOTE_COUNTERS_FIELD_NUMBER: _ClassVar[int]
    VOTE_SUPERVISORS_FIELD_NUMBER: _ClassVar[int]
    MINUTES_SIGNED_BY_QUESTIONERS_FIELD_NUMBER: _ClassVar[int]
    MINUTES_SIGNED_BY_LIAISON_CADRE_FIELD_NUMBER: _ClassVar[int]
    PHOTOS_FIELD_NUMBER: _ClassVar[int]
    RECTIFICATION_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    org: Organization
    type: str
    date: str
    chair_role: str
    attendance: Attendance
    segments: _containers.RepeatedScalarFieldContainer[str]
    vote_counters: _containers.RepeatedScalarFieldContainer[str]
    vote_supervisors: _containers.RepeatedScalarFieldContainer[str]
    minutes_signed_by_questioners: bool
    minutes_signed_by_liaison_cadre: bool
    photos: int
    rectification: Rectification
    extra: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., org: _Optional[_Union[Organization, _Mapping]] = ..., type: _Optional[str] = ..., date: _Optional[str] = ..., chair_role: _Optional[str] = ..., attendance: _Optional[_Union[Attendance, _Mapping]] = ..., segments: _Optional[_Iterable[str]] = ..., vote_counters: _Optional[_Iterable[str]] = ..., vote_supervisors: _Optional[_Iterable[str]] = ..., minutes_signed_by_questioners: _Optional[bool] = ..., minutes_signed_by_liaison_cadre: _Optional[bool] = ..., photos: _Optional[int] = ..., rectification: _Optional[_Union[Rectification, _Mapping]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Period(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class Activity(_message.Message):
    __slots__ = ("member_id", "date", "photos", "kind", "extra")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    PHOTOS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    date: str
    photos: int
    kind: str
    extra: _struct_pb2.Struct
    def __init__(self, member_id: _Optional[str] = ..., date: _Optional[str] = ..., photos: _Optional[int] = ..., kind: _Optional[str] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Grid(_message.Message):
    __slots__ = ("name", "leader_is_member", "member_ids", "households")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEADER_IS_MEMBER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_IDS_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    leader_is_member: bool
    member_ids: _containers.RepeatedScalarFieldContainer[str]
    households: int
    def __init__(self, name: _Optional[str] = ..., leader_is_member: _Optional[bool] = ..., member_ids: _Optional[_Iterable[str]] = ..., households: _Optional[int] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("issue", "owner", "deadline", "closed")
    ISSUE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    issue: str
    owner: str
    deadline: str
    closed: bool
    def __init__(self, issue: _Optional[str] = ..., owner: _Optional[str] = ..., deadline: _Optional[str] = ..., closed: _Optional[bool] = ...) -> None: ...

class Log(_message.Message):
    __slots__ = ("org", "period", "meetings", "activities", "members", "grids", "records_complete", "affairs_published", "rectification_ledger", "extra")
    ORG_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    MEETINGS_FIELD_NUMBER: _ClassVar[int]
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    GRIDS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    AFFAIRS_PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    RECTIFICATION_LEDGER_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    org: Organization
    period: Period
    meetings: _containers.RepeatedCompositeFieldContainer[Meeting]
    activities: _containers.RepeatedCompositeFieldContainer[Activity]
    members: _containers.RepeatedCompositeFieldContainer[Member]
    grids: _containers.RepeatedCompositeFieldContainer[Grid]
    records_complete: bool
    affairs_published: bool
    rectification_ledger: _containers.RepeatedCompositeFieldContainer[LedgerEntry]
    extra: _struct_pb2.Struct
    def __init__(self, org: _Optional[_Union[Organization, _Mapping]] = ..., period: _Optional[_Union[Period, _Mapping]] = ..., meetings: _Optional[_Iterable[_Union[Meeting, _Mapping]]] = ..., activities: _Optional[_Iterable[_Union[Activity, _Mapping]]] = ..., members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., grids: _Optional[_Iterable[_Union[Grid, _Mapping]]] = ..., records_complete: _Optional[bool] = ..., affairs_published: _Optional[bool] = ..., rectification_ledger: _Optional[_Iterable[_Union[LedgerEntry, _Mapping]]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Subject(_message.Message):
    __slots__ = ("id", "name", "kind", "role", "roles")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    kind: str
    role: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., role: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class Round(_message.Message):
    __slots__ = ("name", "month", "eligible", "cast", "invalid", "tallies")
    class TalliesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    CAST_FIELD_NUMBER: _ClassVar[int]
    INVALID_FIELD_NUMBER: _ClassVar[int]
    TALLIES_FIELD_NUMBER: _ClassVar[int]
    name: str
    month: str
    eligible: int
    cast: int
    invalid: int
    tallies: _containers.ScalarMap[str, int]
    def __init__(self, name: _Optional[str] = ..., month: _Optional[str] = ..., eligible: _Optional[int] = ..., cast: _Optional[int] = ..., invalid: _Optional[int] = ..., tallies: _Optional[_Mapping[str, int]] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("year", "grade")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    year: int
    grade: str
    def __init__(self, year: _Optional[int] = ..., grade: _Optional[str] = ...) -> None: ...

class RawBallot(_message.Message):
    __slots__ = ("round", "choice")
    ROUND_FIELD_NUMBER: _ClassVar[int]
    CHOICE_FIELD_NUMBER: _ClassVar[int]
    round: str
    choice: str
    def __init__(self, round: _Optional[str] = ..., choice: _Optional[str] = ...) -> None: ...

class Ballot(_message.Message):
    __slots__ = ("purpose", "year", "subject", "scheme", "rounds", "aspects", "final_grade", "history", "award", "selected", "base_count", "ballots", "extra")
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    ROUNDS_FIELD_NUMBER: _ClassVar[int]
    ASPECTS_FIELD_NUMBER: _ClassVar[int]
    FINAL_GRADE_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    AWARD_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    BASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BALLOTS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    purpose: str
    year: int
    subject: Subject
    scheme: str
    rounds: _containers.RepeatedCompositeFieldContainer[Round]
    aspects: _containers.RepeatedScalarFieldContainer[str]
    final_grade: str
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    award: str
    selected: int
    base_count: int
    ballots: _containers.RepeatedCompositeFieldContainer[RawBallot]
    extra: _struct_pb2.Struct
    def __init__(self, purpose: _Optional[str] = ..., year: _Optional[int] = ..., subject: _Optional[_Union[Subject, _Mapping]] = ..., scheme: _Optional[str] = ..., rounds: _Optional[_Iterable[_Union[Round, _Mapping]]] = ..., aspects: _Optional[_Iterable[str]] = ..., final_grade: _Optional[str] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., award: _Optional[str] = ..., selected: _Optional[int] = ..., base_count: _Optional[int] = ..., ballots: _Optional[_Iterable[_Union[RawBallot, _Mapping]]] = ..., extra: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
