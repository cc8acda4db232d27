'use strict';
/** Typed errors for policyhub's gRPC status codes, with the fields a BadRequest names. */

const grpc = require('@grpc/grpc-js');
const { root } = require('./schema');

const Status = root.lookupType('google.rpc.Status');
const BadRequest = root.lookupType('google.rpc.BadRequest');
const BAD_REQUEST_URL = 'type.googleapis.com/google.rpc.BadRequest';

const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([name, number]) => [number, name]));

/**
 * A call failed. `code` is the gRPC status name (e.g. "NOT_FOUND"), `message` the server's words,
 * `fieldViolations` the fields a BadRequest detail names, `attempts` the calls made (more than 1
 * only after retries on UNAVAILABLE).
 */
class PolicyHubError extends Error {
  /**
   * @param {string} code @param {string} message
   * @param {{field: string, description: string}[]} [fieldViolations] @param {number} [attempts]
   */
  constructor(code, message, fieldViolations = [], attempts = 1) {
    super(`${code}: ${message}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`);
    this.name = new.target.name;
    this.code = code;
    this.details = message;
    this.fieldViolations = fieldViolations;
    this.attempts = attempts;
  }
}

/** Bad input; fieldViolations names each bad field, e.g. "pledge.items[2].due". */
class InvalidArgumentError extends PolicyHubError {}
/** The pack named does not exist. */
class NotFoundError extends PolicyHubError {}
/** No pack in force for the locality and date, or none with rules for the submission kind. */
class FailedPreconditionError extends PolicyHubError {}
/** The server could not be reached, after every retry the policy and the deadline allowed. */
class UnavailableError extends PolicyHubError {}
/** The call's deadline passed before the answer came. */
class DeadlineExceededError extends PolicyHubError {}
/** The server failed on this request (e.g. a pack's rule script raised). */
class InternalError extends PolicyHubError {}

const BY_CODE = {
  INVALID_ARGUMENT: InvalidArgumentError,
  NOT_FOUND: NotFoundError,
  FAILED_PRECONDITION: FailedPreconditionError,
  UNAVAILABLE: UnavailableError,
  DEADLINE_EXCEEDED: DeadlineExceededError,
  INTERNAL: InternalError,
};

/** The error class for a status name (the base class for codes without their own). */
function makeError(code, message, fieldViolations = [], attempts = 1) {
  const ErrorClass = BY_CODE[code] || PolicyHubError;
  return new ErrorClass(code, message, fieldViolations, attempts);
}

/** A failed grpc-js call as a typed error; a BadRequest detail becomes fieldViolations. */
function fromServiceError(error, attempts = 1) {
  const code = CODE_NAMES[error.code] || 'UNKNOWN';
  return makeError(code, error.details || error.message || '', fieldViolationsOf(error), attempts);
}

/** One batch item's error (the `error` of a result) as the matching error object. */
function fromResultError(error) {
  return makeError(error.code, error.message, error.field_violations || []);
}

function fieldViolationsOf(error) {
  const raw = error.metadata && error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return [];
  try {
    const status = Status.decode(raw);
    return status.details
      .filter((detail) => detail.type_url === BAD_REQUEST_URL)
      .flatMap((detail) => BadRequest.decode(detail.value).field_violations)
      .map((v) => ({ field: v.field, description: v.description }));
  } catch {
    return []; // undecodable details: the code and message still stand
  }
}

module.exports = {
  PolicyHubError,
  InvalidArgumentError,
  NotFoundError,
  FailedPreconditionError,
  UnavailableError,
  DeadlineExceededError,
  InternalError,
  makeError,
  fromServiceError,
  fromResultError,
};
