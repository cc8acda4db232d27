'use strict';
/**
 * The policyhub protos, loaded at runtime, and the canonical JSON of the rulebook's
 * vocabulary.md converted to and from messages.
 *
 * protobufjs (under @grpc/proto-loader) would coerce a misspelt field away or "three" into 0;
 * the conversion here follows the proto3 JSON mapping strictly instead, so that bad input is
 * refused naming its field (as the Python client does) rather than sent as a different request.
 * Answers come back as the server's own `policyhub eval` prints them: proto field names, and
 * fields without presence always present (false, "", [], {}).
 */

const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');
const protoLoader = require('@grpc/proto-loader');

const POLICYHUB_PROTOS = ['policyhub/v1/submissions.proto', 'policyhub/v1/policyhub.proto'];
const RPC_PROTOS = ['google/rpc/status.proto', 'google/rpc/error_details.proto'];

/**
 * Where the .proto files are: a packed package carries its own copy in proto/ (see
 * scripts/copy-protos.js); in the repository the client reads ../../proto, the one contract.
 */
function protoDirectory() {
  const packed = path.join(__dirname, '..', 'proto');
  if (fs.existsSync(path.join(packed, 'policyhub', 'v1', 'policyhub.proto'))) return packed;
  return path.join(__dirname, '..', '..', '..', 'proto');
}

function loadRoot() {
  const includeDirs = [protoDirectory(), path.join(__dirname, '..', 'vendor')];
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target; // google/protobuf/*: protobufjs has those built in
  };
  root.loadSync([...POLICYHUB_PROTOS, ...RPC_PROTOS], { keepCase: true });
  root.resolveAll();
  return root;
}

const root = loadRoot();

// Message objects as protobufjs holds them: our converters below make and read these.
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: false, arrays: false, oneofs: false };
const packageDefinition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);

/** A request or answer refused on this side, naming the field. */
class ConversionError extends Error {
  /** @param {string} field @param {string} description */
  constructor(field, description) {
    super(`${field}: ${description}`);
    this.field = field;
    this.description = description;
  }
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const FREE_FORM = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);

function fullName(type) {
  return type.fullName.replace(/^\./, '');
}

function join(where, name) {
  return where ? `${where}.${name}` : name;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Canonical JSON -> a protobufjs message object for `type`.
 * @param {protobuf.Type} type @param {unknown} json @param {string} where the path so far
 */
function messageFromJson(type, json, where) {
  const name = fullName(type);
  if (name === 'google.protobuf.Struct') return structFromJson(json, where);
  if (name === 'google.protobuf.Value') return valueFromJson(json, where);
  if (name === 'google.protobuf.ListValue') return listFromJson(json, where);
  if (!isPlainObject(json)) throw new ConversionError(where || 'request', `expected an object, got ${describe(json)}`);
  const out = {};
  const oneofsSeen = new Map();
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] || type.fieldsArray.find((f) => jsonName(f) === key);
    const here = join(where, key);
    if (!field) throw new ConversionError(here, `no such field in ${name}`);
    // undefined is absent, as in JSON.stringify; null is unset, as the JSON mapping says (but a Value's null)
    if (value === undefined) continue;
    if (value === null && !(field.resolvedType && fullName(field.resolvedType) === 'google.protobuf.Value')) continue;
    if (field.partOf && !isSyntheticOneof(field.partOf)) {
      const other = oneofsSeen.get(field.partOf.name);
      if (other !== undefined) {
        throw new ConversionError(join(where, field.partOf.name), `only one of ${other} and ${key} may be set`);
      }
      oneofsSeen.set(field.partOf.name, key);
    }
    out[field.name] = fieldFromJson(field, value, here);
  }
  return out;
}

