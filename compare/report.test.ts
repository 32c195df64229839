import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnose } from './diagnose.js';
import { prometheusTrust } from './prometheus.js';
import type { StepResult } from './schema.js';
import { markdownToHtml } from './html.js';
import { stepRows } from './markdown.js';
import { generatorLimited } from '../lab/generators/limited.js';
import { parseWrk } from '../lab/generators/wrk.js';
import { machineLoad } from './verdict.js';
import type { StepRecord } from './manifest.js';

/** A failing heavy step with everything neutral; each test changes what it is about. */
function step(over: Partial<StepResult> = {}): StepResult {
  return {
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
    reasons: ['p95 4.00 s >= 3.00 s'],
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

const diag = (s: StepResult, mode = 'pool', end = 'bracketed') => diagnose({ fail: s, steps: [s], end, quota: 1, memoryBytes: 256 * 2 ** 20, queueMax: 4, deadlineMs: 5000, mode, alone: { totalSec: 0.06, cpuSec: 0.05, ioSec: 0.001 } });

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
  assert.equal(diagnose({ fail: null, steps: [limited], end: 'generator-limited', quota: 1, memoryBytes: null }).bottleneck, 'generator');
});

test('a noisy step where the service idled is blamed on the machine', () => {
  assert.equal(diag(step({ serviceCpuCores: 0.1, noisy: true, otherCores: 1.2 })).bottleneck, 'noise');
});

test('Prometheus counts are trusted only when they match what was sent', () => {
  assert.equal(prometheusTrust(undefined, 100).trusted, null);
  assert.equal(prometheusTrust(null, 100).trusted, false);
  assert.equal(prometheusTrust(105, 100).trusted, true);
  assert.equal(prometheusTrust(5000, 100).trusted, false);
  assert.equal(prometheusTrust(10, 1000).trusted, false);
});

test('machine load splits the busy cores between service, generator, monitoring and the rest', () => {
  const rec = {
    startMs: 0,
    endMs: 10_000,
    serviceCpuSec: { before: 0, after: 5 },
    monitoringCpuSec: 1,
    generators: [{ tool: 'vegeta', command: '', exitCode: 0, wallSec: 10, cpuSec: 2, cpuShare: 0.2 }],
    coreTimes: { before: [{ busy: 0, total: 0 }, { busy: 0, total: 0 }], after: [{ busy: 600, total: 1000 }, { busy: 900, total: 1000 }] },
  } as unknown as StepRecord;
  const load = machineLoad(rec, '1')!;
  assert.ok(Math.abs(load.busyCores - 1.5) < 1e-9);
  assert.equal(load.generatorCoreBusy, 0.9);
  assert.ok(Math.abs(load.otherCores! - (1.5 - 0.5 - 0.2 - 0.1)) < 1e-9);
  // The generator's core was saturated, but it used a fifth of it: it got what it asked for.
  assert.equal(generatorLimited(rec.generators, null, null, load.generatorCoreBusy), false);
  assert.equal(generatorLimited([{ ...rec.generators[0]!, cpuShare: 0.6 }], null, null, 0.99), true);
});

test('wrk output gives the rate, the percentiles and the errors', () => {
  const out = `Running 3s test @ http://127.0.0.1:8000/hello
  Latency Distribution
     50%  559.00us
     75%    2.35ms
     90%    6.60ms
     99%   28.26ms
  180671 requests in 3.06s, 25.33MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  59001.39
`;
  const w = parseWrk(out)!;
  assert.equal(w.requestsPerSec, 59001.39);
  assert.equal(w.latencyMs['p50'], 0.559);
  assert.equal(w.latencyMs['p99'], 28.26);
  assert.equal(w.requests, 180671);
  assert.equal(w.errors, 3);
  assert.equal(parseWrk('connection refused'), null);
});

test('the Markdown subset becomes escaped HTML tables and headings', () => {
  const html = markdownToHtml('## A <b>\n\n| x | y \\| z |\n|---|---|\n| 1 | **2** |\n');
  assert.match(html, /<h2 id="a-b-">A &lt;b&gt;<\/h2>/);
  assert.match(html, /<th>y \| z<\/th>/);
  assert.match(html, /<td><strong>2<\/strong><\/td>/);
});

test('a step that measured a failed rate again says so in its verdict, first try and repeat side by side', () => {
  const first = step({ id: '005-hello-27000rps', rate: 27000, reasons: ['p99 19.5 ms >= 10 ms'] });
  const again = step({ id: '006-hello-27000rps-repeat', rate: 27000, repeatOf: first.id, pass: true, reasons: [] });
  const rows = stepRows([first, again], false);
  assert.deepEqual(rows.map((r) => [r[0], r.at(-1)]), [
    ['27000', 'FAIL: p99 19.5 ms >= 10 ms'],
    ['27000', 'REPEAT: pass'],
  ]);
});

test('make report refuses a run folder made before pacer, naming why and the commit to rebuild it from', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pre-pacer-'));
  try {
    const step = { id: '002-hello-4000rps', scenario: 'hello', files: { oha: 'runs/hello/002.json' } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 1, steps: [step], environment: { commit: 'abc1234' } }));
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./report.js', import.meta.url)), dir], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /ran before pacer \(1 step\(s\) kept oha's JSON, not pacer's\).*commit that made it \(abc1234\)/);
    assert.equal(existsSync(join(dir, 'report.md')), false, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
