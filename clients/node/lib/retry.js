'use strict';
/** Retries on UNAVAILABLE only, with exponential backoff and full jitter, inside one deadline. */

const grpc = require('@grpc/grpc-js');
const { DeadlineExceededError, fromServiceError } = require('./errors');

/**
 * @typedef {object} RetryPolicy
 * @property {number} maxAttempts calls made at most while the server is UNAVAILABLE
 * @property {number} initialBackoffMs the longest wait before the second attempt
 * @property {number} maxBackoffMs
 * @property {number} multiplier
 */

/** @type {RetryPolicy} */
const DEFAULT_RETRY = Object.freeze({ maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 5000, multiplier: 2 });

/** @param {Partial<RetryPolicy>} [overrides] @returns {RetryPolicy} */
function retryPolicy(overrides = {}) {
  const policy = { ...DEFAULT_RETRY, ...overrides };
  if (!(Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1)) {
    throw new RangeError('retry.maxAttempts must be an integer of at least 1');
  }
  if (!(policy.initialBackoffMs > 0 && policy.initialBackoffMs <= policy.maxBackoffMs && policy.multiplier >= 1)) {
    throw new RangeError('retry needs 0 < initialBackoffMs <= maxBackoffMs and multiplier >= 1');
  }
  return Object.freeze(policy);
}

/** Milliseconds to wait after that many failed attempts: uniform in [0, capped exponential). */
function backoffMs(policy, failedAttempts, random = Math.random) {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (failedAttempts - 1));
  return random() * ceiling;
}

/**
 * gRPC fails calls at once after a failed connect until its own reconnect timer fires (1 s,
 * growing to 120 s by default); keep that timer in step with the backoff so that a retry can
 * reach a server that has come back.
 */
function channelOptions(policy) {
  return {
    'grpc.initial_reconnect_backoff_ms': Math.round(policy.initialBackoffMs),
    'grpc.max_reconnect_backoff_ms': Math.round(policy.maxBackoffMs),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * attempt(deadline) until it resolves, fails with another code, attempts run out or the
 * deadline (ms since the epoch) passes; `first`, if given, is an attempt already in flight.
 * Rejects with the typed error of the last failure.
 * @template T
 * @param {(deadline: Date) => Promise<T>} attempt @param {RetryPolicy} policy @param {number} deadline
 * @param {{first?: Promise<T>, onRetry?: (info: {attempt: number, waitMs: number}) => void}} [extra]
 * @returns {Promise<T>}
 */
async function callWithRetry(attempt, policy, deadline, { first, onRetry } = {}) {
  let pending = first;
  for (let attempts = 1; ; attempts += 1) {
    try {
      if (pending) {
        const inFlight = pending;
        pending = undefined;
        return await inFlight;
      }
      if (Date.now() >= deadline) {
        throw new DeadlineExceededError('DEADLINE_EXCEEDED', 'deadline passed before the call could be made', [], attempts);
      }
      return await attempt(new Date(deadline));
    } catch (error) {
      if (!('code' in error) || typeof error.code !== 'number') throw error; // ours already, or a bug
      if (error.code !== grpc.status.UNAVAILABLE || attempts >= policy.maxAttempts) {
        throw fromServiceError(error, attempts);
      }
      const waitMs = backoffMs(policy, attempts);
      if (Date.now() + waitMs >= deadline) throw fromServiceError(error, attempts); // no time for another
      if (onRetry) onRetry({ attempt: attempts, waitMs });
      await sleep(waitMs);
    }
  }
}

module.exports = { DEFAULT_RETRY, retryPolicy, backoffMs, channelOptions, callWithRetry };
