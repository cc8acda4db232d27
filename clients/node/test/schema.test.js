'use strict';
// The canonical JSON <-> message conversion, through the same serializers the calls use.

const assert = require('node:assert/strict');
const { test } = require('node:test');
const { ConversionError, messageFromJson, messageToJson, messageType, packageDefinition } = require('../lib/schema');

const Request = messageType('policyhub.v1.EvaluateRequest');
const { Evaluate } = packageDefinition['policyhub.v1.PolicyHub'];

function roundTrip(json) {
  const bytes = Evaluate.requestSerialize(messageFromJson(Request, json, ''));
  return messageToJson(Request, Request.toObject(Request.decode(bytes), { keepCase: true, enums: String, longs: String }));
}

test('explicit zeros of optional fields survive, absent ones stay absent', () => {
  const back = roundTrip({ locality: 'x', pledge: { copies: 0, member: { age: 0 } } });
  assert.equal(back.pledge.copies, 0);
  assert.equal(back.pledge.member.age, 0);
  const absent = roundTrip({ locality: 'x', pledge: { member: {} } });
  assert.ok(!('copies' in absent.pledge) && !('age' in absent.pledge.member));
});

test('fields without presence come back with their defaults, as the server prints them', () => {
  const back = roundTrip({ pledge: {} });
  assert.equal(back.pack, '');
  assert.equal(back.trace, false);
  assert.deepEqual(back.pledge.items, []);
  assert.ok(!('meeting' in back));
});

test('free-form extra maps and tallies round-trip', () => {
  const extra = { residence: '舜北社区', counts: [1, 2.5, null, { deep: true }], none: null };
  const back = roundTrip({ pledge: { extra }, ballot: undefined });
  assert.deepEqual(back.pledge.extra, extra);
  const ballot = roundTrip({ ballot: { rounds: [{ name: 'village', tallies: { excellent: 30, competent: 10 } }] } });
  assert.deepEqual(ballot.ballot.rounds[0].tallies, { excellent: 30, competent: 10 });
});

test('lowerCamelCase names are accepted as the JSON mapping allows; null means unset', () => {
  const back = roundTrip({ requestId: 'r-1', pledge: { publishedAt: '2011-02-20', copies: null } });
  assert.equal(back.request_id, 'r-1');
  assert.equal(back.pledge.published_at, '2011-02-20');
  assert.ok(!('copies' in back.pledge));
});

for (const [json, field] of [
  [{ pledge: { copies: 'three' } }, 'pledge.copies'],
  [{ pledge: { copies: 3.5 } }, 'pledge.copies'],
  [{ pledge: { copies: 2 ** 31 } }, 'pledge.copies'],
  [{ pledge: { items: [{}, { due: 5 }] } }, 'pledge.items[1].due'],
  [{ pledge: { items: [null] } }, 'pledge.items[0]'],
  [{ pledge: { items: {} } }, 'pledge.items'],
  [{ ballot: { rounds: [{ tallies: { excellent: 'x' } }] } }, 'ballot.rounds[0].tallies.excellent'],
  [{ pledgee: {} }, 'pledgee'],
  [{ pledge: {}, log: {} }, 'submission'],
  [{ trace: 1 }, 'trace'],
  [[], 'request'],
]) {
  test(`refused naming ${field}: ${JSON.stringify(json)}`, () => {
    assert.throws(() => messageFromJson(Request, json, ''), (e) => e instanceof ConversionError && e.field === field);
  });
}

test('integers may come as strings, as the JSON mapping allows', () => {
  assert.equal(roundTrip({ pledge: { year: '2011' } }).pledge.year, 2011);
});
