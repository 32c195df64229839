import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctForOmission, h2loadArgs, h2loadClients, h2loadPlan, parseH2load, parseH2loadLog, parseH2loadOutput } from './h2load.js';

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
  assert.deepEqual(argv, ['h2load', '--h1', '-t', '1', '-c', '32', '-n', '200000', '--rps=1250', '-r', '32', '--rate-period=1ms', '-N', '5', '-T', '10', '--log-file=runs/hello/x.log', 'http://127.0.0.1:8000/hello']);
  // The rate is split exactly, not rounded per client (3 clients x 10.333333/s = 31/s).
  assert.ok(h2loadArgs('h2load', 'u', 31, 2, 5, 'l').includes('--rps=10.333333'));
  assert.throws(() => h2loadArgs('h2load', 'u', 0, 2, 5, 'l'), /positive rate/);
  // The clients' clocks spread over one client's interval: at 500/s, 32 clients 64 ms apart each, one started every 2 ms.
  assert.deepEqual(h2loadPlan(500, 5), { requests: 2500, clients: 32, periodMs: 2, perPeriod: 1 });
  assert.deepEqual(h2loadPlan(4000, 5), { requests: 20000, clients: 32, periodMs: 1, perPeriod: 4 });
  // Never more clients than requests.
  assert.deepEqual(h2loadPlan(25, 1), { requests: 25, clients: 2, periodMs: 40, perPeriod: 1 });
  assert.throws(() => h2loadArgs('h2load', 'u', 100, 1.5, 5, 'l'), /whole seconds/);
});

test('h2load output: counts, status classes and duration; anything else is refused', () => {
  const c = parseH2loadOutput(OUTPUT);
  assert.deepEqual({ total: c.total, started: c.started, done: c.done, ok: c.status['2xx'], sec: c.finishedSec }, { total: 199680, started: 199680, done: 199648, ok: 199648, sec: 5 });
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
  assert.deepEqual(correctForOmission([200, 999], 1000), { samples: [200, 999], added: 0, slow: 0 });
  // A 10 s stall at a 1 ms interval: the 9,999 requests due meanwhile, 9,999 ms down to 1 ms late.
  const big = correctForOmission([10_000_000, 100], 1000);
  assert.equal(big.added, 9999);
  assert.equal(Math.max(...big.samples.slice(2)), 9_999_000);
  assert.throws(() => correctForOmission([1], 0), /positive/);
});

test('a step summary: corrected percentiles, and every planned request answered or counted unanswered', () => {
  // 100 requests at 100/s on 10 clients (interval 100 ms): 99 fast, one 250 ms stall.
  const log = Array.from({ length: 99 }, (_, i) => `1796043991676248\t200\t${1000 + i}`).join('\n') + '\n1796043991676248\t200\t250000\n';
  const out = OUTPUT.replace('199680 total, 199680 started, 199648 done, 199648 succeeded', '100 total, 100 started, 100 done, 100 succeeded').replace('199648 2xx', '100 2xx').replace('finished in 5.00s', 'finished in 1.00s');
  const s = parseH2load(out, log, 100, 1);
  assert.equal(s.omission.intervalMs, 100);
  assert.equal(s.omission.slow, 1);
  assert.equal(s.omission.added, 1); // the request due 100 ms after the stall began waited 150 ms
  assert.equal(s.latencyMs.max, 250);
  assert.equal(s.latencyMs.p99, 150);
  assert.equal(s.requests, 100);
  assert.equal(s.success, 1);
  assert.equal(s.sentRate, 100);
  assert.deepEqual(s.statusCodes, { '2xx': 100 });

  // Cut by -T after 3 s: 10 never sent, 5 sent and unanswered, 1 timed out, all counted as no answer.
  const cut = OUTPUT.replace('199680 total, 199680 started, 199648 done, 199648 succeeded, 0 failed, 0 errored, 0 timeout', '100 total, 90 started, 84 done, 84 succeeded, 0 failed, 0 errored, 1 timeout').replace('199648 2xx', '84 2xx').replace('finished in 5.00s', 'finished in 3.00s');
  const c = parseH2load(cut, log, 100, 1);
  assert.equal(c.requests, 100);
  assert.equal(c.statusCodes['0'], 16);
  assert.equal(c.success, 0.84);
  assert.equal(c.sentRate, 30); // 90 sent over the 3 s it took, not the 1 s planned
  assert.match(c.errors.join('; '), /1 timed out; 10 never sent .*; 5 sent but unanswered/);
});
