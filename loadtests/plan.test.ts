import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_LOAD, readOptions } from './config.js';
import { attackArgs, offeredRate, planDurationSec, slicePlan } from './plan.js';

test("the load ramp's plan: 10 minutes, 10 s slices following 1 -> 5 -> 20 -> 50 -> 100 -> 150 -> 0", () => {
  const slices = slicePlan(SEED_LOAD.startVus, SEED_LOAD.stages, 10);
  assert.equal(planDurationSec(slices), 600);
  assert.equal(slices.length, 60);
  // Stage 1 (1 -> 5 over 60 s): the VUs at each slice's middle.
  assert.deepEqual(
    slices.filter((s) => s.stage === 0).map((s) => s.vus),
    [1, 2, 3, 3, 4, 5],
  );
  // The peak stage climbs from 100 to 150; the cool-down comes back towards 0.
  const peak = slices.filter((s) => s.stage === 4).map((s) => s.vus);
  assert.equal(peak[0], 102);
  assert.equal(peak.at(-1), 148);
  assert.deepEqual(
    slices.filter((s) => s.stage === 5).map((s) => s.vus),
    [138, 113, 88, 63, 38, 13],
  );
  // Contiguous, in order, no overlap, no gap.
  slices.forEach((s, i) => {
    assert.equal(s.index, i);
    if (i > 0) assert.ok(Math.abs(slices[i - 1]!.startSec + slices[i - 1]!.durationSec - s.startSec) < 1e-9);
  });
});

test('a constant stage is one slice; slices at 0 VUs are left out but keep the timeline', () => {
  assert.deepEqual(slicePlan(10, [{ durationSec: 30, target: 10 }], 2), [{ index: 0, stage: 0, startSec: 0, durationSec: 30, vus: 10 }]);
  const down = slicePlan(
    1,
    [
      { durationSec: 4, target: 1 },
      { durationSec: 10, target: 0 },
      { durationSec: 4, target: 2 },
    ],
    5,
  );
  assert.deepEqual(
    down.map((s) => [s.stage, s.startSec, s.vus]),
    [
      [0, 0, 1],
      [1, 4, 1],
      [2, 14, 1],
    ],
  );
  assert.throws(() => slicePlan(1, [], 0), /sliceSec/);
});

test('SCALE and DURATION shorten the ramp in proportion; VUS scales its peak', () => {
  const scaled = readOptions('load', { SCALE: '0.1' });
  assert.deepEqual(
    scaled.stages.map((s) => s.durationSec),
    [6, 12, 12, 12, 12, 6],
  );
  assert.deepEqual(
    scaled.stages.map((s) => s.target),
    [5, 20, 50, 100, 150, 0],
  );
  assert.equal(scaled.sliceSec, 2);
  const slices = slicePlan(scaled.startVus, scaled.stages, scaled.sliceSec);
  assert.ok(Math.abs(planDurationSec(slices) - 60) < 1e-9);
  assert.equal(slices.length, 30);
  assert.deepEqual(readOptions('load', { DURATION: '1m' }).stages, scaled.stages);
  assert.deepEqual(
    readOptions('load', { VUS: '30' }).stages.map((s) => s.target),
    [1, 4, 10, 20, 30, 0],
  );
  assert.throws(() => readOptions('load', { DURATION: '1m', SCALE: '0.1' }), /not both/);
  assert.throws(() => readOptions('load', { SCALE: '0' }), /SCALE must be a number/);
});

test("the smoke: the seed's 10 VUs for 30 s, VUS and DURATION override, bad values named", () => {
  const smoke = readOptions('smoke', {});
  assert.deepEqual([smoke.startVus, smoke.stages], [10, [{ durationSec: 30, target: 10 }]]);
  assert.deepEqual([smoke.impl, smoke.mode, smoke.model, smoke.thinkSec], ['js', 'inline', 'closed', 1]);
  const o = readOptions('smoke', { VUS: '3', DURATION: '1m30s', IMPL: 'native', MODE: 'pool' });
  assert.deepEqual([o.startVus, o.stages[0]!.durationSec, o.impl, o.mode], [3, 90, 'native', 'pool']);
  assert.throws(() => readOptions('smoke', { VUS: '0' }), /VUS must be a whole number/);
  assert.throws(() => readOptions('smoke', { DURATION: 'soon' }), /DURATION must be a duration/);
  assert.throws(() => readOptions('smoke', { IMPL: 'cobol' }), /IMPL must be one of js, wasm, native, hash-wasm, node-crypto/);
  assert.throws(() => readOptions('smoke', { MODE: 'threads' }), /MODE must be one of inline, pool/);
  assert.throws(() => readOptions('smoke', { SCALE: '0.5' }), /SCALE shortens the load ramp/);
  assert.throws(() => readOptions('smoke', { MODEL: 'open', THINK: '0' }), /MODEL=open needs THINK > 0/);
});

test('only loopback targets unless ALLOW_REMOTE=1', () => {
  assert.equal(readOptions('smoke', { PORT: '20080' }).baseUrl, 'http://127.0.0.1:20080');
  assert.equal(readOptions('smoke', { HOST: '::1', PORT: '20080' }).baseUrl, 'http://[::1]:20080');
  assert.equal(readOptions('smoke', { BASE_URL: 'http://localhost:9/' }).baseUrl, 'http://localhost:9');
  assert.throws(() => readOptions('smoke', { HOST: '10.0.0.1' }), /HOST must be a loopback address/);
  assert.throws(() => readOptions('smoke', { BASE_URL: 'http://example.com' }), /BASE_URL must be a loopback address/);
  assert.equal(readOptions('smoke', { BASE_URL: 'http://10.0.0.1:8000', ALLOW_REMOTE: '1' }).baseUrl, 'http://10.0.0.1:8000');
  assert.throws(() => readOptions('smoke', { PORT: '70000' }), /PORT must be a whole number from 1 to 65535/);
});

test('vegeta per slice: closed is -rate=0 -max-workers=N, or N per THINK with N workers; open keeps the arrival rate', () => {
  const slice = { index: 0, stage: 0, startSec: 0, durationSec: 2.5, vus: 20 };
  const common = ['-duration=2500ms', '-timeout=30000ms', '-http2=false', '-output=out.bin'];
  assert.deepEqual(attackArgs({ model: 'closed', thinkSec: 0, timeoutSec: 30 }, slice, 't.txt', 'out.bin'), [
    'attack',
    '-targets=t.txt',
    '-rate=0',
    '-workers=20',
    '-max-workers=20',
    ...common,
  ]);
  assert.deepEqual(attackArgs({ model: 'closed', thinkSec: 1, timeoutSec: 30 }, slice, 't.txt', 'out.bin'), [
    'attack',
    '-targets=t.txt',
    '-rate=20/1000ms',
    '-workers=20',
    '-max-workers=20',
    ...common,
  ]);
  assert.deepEqual(attackArgs({ model: 'open', thinkSec: 0.5, timeoutSec: 30 }, slice, 't.txt', 'out.bin'), [
    'attack',
    '-targets=t.txt',
    '-rate=20/500ms',
    '-workers=20',
    '-max-workers=1000',
    ...common,
  ]);
  assert.equal(offeredRate({ model: 'open', thinkSec: 0.5 }, 20), 40);
  assert.equal(offeredRate({ model: 'closed', thinkSec: 0 }, 20), null);
});
