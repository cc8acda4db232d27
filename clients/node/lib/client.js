'use strict';
/** PolicyHubClient: policyhub.v1.PolicyHub over gRPC, with deadlines and retries on every call. */

const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const { ConversionError, messageFromJson, messageToJson, messageType, packageDefinition } = require('./schema');
const { InvalidArgumentError, PolicyHubError } = require('./errors');
const { callWithRetry, channelOptions, retryPolicy } = require('./retry');

const DEFAULT_TARGET = '127.0.0.1:50051';
const DEFAULT_TIMEOUT_MS = 10_000; // per call (a batch call included), across its retries
const DEFAULT_BATCH_SIZE = 200;
const MAX_BATCH_SIZE = 10_000; // the server refuses larger EvaluateBatch messages
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024; // a batch of traced decisions outgrows gRPC's 4 MiB default

const { PolicyHub } = grpc.loadPackageDefinition(packageDefinition).policyhub.v1;
const types = {
  request: messageType('policyhub.v1.EvaluateRequest'),
  decision: messageType('policyhub.v1.Decision'),
  result: messageType('policyhub.v1.Result'),
  packInfo: messageType('policyhub.v1.PackInfo'),
  packDetail: messageType('policyhub.v1.GetPackResponse'),
};

/** A request refused on this side: INVALID_ARGUMENT naming the field, never sent. */
function toRequest(json) {
  try {
    return messageFromJson(types.request, json, '');
  } catch (error) {
    if (!(error instanceof ConversionError)) throw error;
    const violation = { field: error.field, description: error.description };
    throw new InvalidArgumentError('INVALID_ARGUMENT', error.message, [violation]);
  }
}

function credentialsFor(tls) {
  if (!tls) return { credentials: grpc.credentials.createInsecure(), options: {} };
  if (tls instanceof grpc.ChannelCredentials) return { credentials: tls, options: {} };
  const settings = tls === true ? {} : tls;
  if (Boolean(settings.certChain) !== Boolean(settings.privateKey)) {
    throw new TypeError('mutual TLS needs both tls.certChain and tls.privateKey');
  }
  const pem = (value) => (value == null ? null : Buffer.isBuffer(value) ? value : fs.readFileSync(value));
  const credentials = grpc.credentials.createSsl(pem(settings.rootCerts), pem(settings.privateKey), pem(settings.certChain));
  const options = settings.serverName
    ? { 'grpc.ssl_target_name_override': settings.serverName, 'grpc.default_authority': settings.serverName }
    : {};
  return { credentials, options };
}

class PolicyHubClient {
  /**
   * @param {string} [target] "host:port"
   * @param {import('../index').ClientOptions} [options]
   */
  constructor(target = DEFAULT_TARGET, options = {}) {
    const { tls, timeoutMs = DEFAULT_TIMEOUT_MS, retry, onRetry, channelOptions: extra = {} } = options;
    if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.retry = retryPolicy(retry);
    this.onRetry = onRetry;
    const { credentials, options: tlsOptions } = credentialsFor(tls);
    this._stub = new PolicyHub(target, credentials, {
      'grpc.max_receive_message_length': MAX_RECEIVE_BYTES,
      ...channelOptions(this.retry),
      ...tlsOptions,
      ...extra,
    });
  }

  close() {
    this._stub.close();
  }

  /**
   * One submission's decision, in canonical JSON.
   * @param {import('../index').EvaluateRequest} request @param {{timeoutMs?: number}} [options]
   * @returns {Promise<import('../index').Decision>}
   */
  async evaluate(request, { timeoutMs } = {}) {
    const message = toRequest(request);
    return messageToJson(types.decision, await this._call('Evaluate', message, timeoutMs));
  }

