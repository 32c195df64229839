import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { HEAVY_DEFAULTS } from '../server/params.js';
import { ENGINE_NAMES } from '../server/engines/engine.js';
import { createServer } from 'node:net';
import {
  baseUrl,
  DEFAULT_WORKLOAD,
  freePort,
  ENGINES,
  heavyQuery,
  heavyReference,
  isLoopback,
  knownDigest,
  knownPrimes,
  median,
  percentile,
  readEngines,
  readHost,
  readPort,
  repoRoot,
} from './index.js';
import { assignments, main } from './cli.js';
import { PEER_NAMES } from './peers.js';
import { CONFIG_DEFAULTS } from '../server/config.js';

test('workload and engines come from the server', () => {
  assert.deepEqual(DEFAULT_WORKLOAD, { primeLimit: HEAVY_DEFAULTS.prime_limit, hashRounds: HEAVY_DEFAULTS.hash_rounds, ioKb: HEAVY_DEFAULTS.io_kb });
  assert.deepEqual(ENGINES, ENGINE_NAMES);
  assert.equal(heavyQuery(DEFAULT_WORKLOAD, 'native', 'pool'), 'prime_limit=500000&hash_rounds=1000000&io_kb=128&impl=native&mode=pool');
});

test('repoRoot holds package.json and the vectors', () => {
  assert.ok(existsSync(join(repoRoot(), 'package.json')));
  assert.ok(existsSync(join(repoRoot(), 'fixtures', 'vectors.json')));
});

test('known answers: pi(500000) and the default reference', () => {
  assert.equal(knownPrimes(500_000), 41538);
  assert.equal(knownPrimes(123_457), undefined);
  assert.match(knownDigest(1_000_000)!, /^[0-9a-f]{64}$/);
  assert.deepEqual(heavyReference(), { primesFound: 41538, digest: knownDigest(1_000_000) });
  assert.throws(() => heavyReference({ primeLimit: 123_457, hashRounds: 1, ioKb: 1 }), /no prime count for limit 123457/);
});

test('median and nearest-rank percentiles', () => {
  assert.equal(median([]), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile(xs, 101), RangeError);
});

test('one loopback guard: 127/8, ::1, [::1], localhost; others refused unless ALLOW_REMOTE=1', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(h), h);
  for (const h of ['10.0.0.1', '0.0.0.0', '128.0.0.1', 'example.com', '::', '[::]', '127.0.0.1.example.com', 'localhost.evil']) assert.ok(!isLoopback(h), h);
  assert.equal(readHost({}), '127.0.0.1');
  assert.equal(readHost({ HOST: ' ::1 ' }), '::1');
  assert.throws(() => readHost({ HOST: '10.1.2.3' }), /HOST must be a loopback address .*got "10\.1\.2\.3"/);
  assert.equal(readHost({ HOST: '10.1.2.3', ALLOW_REMOTE: '1' }), '10.1.2.3');
});

test('PORT is checked; baseUrl brackets IPv6', () => {
  assert.equal(readPort({}), 8000);
  assert.equal(readPort({ PORT: '21080' }), 21080);
  for (const p of ['0', '65536', 'x', '80.5', '-1', '1e3']) assert.throws(() => readPort({ PORT: p }), /PORT must be a whole number from 1 to 65535/, p);
  assert.equal(baseUrl('::1', 80), 'http://[::1]:80');
  assert.equal(baseUrl('[::1]', 80), 'http://[::1]:80');
  assert.equal(baseUrl('127.0.0.1', 8000), 'http://127.0.0.1:8000');
});

test("ENGINES is checked against the server engines (and a tool's extra names)", () => {
  assert.deepEqual(readEngines({}), [...ENGINE_NAMES]);
  assert.deepEqual(readEngines({ ENGINES: ' native, js ,native' }), ['native', 'js']);
  assert.deepEqual(readEngines({ ENGINES: '' }, ['js']), ['js']);
  assert.throws(() => readEngines({ ENGINES: 'native,rust' }), /unknown engine\(s\) "rust"; known: js, wasm/);
  assert.deepEqual(readEngines({ ENGINES: 'django' }, [], ['django']), ['django']);
});

