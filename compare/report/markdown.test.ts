import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { stepRows } from './markdown.js';
import type { StepResult } from './schema.js';
import { failingStep } from './step-fixture.test-helper.js';

/** The shared failing step, as the report holds it: with its reasons and no Prometheus note. */
function step(over: Partial<StepResult> = {}): StepResult {
  const { prometheusDistrust: _none, ...s } = failingStep();
  return { ...s, reasons: ['p95 4.00 s >= 3.00 s'], prometheusNote: null, ...over };
}

test('a step that measured a failed rate again says so in its verdict, first try and repeat side by side', () => {
  const first = step({ id: '005-hello-27000rps', rate: 27000, reasons: ['p99 19.5 ms >= 10 ms'] });
  const again = step({ id: '006-hello-27000rps-repeat', rate: 27000, repeatOf: first.id, pass: true, reasons: [] });
  const rows = stepRows([first, again], false);
  assert.deepEqual(
    rows.map((r) => [r[0], r.at(-1)]),
    [
      ['27000', 'FAIL: p99 19.5 ms >= 10 ms'],
      ['27000', 'REPEAT: pass'],
    ],
  );
});
