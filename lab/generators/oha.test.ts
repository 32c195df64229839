import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ohaArgs, parseOha } from './oha.js';

const nulls = { p10: null, p25: null, p50: null, p75: null, p90: null, p95: null, p99: null, 'p99.9': null, 'p99.99': null };

test('oha runs at a constant rate, corrected for coordinated omission, waiting for the last answers', () => {
  const argv = ohaArgs('oha', 'http://127.0.0.1:8000/hello', 40000, 5, 5);
  const flag = (f: string) => argv[argv.indexOf(f) + 1];
  assert.equal(flag('-q'), '40000');
  assert.equal(flag('-z'), '5s');
  assert.ok(argv.includes('--latency-correction'));
  assert.ok(argv.includes('-w'), 'answers in flight at the end are waited for, not counted as errors');
  assert.equal(flag('--output-format'), 'json');
  assert.equal(argv.at(-1), 'http://127.0.0.1:8000/hello');
});

test("oha's JSON output as a step summary: sent rate over the asked duration, success, ms percentiles, codes", () => {
  const out = JSON.stringify({
    summary: { successRate: 1, total: 5.0021, slowest: 0.0121, fastest: 0.00005, average: 0.0002, requestsPerSec: 39990 },
    latencyPercentiles: { ...nulls, p50: 0.00011, p90: 0.0002, p95: 0.0003, p99: 0.0021 },
    statusCodeDistribution: { '200': 199_950 },
    errorDistribution: {},
  });
  const s = parseOha(out, 5);
  assert.equal(s.requests, 199_950);
  assert.equal(s.sentRate, 39_990);
  assert.equal(s.success, 1);
  assert.ok(Math.abs(s.latencyMs.p99 - 2.1) < 1e-9);
  assert.ok(Math.abs(s.latencyMs.max - 12.1) < 1e-9);
  assert.deepEqual(s.statusCodes, { '200': 199_950 });
  assert.deepEqual(s.errors, []);
});

test('errors without an answer count as requests with status 0, and never as success', () => {
  const out = JSON.stringify({
    summary: { successRate: 0.5, total: 1, slowest: 0.001, fastest: 0.001, average: 0.001, requestsPerSec: 4 },
    latencyPercentiles: { ...nulls, p50: 0.001, p99: 0.001 },
    statusCodeDistribution: { '200': 1, '503': 1 },
    errorDistribution: { 'Connection refused (os error 111)': 2 },
  });
  const s = parseOha(out, 1);
  assert.equal(s.requests, 4);
  assert.equal(s.success, 0.25);
  assert.deepEqual(s.statusCodes, { '200': 1, '503': 1, '0': 2 });
  assert.deepEqual(s.errors, ['Connection refused (os error 111)']);
  const dead = parseOha(
    JSON.stringify({
      summary: { total: 0.001, slowest: null, fastest: null, average: null, requestsPerSec: 0 },
      latencyPercentiles: nulls,
      statusCodeDistribution: {},
      errorDistribution: { refused: 3 },
    }),
    1,
  );
  assert.equal(dead.success, 0);
  assert.equal(dead.requests, 3);
});
