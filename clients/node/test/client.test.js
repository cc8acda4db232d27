'use strict';
// evaluate, evaluateBatch, listPacks and getPack against a live policyhub server.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');
const {
  PolicyHubClient, InvalidArgumentError, NotFoundError, FailedPreconditionError, DeadlineExceededError, PolicyHubError,
  fromResultError,
} = require('..');
const h = require('./helpers');

const PLEDGE = 'examples/yuyao_2011/member_pledge.yaml';
let server;
let client;

before(async () => {
  server = await h.startServer();
  client = new PolicyHubClient(server.target, { timeoutMs: 30_000 });
});

after(async () => {
  if (client) client.close();
  if (server) await server.stop();
});

describe('evaluate', () => {
  test('a pledge gets the decision the engine gives', async () => {
    const request = h.example(PLEDGE);
    const decision = await client.evaluate(request);
    assert.equal(decision.pack.id, 'yuyao_2011');
    assert.ok(decision.decision_id);
    assert.deepEqual(h.withoutId(decision), h.withoutId(h.evaluatedInProcess(request)));
  });

  test('a pledge with violations reports the rules its fixture expects', async () => {
    const fixture = h.fixtureCases('yuyao_2011', 'pledge.yaml').find((c) => (c.expect.violations_include || []).length);
    const decision = await client.evaluate(fixture.request);
    for (const rule of fixture.expect.violations_include) assert.ok(h.fired(decision).has(rule), `${fixture.name}: ${rule}`);
    assert.deepEqual(h.withoutId(decision), h.withoutId(h.evaluatedInProcess(fixture.request)));
  });

  test('a ballot gets its grade and consequences', async () => {
    const fixture = h.fixtureCases('town_shuangshu_2010', 'ballot.yaml')
      .find((c) => c.expect.grade && (c.expect.consequences_include || []).length);
    const decision = await client.evaluate(fixture.request);
    assert.ok(decision.grades.some((g) => g.code === fixture.expect.grade), fixture.name);
    const codes = new Set(decision.consequences.map((c) => c.code));
    for (const code of fixture.expect.consequences_include) assert.ok(codes.has(code), code);
    assert.deepEqual(h.withoutId(decision), h.withoutId(h.evaluatedInProcess(fixture.request)));
  });

  test('request_id and the trace come back', async () => {
    const decision = await client.evaluate({ ...h.example(PLEDGE), request_id: 'ticket-7', trace: true });
    assert.equal(decision.request_id, 'ticket-7');
    assert.ok(decision.trace.length && decision.trace.every((entry) => entry.rule_id));
  });

  test('bad input is INVALID_ARGUMENT with the server\'s field violations', async () => {
    const request = h.example(PLEDGE);
    request.pledge.published_at = '2011-02-30';
    request.pledge.items[1].due = '2009-11-31';
    const error = await client.evaluate(request).then(() => null, (e) => e);
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.ok(error instanceof PolicyHubError);
    const fields = error.fieldViolations.map((v) => v.field);
    assert.ok(fields.includes('pledge.published_at') && fields.includes('pledge.items[1].due'), fields.join());
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.equal(error.attempts, 1);
  });

  for (const [change, field] of [
    [(r) => { r.pledge.copies = 'three'; }, 'pledge.copies'],
    [(r) => { r.pledge.items[2].due = 20111231; }, 'pledge.items[2].due'],
    [(r) => { r.pledge.member.nmae = 'x'; }, 'pledge.member.nmae'],
    [(r) => { r.ballot = {}; }, 'submission'],
    [(r) => { r.trace = 'yes'; }, 'trace'],
  ]) {
    test(`a request that does not fit the proto is refused naming ${field}`, async () => {
      const request = h.example(PLEDGE);
      change(request);
      const error = await client.evaluate(request).then(() => null, (e) => e);
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.deepEqual(error.fieldViolations.map((v) => v.field), [field]);
    });
  }

  test('an unknown pack is NOT_FOUND', async () => {
    await assert.rejects(client.evaluate({ ...h.example(PLEDGE), pack: 'no_such_pack_1999' }), NotFoundError);
    await assert.rejects(client.getPack('no_such_pack_1999'), NotFoundError);
  });

  test('no pack in force is FAILED_PRECONDITION', async () => {
    await assert.rejects(client.evaluate({ ...h.example(PLEDGE), date: '1990-01-01' }),
      (e) => e instanceof FailedPreconditionError && e.details.includes('yuyao'));
  });
});

