import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityBound, capacityCell, capacityText, failureInDoubt, ratioText } from './bound.js';

test('a capacity is the service\'s only when a failing rate above it was measured', () => {
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

test('a generator-bound capacity and every ratio built from it read "at least"', () => {
  assert.equal(capacityText(5264, 'service'), '5264 req/s');
  assert.equal(capacityText(5264, 'generator'), 'at least 5264 req/s (generator-bound)');
  assert.equal(capacityText(60000, 'plan-max'), "at least 60000 req/s (the plan's highest rate)");
  assert.equal(capacityText(null, 'generator'), '-');
  assert.equal(capacityText(3363, 'noisy'), 'at least 3363 req/s (the failure above it ran beside other busy processes)');
  assert.equal(ratioText(3.509, 'service'), '3.5x');
  assert.equal(ratioText(3.509, 'generator'), '>= 3.5x (generator-bound)');
  assert.equal(ratioText(null, 'generator'), '-');
  assert.equal(capacityCell(21.4, 'service', 2), '21.40');
  assert.equal(capacityCell(52000, 'generator'), '>= 52000 (generator-bound)');
});