test('cli: shell lines and single values; a bad HOST exits 2 naming it', () => {
  const shell = main(['shell'], {});
  assert.equal(shell.code, 0);
  assert.match(shell.out, /^LAB_PRIME_LIMIT=500000$/m);
  assert.match(shell.out, /^LAB_ENGINES=js wasm native hash-wasm node-crypto$/m);
  assert.match(shell.out, /^LAB_BASE_URL=http:\/\/127\.0\.0\.1:8000$/m);
  assert.deepEqual(main(['get', 'base-url'], { HOST: '::1', PORT: '21080' }), { code: 0, out: 'http://[::1]:21080\n', err: '' });
  assert.deepEqual(main(['get', 'primes-found'], {}), { code: 0, out: '41538\n', err: '' });
  const bad = main(['get', 'base-url'], { HOST: '192.168.1.1' });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /HOST must be a loopback address/);
  assert.equal(main(['get', 'nope'], {}).code, 2);
  assert.equal(main([], {}).code, 2);
  // Run for real, as a shell script would.
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const r = spawnSync(process.execPath, [cli, 'get', 'engines'], { encoding: 'utf8', env: { ...process.env, ENGINES: 'native,js' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'native js\n');
});

test('cli: NAME=value lines only, which bash reads without eval', () => {
  assert.equal(assignments({ A: 1, B_2: 'x y=z' }), 'A=1\nB_2=x y=z\n');
  assert.throws(() => assignments({ 'a-b': 1 }), /not a shell variable name/);
  assert.throws(() => assignments({ A: 'two\nlines' }), /A's value holds a line break/);
  // As scripts/run-constrained.sh and loadtests/vegeta/common.sh read them: printf -v, nothing evaluated.
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const script = `out=$("$0" "$1" shell) || exit 2; while IFS='=' read -r k v; do printf -v "$k" '%s' "$v"; done <<<"$out"; printf '%s|%s' "$LAB_ENGINES" "$LAB_BASE_URL"`;
  const r = spawnSync('bash', ['-c', script, process.execPath, cli], { encoding: 'utf8', env: { ...process.env, ENGINES: 'native,js', HOST: '::1', PORT: '9' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'native js|http://[::1]:9');
});

test("cli: run-constrained's limits, its default address from the server's config, and refusals", () => {
  const plan = main(['constrained-plan', '--service'], { CPUS: '0.5', MEMORY: '128m', PORT: '9000' });
  assert.equal(plan.code, 0, plan.err);
  for (const line of [
    'CPUS=0.5',
    'QUOTA_US=50000',
    'PERIOD_US=100000',
    `MEM_BYTES=${128 * 2 ** 20}`,
    'MEM_MIB=128',
    'HEAP_MB=80',
    'NANO_CPUS=500000000',
    'CPU_PERCENT=50',
    `HOST=${CONFIG_DEFAULTS.HOST}`,
    'PORT=9000',
  ]) {
    assert.ok(plan.out.split('\n').includes(line), `${line} in ${plan.out}`);
  }
  assert.match(plan.out, /^SERVICE_SETTINGS=MAX_PRIME_LIMIT .*METRICS_INSTANCE$/m);
  assert.deepEqual(main(['constrained-plan'], { MEMORY: '1 GB' }), { code: 2, out: '', err: "MEMORY must look like 256m, 1g or a byte count (got '1 GB')\n" });
  assert.equal(main(['constrained-plan', '--other'], {}).code, 2);
  assert.equal(main(['cgroups', 'x'], {}).code, 2);
  assert.equal(main(['verify-cgroup', '1', '2', 'q', '4'], {}).code, 2);
});

test('cli: the peers, one list for the Makefile and compare/', () => {
  assert.deepEqual([...PEER_NAMES], ['django', 'node-http', 'uws-bare']);
  assert.deepEqual(main(['check-peer', 'node-http'], {}), { code: 0, out: '', err: '' });
  assert.deepEqual(main(['check-peer', 'rails'], {}), { code: 2, out: '', err: "PEER must be one of: django node-http uws-bare (got 'rails')\n" });
  assert.equal(main(['check-peer', ''], {}).code, 2);
});

test('freePort gives a loopback port one can listen on', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});