describe('evaluateBatch', () => {
  function mixedRequests() {
    const pledge = h.example(PLEDGE);
    const badDate = h.example(PLEDGE);
    badDate.pledge.published_at = '2011-02-30';
    const ballot = h.fixtureCases('town_shuangshu_2010', 'ballot.yaml')[0].request;
    return [
      { ...pledge, request_id: 'ok-1' },
      { ...badDate, request_id: 'server-refuses' },
      { request_id: 'client-refuses', pledge: { copies: 'three' } },
      { ...ballot, request_id: 'ok-2' },
      { ...pledge, pack: 'no_such_pack_1999', request_id: 'unknown-pack' },
      { ...pledge, date: '1990-01-01', request_id: 'out-of-force' },
      { ...ballot, request_id: 'ok-3' },
    ];
  }

  test('results come in input order, each with its own error', async () => {
    const requests = mixedRequests();
    const results = [];
    for await (const result of client.evaluateBatch(requests, { batchSize: 2 })) results.push(result);
    assert.deepEqual(results.map((r) => r.index), requests.map((_, i) => i));
    assert.deepEqual(results.map((r) => r.request_id), requests.map((r) => r.request_id));
    const outcome = Object.fromEntries(results.map((r) => [r.request_id, r.error ? r.error.code : 'decision']));
    assert.deepEqual(outcome, {
      'ok-1': 'decision', 'server-refuses': 'INVALID_ARGUMENT', 'client-refuses': 'INVALID_ARGUMENT',
      'ok-2': 'decision', 'unknown-pack': 'NOT_FOUND', 'out-of-force': 'FAILED_PRECONDITION', 'ok-3': 'decision',
    });
    const byId = Object.fromEntries(results.map((r) => [r.request_id, r]));
    assert.equal(byId['server-refuses'].error.field_violations[0].field, 'pledge.published_at');
    assert.equal(byId['client-refuses'].error.field_violations[0].field, 'pledge.copies');
    assert.ok(fromResultError(byId['unknown-pack'].error) instanceof NotFoundError);
  });

  test('batched decisions equal single ones, from an async iterable', async () => {
    const requests = h.fixtureCases('yuyao_2011', 'pledge.yaml').slice(0, 9).map((c) => c.request);
    async function* source() { for (const request of requests) yield request; }
    const results = [];
    for await (const result of client.evaluateBatch(source(), { batchSize: 4 })) results.push(result);
    assert.equal(results.length, requests.length);
    for (const [i, request] of requests.entries()) {
      assert.deepEqual(h.withoutId(results[i].decision), h.withoutId(await client.evaluate(request)));
    }
  });

  test('an endless input is read only a couple of batches ahead', async () => {
    const request = h.example(PLEDGE);
    let read = 0;
    function* endless() { for (;;) { read += 1; yield request; } }
    const seen = [];
    for await (const result of client.evaluateBatch(endless(), { batchSize: 10 })) {
      assert.equal(result.decision.pack.id, 'yuyao_2011');
      seen.push(result.index);
      if (seen.length === 25) break;
    }
    assert.deepEqual(seen, [...Array(25).keys()]);
    assert.ok(read <= 25 + 2 * 10, `read ${read} requests for 25 results`);
  });

  test('a batch slower than its deadline fails with DEADLINE_EXCEEDED', async () => {
    // 500 evaluations take the server far longer than 20 ms; the client must not wait for them.
    const requests = Array.from({ length: 500 }, () => h.example(PLEDGE));
    await assert.rejects(async () => {
      for await (const _ of client.evaluateBatch(requests, { batchSize: 500, timeoutMs: 20 })) { /* drain */ }
    }, DeadlineExceededError);
  });

  test('an empty input gives no results, and nonsense batch sizes are refused', async () => {
    for await (const _ of client.evaluateBatch([])) assert.fail('no results expected');
    assert.throws(() => client.evaluateBatch([], { batchSize: 0 }), RangeError);
    assert.throws(() => client.evaluateBatch([], { batchSize: 10_001 }), RangeError);
  });
});

describe('packs', () => {
  test('listPacks names the packs the server loaded, by locality too', async () => {
    const packs = await client.listPacks();
    assert.deepEqual(packs.map((p) => `${p.id}@${p.version}`).sort(), h.packRefsInProcess().sort());
    const yuyao = await client.listPacks({ locality: 'yuyao' });
    assert.ok(yuyao.length && yuyao.length < packs.length && yuyao.every((p) => p.locality === 'yuyao'));
  });

  test('getPack returns rules with citations and thresholds', async () => {
    const pack = await client.getPack('yuyao_2011');
    assert.equal(pack.info.id, 'yuyao_2011');
    assert.ok(pack.rules.length && pack.rules.every((rule) => rule.citation.clause));
    assert.ok(Object.keys(pack.thresholds).length);
    assert.deepEqual(await client.getPack(`yuyao_2011@${pack.info.version}`), pack);
  });
});
