"""Request decoding: bytes that are not the method's request message are the caller's error.
(And responses: a handler may answer with the response message's wire bytes, sent as they are.)

The generated `add_PolicyHubServicer_to_server` parses requests with `FromString`; when that
fails (truncated bytes, invalid UTF-8 in a string field, nesting past protobuf's recursion
limit) grpc answers INTERNAL "Exception deserializing request!", as if the server were at
fault. `add_servicer` registers the same methods with a parser that keeps the failure, and the
call ends in INVALID_ARGUMENT with a google.rpc.BadRequest naming the request.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import ServiceDescriptor

from ..domain.errors import InvalidArgument, rich_status


class Undecodable:
    """What arrived instead of a request: the bytes did not parse as `type_name`."""

    __slots__ = ("type_name", "reason")

    def __init__(self, type_name: str, reason: str) -> None:
        self.type_name = type_name
        self.reason = reason

    def error(self, field: str) -> InvalidArgument:
        return InvalidArgument([(field, f"not a valid {self.type_name} message: {self.reason}")])


def _parser(message_class) -> Callable[[bytes], Any]:
    type_name = message_class.DESCRIPTOR.full_name

    def parse(data: bytes):
        try:
            return message_class.FromString(data)
        except Exception as exc:  # DecodeError; RecursionError-like failures from deep nesting
            return Undecodable(type_name, str(exc) or type(exc).__name__)

    return parse


def _serializer(message_class) -> Callable[[Any], bytes]:
    """The response as bytes: a message is serialised; bytes (already the method's response
    message on the wire, as the servicer makes decisions) are sent as they are."""
    serialize = message_class.SerializeToString

    def to_bytes(response) -> bytes:
        return response if type(response) is bytes else serialize(response)

    return to_bytes


def _unary(behavior: Callable) -> Callable:
    def handle(request, context):
        if isinstance(request, Undecodable):
            context.abort_with_status(rich_status(request.error("request")))
        return behavior(request, context)

    return handle


def _checked_stream(requests, context):
    """The requests of a stream; an undecodable one ends the call naming its position."""
    for index, request in enumerate(requests):
        if isinstance(request, Undecodable):
            context.abort_with_status(rich_status(request.error(f"stream[{index}]")))
        yield request


def _streaming_in(behavior: Callable) -> Callable:
    def handle(requests, context):
        return behavior(_checked_stream(requests, context), context)

    return handle


def _aio_unary(behavior: Callable) -> Callable:
    async def handle(request, context):
        if isinstance(request, Undecodable):
            await context.abort_with_status(rich_status(request.error("request")))
        return await behavior(request, context)

    return handle


async def _aio_checked_stream(requests, context):
    index = 0
    async for request in requests:
        if isinstance(request, Undecodable):
            await context.abort_with_status(rich_status(request.error(f"stream[{index}]")))
        yield request
        index += 1


def _aio_streaming_in(behavior: Callable) -> Callable:
    if inspect.iscoroutinefunction(behavior):  # stream in, one answer
        async def answer(requests, context):
            return await behavior(_aio_checked_stream(requests, context), context)

        return answer

    async def handle(requests, context):
        async for response in behavior(_aio_checked_stream(requests, context), context):
            yield response

    return handle


def _aio_unary_stream(behavior: Callable) -> Callable:
    async def handle(request, context):
        if isinstance(request, Undecodable):
            await context.abort_with_status(rich_status(request.error("request")))
        async for response in behavior(request, context):
            yield response

    return handle


def _wrapped(behavior: Callable, client_streaming: bool, server_streaming: bool) -> Callable:
    """The handler around `behavior`: a coroutine (or async generator) runs on a grpc.aio server's
    event loop, a plain function in a thread (the sync server's pool, or an aio server's)."""
    if inspect.iscoroutinefunction(behavior) or inspect.isasyncgenfunction(behavior):
        if client_streaming:
            return _aio_streaming_in(behavior)
        return _aio_unary_stream(behavior) if inspect.isasyncgenfunction(behavior) else _aio_unary(behavior)
    return _streaming_in(behavior) if client_streaming else _unary(behavior)


def add_servicer(servicer: Any, server, service: ServiceDescriptor) -> None:
    """Register every method of `service` on `server`, as the generated code does, but with
    requests that do not parse answered INVALID_ARGUMENT."""
    handlers = {}
    for method in service.methods:
        parse = _parser(message_factory.GetMessageClass(method.input_type))
        serialize = _serializer(message_factory.GetMessageClass(method.output_type))
        behavior = getattr(servicer, method.name)
        wrapped = _wrapped(behavior, method.client_streaming, method.server_streaming)
        if method.client_streaming and method.server_streaming:
            make = grpc.stream_stream_rpc_method_handler
        elif method.client_streaming:
            make = grpc.stream_unary_rpc_method_handler
        elif method.server_streaming:
            make = grpc.unary_stream_rpc_method_handler
        else:
            make = grpc.unary_unary_rpc_method_handler
        handlers[method.name] = make(wrapped, request_deserializer=parse, response_serializer=serialize)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))
    server.add_registered_method_handlers(service.full_name, handlers)
