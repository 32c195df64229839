import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseWrk } from './wrk.js';

test('wrk output gives the rate, the percentiles and the errors', () => {
  const out = `Running 3s test @ http://127.0.0.1:8000/hello
  Latency Distribution
     50%  559.00us
     75%    2.35ms
     90%    6.60ms
     99%   28.26ms
  180671 requests in 3.06s, 25.33MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  59001.39
`;
  const w = parseWrk(out)!;
  assert.equal(w.requestsPerSec, 59001.39);
  assert.equal(w.latencyMs['p50'], 0.559);
  assert.equal(w.latencyMs['p99'], 28.26);
  assert.equal(w.requests, 180671);
  assert.equal(w.errors, 3);
  assert.equal(parseWrk('connection refused'), null);
});