  /**
   * Results in input order, one per request, as the input is read (see the README).
   * @param {Iterable<import('../index').EvaluateRequest> | AsyncIterable<import('../index').EvaluateRequest>} requests
   * @param {{batchSize?: number, timeoutMs?: number}} [options]
   * @returns {AsyncGenerator<import('../index').Result>}
   */
  evaluateBatch(requests, { batchSize = DEFAULT_BATCH_SIZE, timeoutMs } = {}) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH_SIZE)) {
      throw new RangeError(`batchSize must be an integer between 1 and ${MAX_BATCH_SIZE}`);
    }
    return this._evaluateBatch(requests, batchSize, timeoutMs);
  }

  /**
   * @param {{locality?: string, timeoutMs?: number}} [options]
   * @returns {Promise<import('../index').PackInfo[]>}
   */
  async listPacks({ locality, timeoutMs } = {}) {
    const response = await this._call('ListPacks', { locality: locality || '' }, timeoutMs);
    return (response.packs || []).map((pack) => messageToJson(types.packInfo, pack));
  }

  /**
   * @param {string} pack "id" or "id@version" @param {{timeoutMs?: number}} [options]
   * @returns {Promise<import('../index').PackDetail>}
   */
  async getPack(pack, { timeoutMs } = {}) {
    return messageToJson(types.packDetail, await this._call('GetPack', { pack }, timeoutMs));
  }

  // ---------------------------------------------------------------- internals

  _deadline(timeoutMs) {
    return Date.now() + (timeoutMs === undefined ? this.timeoutMs : timeoutMs);
  }

  _attempt(method, request) {
    return (deadline) => {
      let call;
      const promise = new Promise((resolve, reject) => {
        call = this._stub[method](request, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
      });
      return Object.assign(promise, { call });
    };
  }

  _retrying(method, deadline, first) {
    const onRetry = this.onRetry && ((info) => this.onRetry({ method, ...info }));
    return (request) => callWithRetry(this._attempt(method, request), this.retry, deadline, { first, onRetry });
  }

  _call(method, request, timeoutMs) {
    return this._retrying(method, this._deadline(timeoutMs))(request);
  }

  async *_evaluateBatch(requests, batchSize, timeoutMs) {
    const batches = chunks(requests, batchSize);
    let offset = 0;
    let inFlight = await this._send(batches, timeoutMs);
    let following = null;
    try {
      while (inFlight) {
        // The server works on the next batch while this one's results are consumed.
        following = await this._send(batches, timeoutMs);
        for (const result of await inFlight.results(offset)) yield result;
        offset += inFlight.items.length;
        inFlight = following;
        following = null;
      }
    } finally {
      for (const batch of [inFlight, following]) if (batch) batch.cancel();
      await batches.return();
    }
  }

  async _send(batches, timeoutMs) {
    const { value: items, done } = await batches.next();
    if (done) return null;
    return new InFlightBatch(this, items, this._deadline(timeoutMs));
  }
}

/** One EvaluateBatch call, started at once and collected (with retries) when its turn comes. */
class InFlightBatch {
  constructor(client, items, deadline) {
    this.client = client;
    this.items = items.map(prepare);
    this.deadline = deadline;
    this.requests = this.items.filter((item) => !item.invalid).map((item) => item.message);
    this.pending = null;
    if (this.requests.length) {
      this.pending = client._attempt('EvaluateBatch', { requests: this.requests })(new Date(deadline));
      this.pending.catch(() => {}); // collected in results(); until then a failure must not go unhandled
    }
  }

  cancel() {
    if (this.pending) this.pending.call.cancel();
  }

  async results(offset) {
    let answers = [];
    if (this.pending) {
      const call = this.client._retrying('EvaluateBatch', this.deadline, this.pending);
      const response = await call({ requests: this.requests });
      answers = response.results || [];
      if (answers.length !== this.requests.length) {
        throw new PolicyHubError('INTERNAL', `the server answered ${answers.length} results for ${this.requests.length} requests`);
      }
    }
    let next = 0;
    return this.items.map((item, position) => {
      const index = offset + position;
      if (item.invalid) return errorResult(index, item);
      return { ...messageToJson(types.result, answers[next++]), index };
    });
  }
}

function prepare(json) {
  try {
    return { invalid: false, message: toRequest(json) };
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const requestId = json && typeof json === 'object' && typeof json.request_id === 'string' ? json.request_id : '';
    return { invalid: true, requestId, error };
  }
}

function errorResult(index, item) {
  return {
    index,
    request_id: item.requestId,
    error: { code: item.error.code, message: item.error.details, field_violations: item.error.fieldViolations },
  };
}

async function* chunks(iterable, size) {
  let chunk = [];
  for await (const item of iterable) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

module.exports = { PolicyHubClient, DEFAULT_TARGET, DEFAULT_TIMEOUT_MS, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE };
