import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { DEFAULT_WORKLOAD, heavyReference } from '../../lab/index.js';
import { attackValues, main, primer, reportFailures, wrongAnswers } from './checks.js';

const KNOWN = heavyReference();
const url = (base: string, limit = DEFAULT_WORKLOAD.primeLimit, rounds = DEFAULT_WORKLOAD.hashRounds) =>
  `${base}/heavy/cpu-io-no-db/?prime_limit=${limit}&hash_rounds=${rounds}&io_kb=1&impl=js&mode=inline`;

test('an answer is checked against the known answers of the request it answers: primes_found and digest', () => {
  const u = url('http://127.0.0.1:1');
  assert.deepEqual(wrongAnswers(u, { primes_found: KNOWN.primesFound, digest: KNOWN.digest }), []);
  assert.deepEqual(wrongAnswers(u, { primes_found: KNOWN.primesFound + 1, digest: KNOWN.digest }), [`primes_found=${KNOWN.primesFound + 1}, known answer ${KNOWN.primesFound}`]);
  assert.deepEqual(wrongAnswers(u, { primes_found: KNOWN.primesFound, digest: 'ab' }), [`digest="ab", known answer ${KNOWN.digest}`]);
  assert.equal(wrongAnswers(u, {}).length, 2);
  assert.deepEqual(wrongAnswers(url('http://127.0.0.1:1', 100, 0), { primes_found: 25, digest: heavyReference({ primeLimit: 100, hashRounds: 0, ioKb: 0 }).digest }), []);
  assert.throws(() => wrongAnswers(url('http://127.0.0.1:1', 123), {}), /fixtures\/vectors\.json has no prime count for limit 123/);
  assert.throws(() => wrongAnswers('http://127.0.0.1:1/heavy/?hash_rounds=1', {}), /no whole prime_limit/);
});

// A stand-in service: /right answers the known answers, /wrong a wrong digest, /busy 503.
const server = createServer((req, res) => {
  const path = new URL(req.url!, 'http://x').pathname;
  if (path === '/busy/heavy/cpu-io-no-db/') {
    res.writeHead(503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ detail: 'queue full' }));
    return;
  }
  const digest = path.startsWith('/wrong') ? '00'.repeat(32) : KNOWN.digest;
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ primes_found: KNOWN.primesFound, digest }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
after(() => server.close());

test('the primer: 0 for the known answers, 1 when no 200 came (skip), 3 for a wrong one (fail)', async () => {
  const ok = await primer(url(`${base}/right`));
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, `primes_found=${KNOWN.primesFound} digest=${KNOWN.digest} (the known answers)\n`);
  const wrong = await primer(url(`${base}/wrong`));
  assert.equal(wrong.code, 3);
  assert.match(wrong.err, /^WRONG ANSWER: digest="0{64}", known answer [0-9a-f]{64}\n$/);
  assert.deepEqual(await primer(url(`${base}/busy`)), { code: 1, out: '', err: '503 queue full\n' });
  assert.equal((await primer(url('http://127.0.0.1:1'))).code, 1, 'nothing listens');
  const unknown = await primer(url(`${base}/right`, 7));
  assert.equal(unknown.code, 3);
  assert.match(unknown.err, /cannot check the answer: fixtures\/vectors\.json has no prime count for limit 7/);
});

test("a report's verdict: MIN_SUCCESS and MAX_P99_MS only when set", () => {
  const report = { success: 0.98, latencies: { '99th': 12_345_678 } };
  assert.deepEqual(reportFailures(report, {}), []);
  assert.deepEqual(reportFailures(report, { MIN_SUCCESS: '1', MAX_P99_MS: '12' }), ['FAIL: success ratio 0.98 < 1', 'FAIL: p99 12.346 ms >= 12 ms']);
  assert.deepEqual(reportFailures(report, { MIN_SUCCESS: '0.9', MAX_P99_MS: '13' }), []);
  assert.throws(() => reportFailures(report, { MAX_P99_MS: 'fast' }), /MAX_P99_MS must be a number \(got "fast"\)/);
});

test('values: the target checked (BASE_URL or HOST:PORT, loopback only) and the lab defaults', async () => {
  const v = attackValues({ PORT: '9001', ENGINES: 'native' });
  assert.equal(v['BASE_URL'], 'http://127.0.0.1:9001');
  assert.equal(v['LAB_ENGINES'], 'native');
  assert.equal(attackValues({ BASE_URL: 'http://[::1]:8000/' })['BASE_URL'], 'http://[::1]:8000');
  const bad = await main(['values'], { BASE_URL: 'http://10.0.0.1:8000' });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /BASE_URL must be a loopback address/);
  assert.equal((await main(['nope'], {})).code, 2);
});
