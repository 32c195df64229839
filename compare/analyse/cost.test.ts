import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../lab/index.js';
import { costReport, DEFAULT_RATES, loadRates, platforms, RatesError, readCostEnv, type Rates } from './cost.js';
import { scalingReport, type CapacityOf } from './scaling.js';
import type { StepResult } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-cost-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RATES: Rates = {
  region: 'us-east-1',
  currency: 'USD',
  pricing: 'on-demand, Linux',
  fargate: { x86_64: { vcpuHour: 0.04048, gbHour: 0.004445, source: 'https://example.org/f', read: '2026-11-30' } },
  ec2: [{ type: 'c6i.large', arch: 'x86_64', vcpus: 2, memoryGiB: 4, hourly: 0.085, source: 'https://example.org/e', read: '2026-11-30' }],
};

describe('rates file', () => {
  it('the shipped file is complete: Fargate x86 and ARM, at least two EC2 types, each price sourced and dated', () => {
    const r = loadRates(join(repoRoot(), DEFAULT_RATES));
    assert.deepEqual(Object.keys(r.fargate).sort(), ['arm64', 'x86_64']);
    assert.ok(r.ec2.length >= 2);
    for (const p of platforms(r)) {
      assert.match(p.source, /^https:\/\//);
      assert.match(p.read, /^\d{4}-\d{2}-\d{2}$/);
    }
  });

  /** The parts of a rates file these cases break (a cloned, untyped copy of RATES). */
  type Mutable = { fargate: { x86_64: { source?: string } }; ec2: { read: string; hourly: number }[] };
  for (const [what, mutate, message] of [
    ['a price without its source', (r: Mutable) => delete r.fargate.x86_64.source, /fargate\.x86_64\.source must be the https address/],
    ['a price without the date read', (r: Mutable) => (r.ec2[0]!.read = 'last week'), /ec2\[0\] \(c6i\.large\)\.read must be the date the price was read/],
    ['a negative price', (r: Mutable) => (r.ec2[0]!.hourly = -1), /ec2\[0\] \(c6i\.large\)\.hourly must be a positive number/],
  ] as const) {
    it(`refuses ${what}, naming the field`, () => {
      const r = structuredClone(RATES) as unknown as Mutable;
      mutate(r);
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(r));
      assert.throws(
        () => loadRates(file),
        (e: Error) => e instanceof RatesError && message.test(e.message),
      );
    });
  }

  it('refuses a missing file and a file that is not JSON', () => {
    assert.throws(() => loadRates(join(dir, 'none.json')), /RATES: no such file/);
    writeFileSync(join(dir, 'x.json'), '{');
    assert.throws(() => loadRates(join(dir, 'x.json')), /is not JSON/);
  });

  it('reads RATES and TARGET_RPS, with defaults, and refuses a bad target', () => {
    assert.deepEqual(readCostEnv({}), { ratesFile: DEFAULT_RATES, targetRps: 150 });
    assert.deepEqual(readCostEnv({ RATES: 'my.json', TARGET_RPS: '40' }), { ratesFile: 'my.json', targetRps: 40 });
    assert.throws(() => readCostEnv({ TARGET_RPS: '-3' }), /TARGET_RPS must be a positive number/);
  });
});

describe('cost per million requests', () => {
  const c = costReport(
    [
      { name: 'native/pool', capacity: 10 },
      { name: 'none', capacity: 0 },
    ],
    RATES,
    'r.json',
    150,
  );

  it('Fargate: a task is billed 1 vCPU + 2 GB; cost = hourly / (capacity x 3600) x 1e6; tasks carry 30% headroom', () => {
    const f = c.rows.find((r) => r.platform.startsWith('Fargate'))!;
    const hourly = 0.04048 + 2 * 0.004445;
    assert.ok(Math.abs(f.taskHourly - hourly) < 1e-12);
    assert.ok(Math.abs(f.costPerMillion - (hourly / 36000) * 1e6) < 1e-9);
    assert.equal(f.tasks, 20); // ceil(150 x 1.3 / 10)
    assert.equal(f.instances, null);
    assert.ok(Math.abs(f.fleetHourly - 20 * hourly) < 1e-12);
  });

  it('EC2: an instance holds floor(vCPUs) 1-CPU tasks; the fleet is whole instances', () => {
    const e = c.rows.find((r) => r.platform.startsWith('EC2'))!;
    assert.equal(e.taskHourly, 0.085 / 2);
    assert.equal(e.tasks, 20);
    assert.equal(e.instances, 10);
    assert.ok(Math.abs(e.fleetHourly - 0.85) < 1e-12);
  });

  it('skips subjects without a capacity, and keeps what its notes are written from', () => {
    assert.deepEqual([...new Set(c.rows.map((r) => r.subject))], ['native/pool']);
    assert.equal(c.pricing, RATES.pricing);
  });
});

describe('scaling efficiency', () => {
  it('is capacity(N) / (N x capacity(1)), per engine x mode', () => {
    const step = (rate: number) => ({ rate }) as unknown as StepResult;
    const capacityOf: CapacityOf<StepResult> = (steps) => ({ capacity: steps[0]?.rate ?? null, firstFailure: null, atCapacity: null });
    const s = scalingReport(
      [
        { engine: 'native', mode: 'pool', cpus: 0.5, end: 'bracketed', steps: [step(4)] },
        { engine: 'native', mode: 'pool', cpus: 1, end: 'bracketed', steps: [step(10)] },
        { engine: 'native', mode: 'pool', cpus: 2, end: 'steps-exhausted', steps: [step(18)] },
        { engine: 'wasm', mode: 'pool', cpus: 2, end: 'bracketed', steps: [step(7)] },
      ],
      capacityOf,
      2,
    );
    assert.deepEqual(
      s.rows.map((r) => r.efficiency),
      [0.8, 1, 0.9, null],
    );
    assert.deepEqual(
      s.rows.map((r) => r.efficiencyExact),
      [true, true, false, false],
    );
    assert.deepEqual(s.cpus, [0.5, 1, 2]);
    assert.equal(s.cores, 2);
  });
});
