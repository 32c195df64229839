import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityBound, failureInDoubt, generatorBoundHello, helloCeiling } from './bound.js';

import { verdictStep as step } from '../measure/verdict-step.test-helper.js';

test("a capacity is the service's only when a failing rate above it was measured", () => {
  assert.equal(capacityBound('bracketed', 6000), 'service');
  assert.equal(capacityBound('below-minimum', 100), 'service');
  assert.equal(capacityBound('steps-exhausted', 9000), 'service');
  assert.equal(capacityBound('generator-limited', null), 'generator');
  assert.equal(capacityBound('generator-limited', 80000), 'generator');
  assert.equal(capacityBound('capped', null), 'plan-max');
  assert.equal(capacityBound('steps-exhausted', null), 'open');
  assert.equal(capacityBound(null, null), 'open');
  assert.equal(capacityBound('bracketed', 4000, true), 'noisy');
  assert.equal(capacityBound('generator-limited', 4000, true), 'generator');
  // Noise only casts doubt while the service had CPU to spare.
  assert.equal(failureInDoubt({ noisy: true, serviceCpuCores: 0.1 }, 1), true);
  assert.equal(failureInDoubt({ noisy: true, serviceCpuCores: 0.97 }, 1), false);
  assert.equal(failureInDoubt({ noisy: false, serviceCpuCores: 0.1 }, 1), false);
  assert.equal(failureInDoubt(null, 1), false);
});

test('the bare uWS peer gives the /hello measurement its ceiling only when it failed with CPU to spare', () => {
  // Failed at 45k using 0.55 of 1 CPU: nothing in it ran out, the generator did.
  assert.deepEqual(helloCeiling({ capacity: 36000, steps: [step(12000, true, 0.2), step(36000, true, 0.5), step(45000, false, 0.55)] }, 1), {
    passed: 36000,
    failedAt: 45000,
    cpuCores: 0.55,
  });
  // A step the generator flagged stops the ladder too, whatever the server's CPU.
  assert.deepEqual(helloCeiling({ capacity: 36000, steps: [step(36000, true, 0.5), step(60000, true, 0.6, true)] }, 1)?.failedAt, 60000);
  // At its quota: that is uWS's own limit on 1 CPU, not the generator's.
  assert.equal(helloCeiling({ capacity: 80000, steps: [step(80000, true, 0.8), step(100000, false, 0.97)] }, 1), null);
  // Unsampled CPU proves nothing; a search that never failed gives no ceiling.
  assert.equal(helloCeiling({ capacity: 36000, steps: [step(36000, true, 0.5), step(45000, false, null)] }, 1), null);
  assert.equal(helloCeiling({ capacity: 36000, steps: [step(36000, true, 0.5)] }, 1), null);
  // A failure where the generator used little CPU is still the measurement's: its own tail, not the server's.
  assert.deepEqual(helloCeiling({ capacity: 9118, steps: [step(4000, true, 0.1), step(12000, false, 0.24, false, 0.33)] }, 1), { passed: 9118, failedAt: 12000, cpuCores: 0.24 });
  // The quota counts: 0.9 of 2 CPUs is room.
  assert.notEqual(helloCeiling({ capacity: 36000, steps: [step(45000, false, 0.9)] }, 2), null);
  // A failure whose repeat passed (the capacity is at or above its rate) does not stop the ladder.
  assert.deepEqual(helloCeiling({ capacity: 48000, steps: [step(24000, true, 0.3), step(48000, false, 0.5), step(48000, true, 0.5), step(64000, false, 0.6)] }, 1), {
    passed: 48000,
    failedAt: 64000,
    cpuCores: 0.6,
  });
});

test("a /hello failure above what the generator ever passed against bare uWS is the generator's", () => {
  const ceiling = { passed: 36000, failedAt: 45000, cpuCores: 0.55 };
  // The lab passed 36k and failed at 45k, where the generator fails on the bare server too.
  assert.equal(generatorBoundHello({ capacity: 36000, firstFailure: 45000, bound: 'service' }, ceiling), true);
  assert.equal(generatorBoundHello({ capacity: 36000, firstFailure: 45000, bound: 'noisy' }, ceiling), true);
  // The lab failed at 36k, which the generator held against the bare server: the lab's own limit.
  assert.equal(generatorBoundHello({ capacity: 30000, firstFailure: 36000, bound: 'service' }, ceiling), false);
  assert.equal(generatorBoundHello({ capacity: 12000, firstFailure: 20000, bound: 'service' }, ceiling), false);
  // Within the 5% the two ladders' rates may differ by: still the service's.
  assert.equal(generatorBoundHello({ capacity: 30000, firstFailure: 37500, bound: 'service' }, ceiling), false);
  // No ceiling (no bare peer, or it failed at its own CPU limit): nothing changes.
  assert.equal(generatorBoundHello({ capacity: 36000, firstFailure: 45000, bound: 'service' }, null), false);
  // Already a lower bound for another reason: kept.
  assert.equal(generatorBoundHello({ capacity: 200000, firstFailure: null, bound: 'plan-max' }, ceiling), false);
});
