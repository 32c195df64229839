import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { diagnose } from '../analyse/diagnose.js';
import type { Diagnosis, StepResult } from '../analyse/schema.js';
import { failingStep as step } from './step-fixture.test-helper.js';
import { diagnosisText } from './diagnosis-text.js';

const diag = (s: StepResult, mode = 'pool', end = 'bracketed') =>
  withText(
    diagnose({
      fail: s,
      steps: [s],
      end,
      slo: { p95: 3000, p99: 6000 },
      quota: 1,
      memoryBytes: 256 * 2 ** 20,
      queueMax: 4,
      deadlineMs: 5000,
      mode,
      alone: { totalSec: 0.06, cpuSec: 0.05, ioSec: 0.001 },
    }),
  );
const withText = (d: Diagnosis) => ({ bottleneck: d.bottleneck, detail: diagnosisText(d) });

test('a full CPU quota is the bottleneck, whatever the symptom', () => {
  const d = diag(step({ serviceCpuCores: 0.97, errors: 9, success: 0.82, statusCodes: { '200': 41, '503': 9 }, heavy: { ...step().heavy!, problems: { OVERLOADED: 9 } } }));
  assert.equal(d.bottleneck, 'cpu');
  assert.match(d.detail, /9 of 50 shed with 503 OVERLOADED/);
});

test('sheds with CPU to spare are admission control', () => {
  const d = diag(step({ errors: 5, success: 0.9, heavy: { ...step().heavy!, problems: { OVERLOADED: 5 } } }));
  assert.equal(d.bottleneck, 'admission');
});

test('inline mode with file I/O waiting far longer than alone is the event loop', () => {
  const d = diag(step({ heavy: { ...step().heavy!, medianIoSec: 1.5 } }), 'inline');
  assert.equal(d.bottleneck, 'latency');
  assert.match(d.detail, /event loop/);
});

test('memory near the limit wins over everything', () => {
  assert.equal(diag(step({ serviceCpuCores: 1, serviceRssMaxBytes: 250 * 2 ** 20 })).bottleneck, 'memory');
});

test('a generator-limited search blames the generator, not the service', () => {
  const limited = step({ generatorLimited: true, generatorCpuShare: 0.95, pass: false });
  assert.equal(diagnose({ fail: null, steps: [limited], end: 'generator-limited', slo: { p95: 3000, p99: 6000 }, quota: 1, memoryBytes: null }).bottleneck, 'generator');
});

test('a noisy step where the service idled is blamed on the machine', () => {
  assert.equal(diag(step({ serviceCpuCores: 0.1, noisy: true, otherCores: 1.2 })).bottleneck, 'noise');
});
