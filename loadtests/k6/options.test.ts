/**
 * The optional k6 scripts' option shapes, checked in node without k6 (which the lab never runs: it
 * is AGPL-3.0): the seed's ramp, smoke and thresholds, equal to those of loadtests/config.ts that
 * `make smoke` and `make load` run on vegeta.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SEED_LOAD, SEED_SMOKE, THRESHOLDS } from '../config.js';

function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('no package.json above the test');
  }
}

interface K6Options {
  scenarios?: Record<string, { executor: string; startVUs?: number; stages?: Array<{ duration: string; target: number }>; rate?: number; duration?: string }>;
  thresholds: Record<string, string[]>;
  vus?: number;
  duration?: string;
}
interface LoadOptionsModule {
  SEED_STAGES: ReadonlyArray<{ duration: string; target: number }>;
  HEAVY_DURATION: string;
  smokeOptions(env?: Record<string, string>): K6Options;
  loadOptions(env?: Record<string, string>): K6Options;
  arrivalRateOptions(env?: Record<string, string>): K6Options;
}
const k6lib = (): Promise<LoadOptionsModule> => import(pathToFileURL(join(repoRoot(), 'loadtests/k6/lib/load-options.js')).href) as Promise<LoadOptionsModule>;
const seconds = (d: string) => Number(/^([0-9]+)m$/.exec(d)?.[1] ?? NaN) * 60 || Number(/^([0-9]+)s$/.exec(d)?.[1] ?? NaN);

test("k6 load shape: the seed's 1 -> 5 -> 20 -> 50 -> 100 -> 150 -> 0 VUs over 10 minutes, as loadtests/config.ts has it", async () => {
  const lib = await k6lib();
  const load = lib.loadOptions().scenarios!.load!;
  assert.equal(load.executor, 'ramping-vus');
  assert.equal(load.startVUs, SEED_LOAD.startVus);
  assert.deepEqual(
    load.stages!.map((s) => s.target),
    [5, 20, 50, 100, 150, 0],
  );
  assert.deepEqual(
    load.stages!.map((s) => ({ durationSec: seconds(s.duration), target: s.target })),
    SEED_LOAD.stages.map((s) => ({ ...s })),
  );
});

test("k6 thresholds: the seed's five, with the same limits as loadtests/config.ts", async () => {
  const lib = await k6lib();
  const limit = (metric: string) => THRESHOLDS.find((t) => t.metric === metric)!.below;
  assert.deepEqual(lib.loadOptions().thresholds, {
    [lib.HEAVY_DURATION]: [`p(50)<${limit('p50_ms')}`, `p(95)<${limit('p95_ms')}`, `p(99)<${limit('p99_ms')}`],
    throttled_requests: [`count<${limit('throttled')}`],
    server_errors: [`count<${limit('server_errors')}`],
  });
  assert.deepEqual([limit('p50_ms'), limit('p95_ms'), limit('p99_ms'), limit('throttled'), limit('server_errors')], [1000, 3000, 6000, 50, 10]);
});

test('k6 smoke and arrival-rate shapes: seed defaults, shortened from the environment, bad values refused', async () => {
  const lib = await k6lib();
  const smoke = lib.smokeOptions({});
  assert.equal(smoke.vus, SEED_SMOKE.vus);
  assert.equal(seconds(smoke.duration!), SEED_SMOKE.durationSec);
  assert.deepEqual(smoke.thresholds.checks, ['rate>0.99']);
  assert.equal(lib.smokeOptions({ DURATION: '10s' }).duration, '10s');
  assert.throws(() => lib.smokeOptions({ VUS: '0' }), /VUS must be a positive integer/);
  const rate = lib.arrivalRateOptions({ RATE: '5', DURATION: '20s' }).scenarios!.arrival!;
  assert.deepEqual([rate.executor, rate.rate, rate.duration], ['constant-arrival-rate', 5, '20s']);
  assert.throws(() => lib.arrivalRateOptions({ RATE: 'fast' }), /RATE must be a positive integer/);
});
