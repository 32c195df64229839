import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PACER_CONNECTIONS, pacerArgs, parsePacer } from './pacer.js';

// As pacer printed it for a 2 s step at 40,000/s against the bare uWS peer (a few kinds of failure added).
const OUT = JSON.stringify({
  rate: 40000,
  duration_sec: 2,
  connections: 32,
  wall_sec: 2.0012,
  planned: 80000,
  sent: 79990,
  answered: 79980,
  unsent: 10,
  status: { '200': 79970, '503': 10 },
  errors: { closed: 5, timeout: 5, unsent: 10 },
  latency_us: { min: 40, mean: 210.5, p50: 180, p90: 300, p95: 420, p99: 1900, p999: 8000, max: 12000 },
});

test('pacer: one step, the rate split over its connections, a loopback URL', () => {
  assert.deepEqual(pacerArgs('pacer', 'http://127.0.0.1:8000/hello', 40000, 5, 5), [
    'pacer',
    '--rate',
    '40000',
    '--duration',
    '5',
    '--connections',
    String(PACER_CONNECTIONS),
    '--timeout',
    '5',
    'http://127.0.0.1:8000/hello',
  ]);
});

test('pacer output: every planned request answered or counted unanswered, latency in ms from the due time', () => {
  const s = parsePacer(OUT);
  assert.equal(s.requests, 80000);
  assert.equal(s.sentRate, 39995);
  assert.equal(s.success, 79970 / 80000);
  assert.deepEqual(s.statusCodes, { '200': 79970, '503': 10, '0': 20 });
  assert.deepEqual(s.latencyMs, { min: 0.04, mean: 0.2105, p50: 0.18, p90: 0.3, p95: 0.42, p99: 1.9, max: 12 });
  assert.deepEqual(s.errors, ['5 closed', '5 timeout', '10 unsent']);
  assert.throws(() => parsePacer('pacer: Connection refused (127.0.0.1:8000)'), /not pacer output/);
  assert.throws(() => parsePacer('{"x":1}'), /not pacer output/);
});
