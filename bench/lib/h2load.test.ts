import { test } from 'node:test';
import assert from 'node:assert/strict';
import { h2loadArgs, parseH2load } from './h2load.js';

// The lines h2load 1.52 prints, as captured from a real run against the bare uWS peer.
const OUTPUT = `finished in 5.00s, 39929.60 req/s, 5.60MB/s
requests: 199680 total, 199680 started, 199648 done, 199646 succeeded, 2 failed, 0 errored, 1 timeout
status codes: 199646 2xx, 0 3xx, 2 4xx, 0 5xx
`;

test('h2load: the rate split over 32 clients, every request logged', () => {
  assert.deepEqual(h2loadArgs('h2load', 'http://127.0.0.1:8000/hello', 40000, 5, 'x.log'), [
    'h2load',
    '--h1',
    '-t',
    '1',
    '-c',
    '32',
    '-D',
    '5',
    '--rps=1250',
    '-N',
    '10',
    '--log-file=x.log',
    'http://127.0.0.1:8000/hello',
  ]);
  assert.ok(h2loadArgs('h2load', 'u', 31, 2, 'l').includes('--rps=1'));
  assert.ok(h2loadArgs('h2load', 'u', 100, 2, 'l').includes('--rps=3.125'));
  assert.throws(() => h2loadArgs('h2load', 'u', 0, 2, 'l'), /positive rate/);
});

test('h2load: rate done, errors (failed, errored, timed out) and percentiles from the log', () => {
  const log = `${Array.from({ length: 100 }, (_, i) => `1796043991676248\t200\t${(i + 1) * 100}`).join('\n')}\n`;
  assert.deepEqual(parseH2load(OUTPUT, log, 5), { sentRate: 39929.6, errors: 3, p50Ms: 5, p99Ms: 9.9 });
  assert.deepEqual(parseH2load(OUTPUT, '', 5).p99Ms, null);
  assert.throws(() => parseH2load('connect: refused', log, 5), /not h2load output/);
  assert.throws(() => parseH2load(OUTPUT, 'garbage\n', 5), /not an h2load log line/);
});
