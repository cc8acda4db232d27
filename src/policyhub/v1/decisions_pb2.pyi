from google.protobuf import struct_pb2 as _struct_pb2
from policyhub.v1 import policyhub_pb2 as _policyhub_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DecisionRecord(_message.Message):
    __slots__ = ("seq", "decision_id", "request_id", "recorded_at", "as_of", "locality", "pack", "kind", "subject", "year", "grade", "supersedes", "history_source", "input_digest", "input", "decision", "trace", "prev_hash", "hash")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    PACK_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    INPUT_DIGEST_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    seq: int
    decision_id: str
    request_id: str
    recorded_at: str
    as_of: str
    locality: str
    pack: _policyhub_pb2.PackRef
    kind: str
    subject: str
    year: int
    grade: str
    supersedes: str
    history_source: str
    input_digest: str
    input: _struct_pb2.Struct
    decision: _policyhub_pb2.Decision
    trace: _struct_pb2.ListValue
    prev_hash: str
    hash: str
    def __init__(self, seq: _Optional[int] = ..., decision_id: _Optional[str] = ..., request_id: _Optional[str] = ..., recorded_at: _Optional[str] = ..., as_of: _Optional[str] = ..., locality: _Optional[str] = ..., pack: _Optional[_Union[_policyhub_pb2.PackRef, _Mapping]] = ..., kind: _Optional[str] = ..., subject: _Optional[str] = ..., year: _Optional[int] = ..., grade: _Optional[str] = ..., supersedes: _Optional[str] = ..., history_source: _Optional[str] = ..., input_digest: _Optional[str] = ..., input: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., decision: _Optional[_Union[_policyhub_pb2.Decision, _Mapping]] = ..., trace: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ..., prev_hash: _Optional[str] = ..., hash: _Optional[str] = ...) -> None: ...

class GetDecisionRequest(_message.Message):
    __slots__ = ("decision_id",)
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    def __init__(self, decision_id: _Optional[str] = ...) -> None: ...

class ListDecisionsRequest(_message.Message):
    __slots__ = ("subject", "subject_id", "locality", "pack", "kind", "recorded_from", "recorded_to", "page_size", "page_token")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    PACK_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FROM_FIELD_NUMBER: _ClassVar[int]
    RECORDED_TO_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    subject: str
    subject_id: str
    locality: str
    pack: str
    kind: str
    recorded_from: str
    recorded_to: str
    page_size: int
    page_token: str
    def __init__(self, subject: _Optional[str] = ..., subject_id: _Optional[str] = ..., locality: _Optional[str] = ..., pack: _Optional[str] = ..., kind: _Optional[str] = ..., recorded_from: _Optional[str] = ..., recorded_to: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDecisionsResponse(_message.Message):
    __slots__ = ("records", "next_page_token")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[DecisionRecord]
    next_page_token: str
    def __init__(self, records: _Optional[_Iterable[_Union[DecisionRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReplayDecisionRequest(_message.Message):
    __slots__ = ("decision_id",)
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    def __init__(self, decision_id: _Optional[str] = ...) -> None: ...

class ReplayDecisionResponse(_message.Message):
    __slots__ = ("identical", "difference", "replayed", "pack")
    IDENTICAL_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    PACK_FIELD_NUMBER: _ClassVar[int]
    identical: bool
    difference: str
    replayed: _policyhub_pb2.Decision
    pack: _policyhub_pb2.PackRef
    def __init__(self, identical: _Optional[bool] = ..., difference: _Optional[str] = ..., replayed: _Optional[_Union[_policyhub_pb2.Decision, _Mapping]] = ..., pack: _Optional[_Union[_policyhub_pb2.PackRef, _Mapping]] = ...) -> None: ...

class VerifyRecordRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyRecordResponse(_message.Message):
    __slots__ = ("ok", "records", "head_seq", "head_hash", "problems")
    OK_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQ_FIELD_NUMBER: _ClassVar[int]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ok: _Optional[bool] = ..., records: _Optional[int] = ..., head_seq: _Optional[int] = ..., head_hash: _Optional[str] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...
