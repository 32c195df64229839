import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityCell, capacityText, ratioText } from './bound-text.js';

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
