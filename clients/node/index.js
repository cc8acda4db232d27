'use strict';
/**
 * A client for policyhub, the gRPC service that checks party-building paperwork.
 * Types: index.d.ts. Usage: README.md.
 */

const client = require('./lib/client');
const errors = require('./lib/errors');
const { DEFAULT_RETRY } = require('./lib/retry');

module.exports = {
  PolicyHubClient: client.PolicyHubClient,
  DEFAULT_TARGET: client.DEFAULT_TARGET,
  DEFAULT_TIMEOUT_MS: client.DEFAULT_TIMEOUT_MS,
  DEFAULT_BATCH_SIZE: client.DEFAULT_BATCH_SIZE,
  MAX_BATCH_SIZE: client.MAX_BATCH_SIZE,
  DEFAULT_RETRY,
  PolicyHubError: errors.PolicyHubError,
  InvalidArgumentError: errors.InvalidArgumentError,
  NotFoundError: errors.NotFoundError,
  FailedPreconditionError: errors.FailedPreconditionError,
  UnavailableError: errors.UnavailableError,
  DeadlineExceededError: errors.DeadlineExceededError,
  InternalError: errors.InternalError,
  fromResultError: errors.fromResultError,
};
