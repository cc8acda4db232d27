from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReloadRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReloadResponse(_message.Message):
    __slots__ = ("accepted", "workers")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    accepted: bool
    workers: _containers.RepeatedCompositeFieldContainer[WorkerReload]
    def __init__(self, accepted: _Optional[bool] = ..., workers: _Optional[_Iterable[_Union[WorkerReload, _Mapping]]] = ...) -> None: ...

class WorkerReload(_message.Message):
    __slots__ = ("worker", "accepted", "generation", "packs", "findings")
    WORKER_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    PACKS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    worker: int
    accepted: bool
    generation: int
    packs: _containers.RepeatedScalarFieldContainer[str]
    findings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, worker: _Optional[int] = ..., accepted: _Optional[bool] = ..., generation: _Optional[int] = ..., packs: _Optional[_Iterable[str]] = ..., findings: _Optional[_Iterable[str]] = ...) -> None: ...