function jsonName(field) {
  return field.name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function isSyntheticOneof(oneof) {
  // proto3 `optional` fields live in a one-member oneof named _<field>.
  return oneof.fieldsArray.length === 1 && oneof.name === `_${oneof.fieldsArray[0].name}`;
}

function fieldFromJson(field, value, where) {
  if (field.map) {
    if (!isPlainObject(value)) throw new ConversionError(where, `expected an object, got ${describe(value)}`);
    const out = {};
    for (const [key, item] of Object.entries(value)) out[key] = singleFromJson(field, item, `${where}.${key}`);
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new ConversionError(where, `expected a list, got ${describe(value)}`);
    return value.map((item, i) => {
      if (item === null) throw new ConversionError(`${where}[${i}]`, 'null is not allowed in a list');
      return singleFromJson(field, item, `${where}[${i}]`);
    });
  }
  return singleFromJson(field, value, where);
}

function singleFromJson(field, value, where) {
  if (field.resolvedType instanceof protobuf.Type) return messageFromJson(field.resolvedType, value, where);
  if (field.resolvedType instanceof protobuf.Enum) return enumFromJson(field.resolvedType, value, where);
  const type = field.type;
  if (type === 'string') {
    if (typeof value !== 'string') throw new ConversionError(where, `expected a string, got ${describe(value)}`);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new ConversionError(where, `expected true or false, got ${describe(value)}`);
    return value;
  }
  if (INT32.has(type)) return integerFromJson(value, where, -(2 ** 31), 2 ** 31 - 1);
  if (UINT32.has(type)) return integerFromJson(value, where, 0, 2 ** 32 - 1);
  if (INT64.has(type)) return String(integerFromJson(value, where, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  if (type === 'double' || type === 'float') {
    if (typeof value === 'number') return value;
    if (['NaN', 'Infinity', '-Infinity'].includes(value)) return Number(value);
    throw new ConversionError(where, `expected a number, got ${describe(value)}`);
  }
  throw new ConversionError(where, `fields of type ${type} are not supported by this client`);
}

function integerFromJson(value, where, min, max) {
  let number = value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) number = Number(value);
  if (typeof number !== 'number' || !Number.isInteger(number)) {
    throw new ConversionError(where, `expected an integer, got ${describe(value)}`);
  }
  if (number < min || number > max) throw new ConversionError(where, `integer out of range: ${value}`);
  return number;
}

function enumFromJson(enumType, value, where) {
  if (typeof value === 'string' && value in enumType.values) return value;
  if (typeof value === 'number' && Object.values(enumType.values).includes(value)) return enumType.valuesById[value];
  throw new ConversionError(where, `not a value of ${fullName(enumType)}: ${describe(value)}`);
}

function structFromJson(json, where) {
  if (!isPlainObject(json)) throw new ConversionError(where, `expected an object, got ${describe(json)}`);
  const fields = {};
  for (const [key, value] of Object.entries(json)) fields[key] = valueFromJson(value, `${where}.${key}`);
  return { fields };
}

function listFromJson(json, where) {
  if (!Array.isArray(json)) throw new ConversionError(where, `expected a list, got ${describe(json)}`);
  return { values: json.map((item, i) => valueFromJson(item, `${where}[${i}]`)) };
}

function valueFromJson(json, where) {
  if (json === null) return { nullValue: 'NULL_VALUE' };
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new ConversionError(where, 'not a finite number');
    return { numberValue: json };
  }
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: listFromJson(json, where) };
  if (isPlainObject(json)) return { structValue: structFromJson(json, where) };
  throw new ConversionError(where, `not JSON: ${describe(json)}`);
}

/**
 * A protobufjs message object for `type` -> canonical JSON.
 * @param {protobuf.Type} type @param {any} object
 */
function messageToJson(type, object) {
  const name = fullName(type);
  if (name === 'google.protobuf.Struct') return structToJson(object);
  if (name === 'google.protobuf.Value') return valueToJson(object);
  if (name === 'google.protobuf.ListValue') return listToJson(object);
  const out = {};
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    const present = value !== undefined && value !== null;
    if (field.map) {
      out[field.name] = {};
      for (const [key, item] of Object.entries(value || {})) out[field.name][key] = singleToJson(field, item);
    } else if (field.repeated) {
      out[field.name] = (value || []).map((item) => singleToJson(field, item));
    } else if (present) {
      out[field.name] = singleToJson(field, value);
    } else if (!(field.resolvedType instanceof protobuf.Type) && !field.partOf) {
      out[field.name] = defaultOf(field);
    }
  }
  return out;
}

function singleToJson(field, value) {
  if (field.resolvedType instanceof protobuf.Type) return messageToJson(field.resolvedType, value);
  return value;
}

function defaultOf(field) {
  if (field.resolvedType instanceof protobuf.Enum) return field.resolvedType.valuesById[0];
  if (field.type === 'string') return '';
  if (field.type === 'bool') return false;
  if (INT64.has(field.type)) return '0';
  return 0;
}

function structToJson(struct) {
  const out = {};
  for (const [key, value] of Object.entries((struct && struct.fields) || {})) out[key] = valueToJson(value);
  return out;
}

function listToJson(list) {
  return ((list && list.values) || []).map(valueToJson);
}

function valueToJson(value) {
  if (!value) return null;
  if (value.numberValue !== undefined && value.numberValue !== null) return value.numberValue;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  if (value.structValue) return structToJson(value.structValue);
  if (value.listValue) return listToJson(value.listValue);
  return null;
}

/** @param {string} name e.g. "policyhub.v1.EvaluateRequest" */
function messageType(name) {
  return root.lookupType(name);
}

module.exports = {
  ConversionError,
  messageFromJson,
  messageToJson,
  messageType,
  packageDefinition,
  protoDirectory,
  root,
};
