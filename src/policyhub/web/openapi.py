"""The HTTP API's OpenAPI 3.1 description, its schemas made from the contract's descriptors.

The schemas are walked from the compiled .proto messages, so they cannot drift from what
gRPC serves: field names as in the proto (the JSON mapping also accepts lowerCamelCase),
64-bit integers as strings, Struct as an object, Value as any JSON value.
"""

from __future__ import annotations

from typing import Any, cast

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from ..v1 import policyhub_pb2 as pb

_SCALARS: dict[int, dict[str, Any]] = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0},
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SINT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
}
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
}


def _field_schema(field: FieldDescriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value = field.message_type.fields_by_name["value"]
        return {"type": "object", "additionalProperties": _single(value, schemas)}
    schema = _single(field, schemas)
    if field.is_repeated:
        return {"type": "array", "items": schema}
    return schema


def _single(field: FieldDescriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum_type = cast(EnumDescriptor, field.enum_type)  # an enum field always has its enum type
        return {"type": "string", "enum": [v.name for v in enum_type.values]}
    if field.message_type is not None:
        return _message_ref(field.message_type, schemas)
    return dict(_SCALARS[field.type])


def _message_ref(descriptor: Descriptor, schemas: dict[str, Any]) -> dict[str, Any]:
    if descriptor.full_name in _WELL_KNOWN:
        return dict(_WELL_KNOWN[descriptor.full_name])
    name = descriptor.full_name
    if name not in schemas:
        schemas[name] = {}  # placed first: recursive messages end here
        properties = {f.name: _field_schema(f, schemas) for f in descriptor.fields}
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        oneofs = [o for o in descriptor.oneofs if not o.name.startswith("_")]
        if oneofs:
            schema["description"] = "; ".join(
                f"at most one of {', '.join(f.name for f in o.fields)} ({o.name})" for o in oneofs)
        schemas[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(ref: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def openapi(version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    ref = lambda message: _message_ref(message.DESCRIPTOR, schemas)  # noqa: E731
    error = {"$ref": "#/components/schemas/HttpError"}
    errors = {
        "400": _answer(error, "Malformed input: details[0] is a google.rpc.BadRequest naming every bad field"),
        "404": _answer(error, "No such pack (or version)"),
        "409": _answer(error, "No pack in force for the locality and date (`packs` lists the locality's), "
                              "or the pack has no rules for this kind of submission"),
        "413": _answer(error, "Request body too large"),
        "500": _answer(error, "A rule script failed (named in the message)"),
        "504": _answer(error, "The evaluation took too long"),
    }

    def body(message) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": ref(message)}}}

    paths = {
        "/v1/evaluate": {"post": {
            "operationId": "Evaluate", "summary": "One submission, one decision (PolicyHub.Evaluate)",
            "requestBody": body(pb.EvaluateRequest),
            "responses": {"200": _answer(ref(pb.Decision), "The decision"), **errors},
        }},
        "/v1/evaluate:batch": {"post": {
            "operationId": "EvaluateBatch",
            "summary": "Many submissions; results in order, each a decision or that item's own error",
            "requestBody": body(pb.EvaluateBatchRequest),
            "responses": {"200": _answer(ref(pb.EvaluateBatchResponse), "One result per request"),
                          **{k: errors[k] for k in ("400", "413", "504")}},
        }},
        "/v1/packs": {"get": {
            "operationId": "ListPacks", "summary": "The loaded packs (PolicyHub.ListPacks)",
            "parameters": [{"name": "locality", "in": "query", "required": False, "schema": {"type": "string"}}],
            "responses": {"200": _answer(ref(pb.ListPacksResponse), "The packs")},
        }},
        "/v1/packs/{pack}": {"get": {
            "operationId": "GetPack", "summary": "A pack's rules, thresholds and interpretations (PolicyHub.GetPack)",
            "parameters": [{"name": "pack", "in": "path", "required": True, "description": "id or id@version",
                            "schema": {"type": "string"}}],
            "responses": {"200": _answer(ref(pb.GetPackResponse), "The pack"), "404": errors["404"]},
        }},
    }
    schemas["HttpError"] = {
        "type": "object",
        "properties": {"error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer", "description": "the HTTP status"},
                "status": {"type": "string", "description": "the gRPC status name"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object", "properties": {
                    "@type": {"type": "string"},
                    "field_violations": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "description": {"type": "string"}}}},
                }}},
                "packs": {"type": "array", "items": ref(pb.PackInfo)},
            },
            "required": ["code", "status", "message"],
        }},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "policyhub HTTP API", "version": version,
                 "description": "policyhub.v1.PolicyHub as JSON (protobuf JSON mapping) over HTTP."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
