'use strict';
// Retries on UNAVAILABLE only, within the call's deadline; every call carries its deadline.

const assert = require('node:assert/strict');
const { test } = require('node:test');
const { PolicyHubClient, UnavailableError, DeadlineExceededError, InvalidArgumentError } = require('..');
const { backoffMs, retryPolicy } = require('../lib/retry');
const h = require('./helpers');

const PLEDGE = 'examples/yuyao_2011/member_pledge.yaml';
const FAST = { initialBackoffMs: 10, maxBackoffMs: 50 };

async function failure(promise) {
  return promise.then(() => assert.fail('expected the call to fail'), (error) => error);
}

test('UNAVAILABLE is retried up to maxAttempts', async () => {
  const client = new PolicyHubClient(`127.0.0.1:${await h.freePort()}`, { timeoutMs: 30_000, retry: { maxAttempts: 3, ...FAST } });
  try {
    const error = await failure(client.evaluate(h.example(PLEDGE)));
    assert.ok(error instanceof UnavailableError, String(error));
    assert.equal(error.attempts, 3);
  } finally {
    client.close();
  }
});

test('the deadline stops retries before maxAttempts', async () => {
  const client = new PolicyHubClient(`127.0.0.1:${await h.freePort()}`,
    { timeoutMs: 1000, retry: { maxAttempts: 10_000, initialBackoffMs: 50, maxBackoffMs: 200 } });
  try {
    const error = await failure(client.listPacks());
    assert.ok(error instanceof UnavailableError, String(error));
    assert.ok(error.attempts > 1 && error.attempts < 10_000, `attempts ${error.attempts}`);
  } finally {
    client.close();
  }
});

test('a batch is retried too', async () => {
  const client = new PolicyHubClient(`127.0.0.1:${await h.freePort()}`, { timeoutMs: 30_000, retry: { maxAttempts: 2, ...FAST } });
  try {
    const error = await failure((async () => { for await (const _ of client.evaluateBatch([h.example(PLEDGE)])) { /* drain */ } })());
    assert.ok(error instanceof UnavailableError, String(error));
    assert.equal(error.attempts, 2);
  } finally {
    client.close();
  }
});

test('a call made before the server is up succeeds once it is', async () => {
  const port = await h.freePort();
  let retried;
  const firstRetry = new Promise((resolve) => { retried = resolve; });
  const client = new PolicyHubClient(`127.0.0.1:${port}`, {
    timeoutMs: 120_000, retry: { maxAttempts: 100_000, initialBackoffMs: 50, maxBackoffMs: 500 }, onRetry: () => retried(),
  });
  let server;
  try {
    const call = client.evaluate(h.example(PLEDGE));
    call.catch(() => {}); // awaited below
    await firstRetry;
    server = await h.startServer(port);
    const decision = await call;
    assert.equal(decision.pack.id, 'yuyao_2011');
  } finally {
    client.close();
    if (server) await server.stop();
  }
});

test('answers other than UNAVAILABLE are not retried', async () => {
  const server = await h.startServer();
  const client = new PolicyHubClient(server.target, { timeoutMs: 30_000 });
  try {
    const request = h.example(PLEDGE);
    request.pledge.published_at = 'not a date';
    const error = await failure(client.evaluate(request));
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.equal(error.attempts, 1);
  } finally {
    client.close();
    await server.stop();
  }
});

for (const [name, call] of [
  ['evaluate', (c) => c.evaluate(h.example(PLEDGE))],
  ['evaluateBatch', async (c) => { for await (const _ of c.evaluateBatch([h.example(PLEDGE)])) { /* drain */ } }],
  ['listPacks', (c) => c.listPacks()],
  ['getPack', (c) => c.getPack('yuyao_2011')],
]) {
  test(`${name} ends at its deadline when the server never answers`, async () => {
    const silent = await h.silentServer();
    const client = new PolicyHubClient(silent.target, { timeoutMs: 300 });
    try {
      const error = await failure(call(client));
      assert.ok(error instanceof DeadlineExceededError, String(error));
      assert.equal(error.attempts, 1); // DEADLINE_EXCEEDED is an answer too: not retried
    } finally {
      client.close();
      await silent.close();
    }
  });
}

test('backoff is exponential, capped, and jittered below the cap', () => {
  const policy = retryPolicy({ initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2 });
  const ceilings = [1, 2, 3, 4, 5, 6].map((n) => backoffMs(policy, n, () => 1));
  assert.deepEqual(ceilings, [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([1, 6].map((n) => backoffMs(policy, n, () => 0.5)), [50, 500]);
  for (const [i, ceiling] of ceilings.entries()) {
    const wait = backoffMs(policy, i + 1);
    assert.ok(wait >= 0 && wait <= ceiling);
  }
});

test('nonsense settings are refused', () => {
  assert.throws(() => retryPolicy({ maxAttempts: 0 }), RangeError);
  assert.throws(() => new PolicyHubClient('127.0.0.1:1', { timeoutMs: 0 }), RangeError);
  assert.throws(() => new PolicyHubClient('127.0.0.1:1', { tls: { certChain: Buffer.from('x') } }), TypeError);
});
