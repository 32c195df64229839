import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctForOmission, h2loadArgs, h2loadClients, parseH2load, parseH2loadLog, parseH2loadOutput } from './h2load.js';

// The lines h2load 1.52 prints, as captured from a real run against the bare uWS peer.
const OUTPUT = `starting benchmark...
finished in 5.00s, 39929.60 req/s, 5.60MB/s
requests: 199680 total, 199680 started, 199648 done, 199648 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 199648 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 5.60MB (5869651) total, 3.81MB (3993280) headers (space savings 0.00%), 2.48MB (2595424) data
                     min         max         mean         sd        +/- sd
time for request:       18us      9.23ms       511us       240us    90.29%
`;

test('a step is split over at most 32 clients, each sending at least 10/s', () => {
  assert.equal(h2loadClients(40000), 32);
  assert.equal(h2loadClients(200), 20);
  assert.equal(h2loadClients(25), 2);
  assert.equal(h2loadClients(5), 1);
  const argv = h2loadArgs('h2load', 'http://127.0.0.1:8000/hello', 40000, 5, 5, 'runs/hello/x.log');
  assert.deepEqual(argv, ['h2load', '--h1', '-t', '1', '-c', '32', '-D', '5', '--rps=1250', '-N', '5', '--log-file=runs/hello/x.log', 'http://127.0.0.1:8000/hello']);
  // The rate is split exactly, not rounded per client (3 clients x 10.333333/s = 31/s).
  assert.ok(h2loadArgs('h2load', 'u', 31, 2, 5, 'l').includes('--rps=10.333333'));
  assert.throws(() => h2loadArgs('h2load', 'u', 0, 2, 5, 'l'), /positive rate/);
  assert.throws(() => h2loadArgs('h2load', 'u', 100, 1.5, 5, 'l'), /whole seconds/);
});

test('h2load output: counts, status classes and duration; anything else is refused', () => {
  const c = parseH2loadOutput(OUTPUT);
  assert.deepEqual({ started: c.started, done: c.done, ok: c.status['2xx'], sec: c.finishedSec }, { started: 199680, done: 199648, ok: 199648, sec: 5 });
  assert.equal(parseH2loadOutput(OUTPUT.replace('finished in 5.00s', 'finished in 750.5ms')).finishedSec, 0.7505);
  assert.throws(() => parseH2loadOutput('connect: Connection refused\n'), /not h2load output/);
  assert.deepEqual(parseH2loadLog('1796043991676248\t200\t5716\n1796043991676260\t200\t251\n'), [5716, 251]);
  assert.throws(() => parseH2loadLog('garbage\n'), /not an h2load log line/);
});

test('coordinated omission: a request slower than its client\'s interval adds the ones it held back', () => {
  // Interval 1000 us: 3500 us held back requests due 1000, 2000 and 3000 us later, now 2500 and 1500 us late.
  const r = correctForOmission([200, 3500, 300], 1000);
  assert.deepEqual(r.samples, [200, 3500, 300, 2500, 1500]);
  assert.equal(r.slow, 1);
  assert.equal(r.added, 2);
  // All within one interval: nothing to correct.
  assert.deepEqual(correctForOmission([200, 999], 1000), { samples: [200, 999], added: 0, slow: 0, capped: false });
  // A collapse adds at most as many samples as were measured, and says so.
  const big = correctForOmission([10_000_000, 100], 1000);
  assert.equal(big.added, 2);
  assert.equal(big.capped, true);
  assert.throws(() => correctForOmission([1], 0), /positive/);
});

test('a step summary: corrected percentiles, the end-of-step queue and errors counted as no answer', () => {
  // 100 requests at 100/s on 10 clients (interval 100 ms): 98 fast, one 250 ms stall.
  const log = Array.from({ length: 99 }, (_, i) => `1796043991676248\t200\t${1000 + i}`).join('\n') + '\n1796043991676248\t200\t250000\n';
  const out = OUTPUT.replace('199680 total, 199680 started, 199648 done, 199648 succeeded', '100 total, 112 started, 100 done, 100 succeeded').replace('199648 2xx', '100 2xx');
  const s = parseH2load(out, log, 100, 1);
  assert.equal(s.omission.intervalMs, 100);
  assert.equal(s.omission.slow, 1);
  assert.equal(s.omission.added, 1); // the request due 100 ms after the stall began waited 150 ms
  assert.equal(s.latencyMs.max, 250);
  assert.equal(s.latencyMs.p99, 150);
  // 112 started, 100 done, 10 clients may each have one out: 2 were still queued, unanswered.
  assert.equal(s.requests, 102);
  assert.equal(s.statusCodes['0'], 2);
  assert.ok(s.success < 1);
  assert.match(s.errors.join(' '), /2 still queued/);
  assert.equal(s.sentRate, 112);
});
