import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { stepRows } from './markdown.js';
import type { StepResult } from './schema.js';

/** A failing heavy step with everything neutral; each test changes what it is about. */
function step(over: Partial<StepResult> = {}): StepResult {
  return {
    reasons: ['p95 4.00 s >= 3.00 s'],
    id: 's',
    rate: 10,
    durationSec: 5,
    requests: 50,
    sentRate: 10,
    throughput: 10,
    success: 1,
    errors: 0,
    statusCodes: { '200': 50 },
    latencyMs: { min: 1, mean: 1, p50: 1, p90: 1, p95: 4000, p99: 4000, max: 4000 },
    pass: false,
    generatorLimited: false,
    generatorCpuShare: 0.01,
    serviceCpuCores: 0.6,
    serviceRssMaxBytes: 80 * 2 ** 20,
    throttling: null,
    shed: 0,
    deadlineDropped: 0,
    prometheus: {},
    prometheusNote: null,
    heavy: { wrongAnswers: 0, medianCpuSec: 0.05, medianQueueSec: 0.1, medianTotalSec: 0.2, medianIoSec: 0.001, problems: {} },
    generatorCoreBusy: 0.1,
    otherCores: 0,
    monitoringCores: 0,
    noisy: false,
    listenDrops: 0,
    ...over,
  };
}

test('a step that measured a failed rate again says so in its verdict, first try and repeat side by side', () => {
  const first = step({ id: '005-hello-27000rps', rate: 27000, reasons: ['p99 19.5 ms >= 10 ms'] });
  const again = step({ id: '006-hello-27000rps-repeat', rate: 27000, repeatOf: first.id, pass: true, reasons: [] });
  const rows = stepRows([first, again], false);
  assert.deepEqual(rows.map((r) => [r[0], r.at(-1)]), [
    ['27000', 'FAIL: p99 19.5 ms >= 10 ms'],
    ['27000', 'REPEAT: pass'],
  ]);
});
