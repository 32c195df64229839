import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CapacitySearch, roundHeavyRate, roundHelloRate, type SearchResult } from './search.js';
import { heavyStepSec, PLANS, readPeers, rotate } from './plan.js';

const plan = { start: 1000, upFactor: 2, downFactor: 0.5, max: 60000, min: 100, maxSteps: 10, resolution: 0.1 };

/** Drives a search against a server whose true capacity is `capacity`. */
function drive(search: CapacitySearch, capacity: number, generatorMax = Infinity): SearchResult {
  for (let rate = search.next(); rate !== null; rate = search.next()) {
    search.record({ rate, pass: rate <= capacity, generatorLimited: rate > generatorMax });
  }
  return search.result();
}

test('steps up exponentially, then bisects to within the resolution', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 11000);
  assert.deepEqual(
    r.steps.slice(0, 5).map((s) => s.rate),
    [1000, 2000, 4000, 8000, 16000],
  );
  assert.equal(r.end, 'bracketed');
  assert.ok(r.capacity <= 11000 && r.capacity >= 11000 / 1.1, `capacity ${r.capacity}`);
  assert.ok(r.firstFailure !== null && r.firstFailure <= r.capacity * 1.1);
});

test('steps down when the first step fails', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 300);
  assert.deepEqual(
    r.steps.slice(0, 3).map((s) => s.rate),
    [1000, 500, 250],
  );
  assert.ok(r.capacity >= 250 && r.capacity <= 300);
});

test('stops at the cap and says so', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 1e9);
  assert.equal(r.end, 'capped');
  assert.equal(r.capacity, 60000);
  assert.equal(r.firstFailure, null);
});

test('a generator limit is bisected like a failure, without blaming the server', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 1e9, 5000);
  assert.equal(r.end, 'generator-limited');
  assert.ok(r.capacity > 4000 && r.capacity <= 5000, `capacity ${r.capacity}`);
  assert.equal(r.firstFailure, null);
});

test('a server failure below the generator limit is the bracket', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 6000, 12000);
  assert.equal(r.end, 'bracketed');
  assert.ok(r.capacity <= 6000 && r.capacity >= 6000 / 1.1);
  assert.ok(r.firstFailure !== null && r.firstFailure <= 8000);
});

test('a generator limited on the first step ends the search', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 1e9, 500);
  assert.equal(r.end, 'generator-limited');
  assert.equal(r.capacity, 0);
  assert.equal(r.steps.length, 1);
});

test('gives up below the minimum with capacity 0', () => {
  const r = drive(new CapacitySearch(plan, roundHelloRate), 10);
  assert.equal(r.end, 'below-minimum');
  assert.equal(r.capacity, 0);
});

test('never measures more than maxSteps, and never the same rate twice', () => {
  const r = drive(new CapacitySearch({ ...plan, maxSteps: 3 }, roundHelloRate), 11000);
  assert.equal(r.steps.length, 3);
  assert.equal(r.end, 'steps-exhausted');
  const small = drive(new CapacitySearch({ start: 0.05, upFactor: 1.3, downFactor: 0.6, max: 500, min: 0.01, maxSteps: 20, resolution: 0.01 }, roundHeavyRate), 0.07);
  assert.equal(new Set(small.steps.map((s) => s.rate)).size, small.steps.length);
});

test('heavy rates are whole requests per minute', () => {
  assert.equal(Math.round(roundHeavyRate(0.51) * 60), 31);
  assert.ok(Math.abs(roundHeavyRate(0.51) - 31 / 60) < 1e-12);
  assert.equal(roundHeavyRate(0.001), 1 / 60);
});

test('heavy steps last long enough for the planned requests, within bounds', () => {
  const h = PLANS.default.heavy;
  assert.equal(heavyStepSec(PLANS.default, 100), h.minStepSec);
  assert.equal(heavyStepSec(PLANS.default, 0.1), h.maxStepSec);
  assert.equal(heavyStepSec(PLANS.default, 2), Math.max(h.minStepSec, Math.ceil(h.minRequests / 2)));
});

test('rotation moves every engine to the front once', () => {
  const list = ['a', 'b', 'c'];
  assert.deepEqual(
    [0, 1, 2, 3].map((k) => rotate(list, k)[0]),
    ['a', 'b', 'c', 'a'],
  );
  assert.deepEqual(rotate([], 2), []);
});

test("PEERS: the profile's by default, a checked list, or none", () => {
  assert.deepEqual(readPeers({}, PLANS.default.peers.names), ['django', 'node-http', 'uws-bare']);
  assert.deepEqual(readPeers({ PEERS: ' django ,django' }, PLANS.default.peers.names), ['django']);
  assert.deepEqual(readPeers({ PEERS: 'none' }, PLANS.default.peers.names), []);
  assert.throws(() => readPeers({ PEERS: 'flask' }, PLANS.default.peers.names), /unknown peer\(s\) "flask"; known: django, node-http, uws-bare, or none/);
});

test("Django's heavy steps hold enough requests at its sub-1 req/s rates, and QUICK stays short", () => {
  for (const name of ['default', 'long'] as const) {
    const d = PLANS[name].peers.djangoHeavy;
    // At 0.5 req/s (about half the estimate on one CPU) a step still holds ten requests or more.
    assert.ok(heavyStepSec(d, 0.5) * 0.5 >= 10, name);
    assert.ok(d.search.min <= 0.1 && d.search.max <= 50, name);
  }
  const q = PLANS.quick.peers.djangoHeavy;
  assert.ok(q.search.maxSteps * q.maxStepSec <= 15, "quick: Django's heavy search takes seconds, not minutes");
});
