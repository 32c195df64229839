import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THRESHOLDS } from './config.js';
import { decodeVegetaResult } from '../lab/generators/vegeta.js';
import { evaluate, requestResult, tally, verdictLines, type RequestResult } from './thresholds.js';

const parseVegetaLine = (line: string): RequestResult => requestResult(decodeVegetaResult(line));

const PRIMES = 41538;
const ok = (latencyMs: number, sentSec = 0): RequestResult => ({ code: 200, latencyMs, sentSec, primesFound: PRIMES });
const status = (code: number, latencyMs = 1): RequestResult => ({ code, latencyMs, sentSec: 0, primesFound: null });

test("the seed's thresholds, as the seed states them", () => {
  assert.deepEqual(
    THRESHOLDS.filter((t) => t.source === 'seed').map((t) => [t.metric, t.below]),
    [
      ['p50_ms', 1000],
      ['p95_ms', 3000],
      ['p99_ms', 6000],
      ['throttled', 50],
      ['server_errors', 10],
    ],
  );
});

test('throttled is 429 and 503, server errors every other 5xx, no answer is status 0', () => {
  const t = tally([ok(10), status(429), status(503), status(503), status(500), status(502), status(504), status(0), status(404)], PRIMES);
  assert.equal(t.measured.throttled, 3);
  assert.equal(t.measured.server_errors, 3);
  assert.equal(t.measured.no_answer, 1);
  assert.equal(t.ok, 1);
  assert.deepEqual(t.statusCodes, { '0': 1, '200': 1, '404': 1, '429': 1, '500': 1, '502': 1, '503': 2, '504': 1 });
});

test('a passing run: every threshold met, each named with its value', () => {
  const results = Array.from({ length: 200 }, (_, i) => ok(40 + (i % 100), i / 10));
  const t = tally(results, PRIMES);
  assert.equal(t.measured.p50_ms, 89);
  assert.equal(t.measured.p99_ms, 138);
  assert.ok(Math.abs(t.sentRate - 10) < 1e-9);
  const v = evaluate(t);
  assert.equal(v.passed, true);
  const text = verdictLines(v).join('\n');
  assert.match(text, /ok {4}P50 latency +89\.0 ms +\(must be < 1000 ms\)/);
  assert.match(text, /ok {4}throttled \(429\/503\) +0 +\(must be < 50\)/);
  assert.match(text, /verdict: PASS: all 7 thresholds met/);
});

test('a failing run names each missed threshold with its measured value', () => {
  const results = [...Array.from({ length: 90 }, () => ok(4000)), ...Array.from({ length: 60 }, () => status(503, 2))];
  const v = evaluate(tally(results, PRIMES));
  assert.equal(v.passed, false);
  const failed = v.results.filter((r) => !r.ok).map((r) => [r.threshold.metric, r.value]);
  assert.deepEqual(failed, [
    ['p50_ms', 4000],
    ['p95_ms', 4000],
    ['throttled', 60],
  ]);
  const text = verdictLines(v).join('\n');
  assert.match(text, /FAIL {2}P50 latency +4000\.0 ms +\(must be < 1000 ms\)/);
  assert.match(text, /verdict: FAIL: 3 of 7 thresholds missed \(P50 latency 4000\.0 ms; P95 latency 4000\.0 ms; throttled \(429\/503\) 60\)/);
});

test('a dead or wrong service cannot pass: no answers, wrong primes, no requests at all', () => {
  assert.equal(evaluate(tally([status(0, 0.3), status(0, 0.2)], PRIMES)).passed, false);
  const wrong = evaluate(tally([ok(5), { ...ok(5), primesFound: 1 }], PRIMES));
  assert.deepEqual(
    wrong.results.filter((r) => !r.ok).map((r) => r.threshold.metric),
    ['wrong_answers'],
  );
  const none = evaluate(tally([], PRIMES));
  assert.equal(none.passed, false);
  assert.equal(none.empty, true);
  assert.match(verdictLines(none).at(-1)!, /no request was sent/);
});

test("vegeta's JSON encoding: status, latency in ns, send time, primes_found of a 200's body", () => {
  const body = Buffer.from(JSON.stringify({ primes_found: PRIMES, digest: 'ab' })).toString('base64');
  const r = parseVegetaLine(JSON.stringify({ code: 200, latency: 48_100_000, timestamp: '2026-01-01T00:00:01.5Z', body, error: '' }));
  assert.deepEqual(r, { code: 200, latencyMs: 48.1, sentSec: Date.parse('2026-01-01T00:00:00Z') / 1000 + 1.5, primesFound: PRIMES });
  const refused = parseVegetaLine('{"code":0,"latency":556359,"timestamp":"2026-01-01T00:00:00Z","error":"connect: connection refused","body":null}');
  assert.equal(refused.code, 0);
  assert.equal(refused.primesFound, null);
  const notJson = parseVegetaLine(JSON.stringify({ code: 200, latency: 1, timestamp: '2026-01-01T00:00:00Z', body: Buffer.from('oops').toString('base64') }));
  assert.equal(notJson.primesFound, null);
});
