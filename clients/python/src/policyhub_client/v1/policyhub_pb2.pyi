from google.protobuf import struct_pb2 as _struct_pb2
from policyhub_client.v1 import submissions_pb2 as _submissions_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluateRequest(_message.Message):
    __slots__ = ("pack", "locality", "date", "pledge", "meeting", "log", "ballot", "trace", "request_id")
    PACK_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    PLEDGE_FIELD_NUMBER: _ClassVar[int]
    MEETING_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    BALLOT_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    pack: str
    locality: str
    date: str
    pledge: _submissions_pb2.Pledge
    meeting: _submissions_pb2.Meeting
    log: _submissions_pb2.Log
    ballot: _submissions_pb2.Ballot
    trace: bool
    request_id: str
    def __init__(self, pack: _Optional[str] = ..., locality: _Optional[str] = ..., date: _Optional[str] = ..., pledge: _Optional[_Union[_submissions_pb2.Pledge, _Mapping]] = ..., meeting: _Optional[_Union[_submissions_pb2.Meeting, _Mapping]] = ..., log: _Optional[_Union[_submissions_pb2.Log, _Mapping]] = ..., ballot: _Optional[_Union[_submissions_pb2.Ballot, _Mapping]] = ..., trace: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class Text(_message.Message):
    __slots__ = ("zh", "en")
    ZH_FIELD_NUMBER: _ClassVar[int]
    EN_FIELD_NUMBER: _ClassVar[int]
    zh: str
    en: str
    def __init__(self, zh: _Optional[str] = ..., en: _Optional[str] = ...) -> None: ...

class Citation(_message.Message):
    __slots__ = ("document", "clause")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    CLAUSE_FIELD_NUMBER: _ClassVar[int]
    document: str
    clause: str
    def __init__(self, document: _Optional[str] = ..., clause: _Optional[str] = ...) -> None: ...

class Violation(_message.Message):
    __slots__ = ("rule_id", "severity", "path", "message", "citation")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    severity: str
    path: str
    message: Text
    citation: Citation
    def __init__(self, rule_id: _Optional[str] = ..., severity: _Optional[str] = ..., path: _Optional[str] = ..., message: _Optional[_Union[Text, _Mapping]] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Grade(_message.Message):
    __slots__ = ("subject_id", "scheme", "code", "label", "rule_id", "citation")
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    subject_id: str
    scheme: str
    code: str
    label: Text
    rule_id: str
    citation: Citation
    def __init__(self, subject_id: _Optional[str] = ..., scheme: _Optional[str] = ..., code: _Optional[str] = ..., label: _Optional[_Union[Text, _Mapping]] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ...) -> None: ...

class Consequence(_message.Message):
    __slots__ = ("subject_id", "code", "label", "rule_id", "citation", "params")
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    subject_id: str
    code: str
    label: Text
    rule_id: str
    citation: Citation
    params: _struct_pb2.Struct
    def __init__(self, subject_id: _Optional[str] = ..., code: _Optional[str] = ..., label: _Optional[_Union[Text, _Mapping]] = ..., rule_id: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ..., params: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class TraceEntry(_message.Message):
    __slots__ = ("rule_id", "applicable", "fired", "condition", "matched", "condition_words", "fact_type", "thresholds", "checks", "clause")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICABLE_FIELD_NUMBER: _ClassVar[int]
    FIRED_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    CONDITION_WORDS_FIELD_NUMBER: _ClassVar[int]
    FACT_TYPE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    CLAUSE_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    applicable: bool
    fired: bool
    condition: str
    matched: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    condition_words: str
    fact_type: str
    thresholds: _containers.RepeatedCompositeFieldContainer[ThresholdSource]
    checks: _containers.RepeatedCompositeFieldContainer[ConditionCheck]
    clause: str
    def __init__(self, rule_id: _Optional[str] = ..., applicable: _Optional[bool] = ..., fired: _Optional[bool] = ..., condition: _Optional[str] = ..., matched: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., condition_words: _Optional[str] = ..., fact_type: _Optional[str] = ..., thresholds: _Optional[_Iterable[_Union[ThresholdSource, _Mapping]]] = ..., checks: _Optional[_Iterable[_Union[ConditionCheck, _Mapping]]] = ..., clause: _Optional[str] = ...) -> None: ...

class ConditionCheck(_message.Message):
    __slots__ = ("fact_type", "path", "branch", "holds", "comparisons", "text")
    FACT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    BRANCH_FIELD_NUMBER: _ClassVar[int]
    HOLDS_FIELD_NUMBER: _ClassVar[int]
    COMPARISONS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    fact_type: str
    path: str
    branch: str
    holds: bool
    comparisons: _containers.RepeatedCompositeFieldContainer[Comparison]
    text: str
    def __init__(self, fact_type: _Optional[str] = ..., path: _Optional[str] = ..., branch: _Optional[str] = ..., holds: _Optional[bool] = ..., comparisons: _Optional[_Iterable[_Union[Comparison, _Mapping]]] = ..., text: _Optional[str] = ...) -> None: ...

class Comparison(_message.Message):
    __slots__ = ("text", "holds", "left", "left_value", "op", "right", "right_value", "threshold", "clause", "item")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HOLDS_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    LEFT_VALUE_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    RIGHT_FIELD_NUMBER: _ClassVar[int]
    RIGHT_VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CLAUSE_FIELD_NUMBER: _ClassVar[int]
    ITEM_FIELD_NUMBER: _ClassVar[int]
    text: str
    holds: bool
    left: str
    left_value: str
    op: str
    right: str
    right_value: str
    threshold: str
    clause: str
    item: str
    def __init__(self, text: _Optional[str] = ..., holds: _Optional[bool] = ..., left: _Optional[str] = ..., left_value: _Optional[str] = ..., op: _Optional[str] = ..., right: _Optional[str] = ..., right_value: _Optional[str] = ..., threshold: _Optional[str] = ..., clause: _Optional[str] = ..., item: _Optional[str] = ...) -> None: ...

class ThresholdSource(_message.Message):
    __slots__ = ("key", "value", "clause", "quote", "rules")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CLAUSE_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    clause: str
    quote: str
    rules: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ..., clause: _Optional[str] = ..., quote: _Optional[str] = ..., rules: _Optional[_Iterable[str]] = ...) -> None: ...

class PackRef(_message.Message):
    __slots__ = ("id", "version", "digest")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: str
    digest: str
    def __init__(self, id: _Optional[str] = ..., version: _Optional[str] = ..., digest: _Optional[str] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("decision_id", "pack", "compliant", "violations", "grades", "consequences", "trace", "request_id", "notes", "history_refs", "history_source")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    PACK_FIELD_NUMBER: _ClassVar[int]
    COMPLIANT_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    GRADES_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCES_FIELD_NUMBER: _ClassVar[int]
    TRACE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_REFS_FIELD_NUMBER: _ClassVar[int]
    HISTORY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    pack: PackRef
    compliant: bool
    violations: _containers.RepeatedCompositeFieldContainer[Violation]
    grades: _containers.RepeatedCompositeFieldContainer[Grade]
    consequences: _containers.RepeatedCompositeFieldContainer[Consequence]
    trace: _containers.RepeatedCompositeFieldContainer[TraceEntry]
    request_id: str
    notes: _containers.RepeatedCompositeFieldContainer[Violation]
    history_refs: _containers.RepeatedScalarFieldContainer[str]
    history_source: str
    def __init__(self, decision_id: _Optional[str] = ..., pack: _Optional[_Union[PackRef, _Mapping]] = ..., compliant: _Optional[bool] = ..., violations: _Optional[_Iterable[_Union[Violation, _Mapping]]] = ..., grades: _Optional[_Iterable[_Union[Grade, _Mapping]]] = ..., consequences: _Optional[_Iterable[_Union[Consequence, _Mapping]]] = ..., trace: _Optional[_Iterable[_Union[TraceEntry, _Mapping]]] = ..., request_id: _Optional[str] = ..., notes: _Optional[_Iterable[_Union[Violation, _Mapping]]] = ..., history_refs: _Optional[_Iterable[str]] = ..., history_source: _Optional[str] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "message", "field_violations")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    field_violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

class EvaluateBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[EvaluateRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[EvaluateRequest, _Mapping]]] = ...) -> None: ...

class Result(_message.Message):
    __slots__ = ("index", "request_id", "decision", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    request_id: str
    decision: Decision
    error: Error
    def __init__(self, index: _Optional[int] = ..., request_id: _Optional[str] = ..., decision: _Optional[_Union[Decision, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class EvaluateBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[Result]
    def __init__(self, results: _Optional[_Iterable[_Union[Result, _Mapping]]] = ...) -> None: ...

class ListPacksRequest(_message.Message):
    __slots__ = ("locality",)
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    locality: str
    def __init__(self, locality: _Optional[str] = ...) -> None: ...

class PackInfo(_message.Message):
    __slots__ = ("id", "version", "title", "locality", "issuing_body", "document_number", "source_seed", "effective_from", "effective_to", "kinds")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    ISSUING_BODY_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SEED_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TO_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: str
    title: Text
    locality: str
    issuing_body: Text
    document_number: str
    source_seed: str
    effective_from: str
    effective_to: str
    kinds: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., version: _Optional[str] = ..., title: _Optional[_Union[Text, _Mapping]] = ..., locality: _Optional[str] = ..., issuing_body: _Optional[_Union[Text, _Mapping]] = ..., document_number: _Optional[str] = ..., source_seed: _Optional[str] = ..., effective_from: _Optional[str] = ..., effective_to: _Optional[str] = ..., kinds: _Optional[_Iterable[str]] = ...) -> None: ...

class ListPacksResponse(_message.Message):
    __slots__ = ("packs",)
    PACKS_FIELD_NUMBER: _ClassVar[int]
    packs: _containers.RepeatedCompositeFieldContainer[PackInfo]
    def __init__(self, packs: _Optional[_Iterable[_Union[PackInfo, _Mapping]]] = ...) -> None: ...

class GetPackRequest(_message.Message):
    __slots__ = ("pack",)
    PACK_FIELD_NUMBER: _ClassVar[int]
    pack: str
    def __init__(self, pack: _Optional[str] = ...) -> None: ...

class RuleInfo(_message.Message):
    __slots__ = ("id", "kinds", "severity", "citation", "message", "thresholds", "consequences", "grades", "condition_words", "threshold_sources", "fact_type", "declared_in")
    ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCES_FIELD_NUMBER: _ClassVar[int]
    GRADES_FIELD_NUMBER: _ClassVar[int]
    CONDITION_WORDS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_SOURCES_FIELD_NUMBER: _ClassVar[int]
    FACT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DECLARED_IN_FIELD_NUMBER: _ClassVar[int]
    id: str
    kinds: _containers.RepeatedScalarFieldContainer[str]
    severity: str
    citation: Citation
    message: Text
    thresholds: _containers.RepeatedScalarFieldContainer[str]
    consequences: _containers.RepeatedScalarFieldContainer[str]
    grades: bool
    condition_words: str
    threshold_sources: _containers.RepeatedCompositeFieldContainer[ThresholdSource]
    fact_type: str
    declared_in: str
    def __init__(self, id: _Optional[str] = ..., kinds: _Optional[_Iterable[str]] = ..., severity: _Optional[str] = ..., citation: _Optional[_Union[Citation, _Mapping]] = ..., message: _Optional[_Union[Text, _Mapping]] = ..., thresholds: _Optional[_Iterable[str]] = ..., consequences: _Optional[_Iterable[str]] = ..., grades: _Optional[bool] = ..., condition_words: _Optional[str] = ..., threshold_sources: _Optional[_Iterable[_Union[ThresholdSource, _Mapping]]] = ..., fact_type: _Optional[str] = ..., declared_in: _Optional[str] = ...) -> None: ...

class Interpretation(_message.Message):
    __slots__ = ("id", "text", "setting", "default_value", "value", "rule_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    text: Text
    setting: str
    default_value: _struct_pb2.Value
    value: _struct_pb2.Value
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., text: _Optional[_Union[Text, _Mapping]] = ..., setting: _Optional[str] = ..., default_value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., rule_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetPackResponse(_message.Message):
    __slots__ = ("info", "rules", "thresholds", "interpretations", "threshold_sources", "uses")
    INFO_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    THRESHOLDS_FIELD_NUMBER: _ClassVar[int]
    INTERPRETATIONS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_SOURCES_FIELD_NUMBER: _ClassVar[int]
    USES_FIELD_NUMBER: _ClassVar[int]
    info: PackInfo
    rules: _containers.RepeatedCompositeFieldContainer[RuleInfo]
    thresholds: _struct_pb2.Struct
    interpretations: _containers.RepeatedCompositeFieldContainer[Interpretation]
    threshold_sources: _containers.RepeatedCompositeFieldContainer[ThresholdSource]
    uses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, info: _Optional[_Union[PackInfo, _Mapping]] = ..., rules: _Optional[_Iterable[_Union[RuleInfo, _Mapping]]] = ..., thresholds: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., interpretations: _Optional[_Iterable[_Union[Interpretation, _Mapping]]] = ..., threshold_sources: _Optional[_Iterable[_Union[ThresholdSource, _Mapping]]] = ..., uses: _Optional[_Iterable[str]] = ...) -> None: ...
