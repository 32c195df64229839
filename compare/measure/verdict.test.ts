import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatorLimited } from '../../lab/generators/limited.js';
import type { StepRecord } from './manifest.js';
import { machineLoad, worthRepeating } from './verdict.js';

import { verdictStep as step } from './verdict-step.test-helper.js';

test('a /hello failure is measured again only when the service had CPU to spare and the generator kept up', () => {
  // A tail failure at 0.6 of 1 CPU: one stall of the shared machine does that; measure it again.
  assert.equal(worthRepeating(step(27000, false, 0.6), 1), true);
  // At its quota the service failed on its CPU: no second try.
  assert.equal(worthRepeating(step(60000, false, 0.95), 1), false);
  // The quota counts: 0.95 of 2 CPUs is room.
  assert.equal(worthRepeating(step(60000, false, 0.95), 2), true);
  // A pass, a generator-limited step, or a step whose CPU was not read is taken as it is.
  assert.equal(worthRepeating(step(27000, true, 0.6), 1), false);
  assert.equal(worthRepeating(step(27000, false, 0.6, true), 1), false);
  assert.equal(worthRepeating(step(27000, false, null), 1), false);
});

test('machine load splits the busy cores between service, generator, monitoring and the rest', () => {
  const rec = {
    startMs: 0,
    endMs: 10_000,
    serviceCpuSec: { before: 0, after: 5 },
    monitoringCpuSec: 1,
    generators: [{ tool: 'vegeta', command: '', exitCode: 0, wallSec: 10, cpuSec: 2, cpuShare: 0.2 }],
    coreTimes: {
      before: [
        { busy: 0, total: 0 },
        { busy: 0, total: 0 },
      ],
      after: [
        { busy: 600, total: 1000 },
        { busy: 900, total: 1000 },
      ],
    },
  } as unknown as StepRecord;
  const load = machineLoad(rec, '1')!;
  assert.ok(Math.abs(load.busyCores - 1.5) < 1e-9);
  assert.equal(load.generatorCoreBusy, 0.9);
  assert.ok(Math.abs(load.otherCores! - (1.5 - 0.5 - 0.2 - 0.1)) < 1e-9);
  // The generator's core was saturated, but it used a fifth of it: it got what it asked for.
  assert.equal(generatorLimited(rec.generators, null, null, load.generatorCoreBusy), false);
  assert.equal(generatorLimited([{ ...rec.generators[0]!, cpuShare: 0.6 }], null, null, 0.99), true);
});
