import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMethods, methodsMarkdown } from './methods.js';
import type { Report } from './report/schema.js';

/** Just the fields the comparison reads. */
function report(method: string, nativePool: number | null, serviceMs: number, hello: number): Report {
  const heavy = (mode: string, capacity: number | null) => ({
    engine: 'native',
    mode,
    available: true,
    capacity,
    serviceTimeSec: serviceMs / 1000,
    atCapacity: capacity === null ? null : { latencyMs: { p99: 120 }, throttling: { share: 0.25 } },
  });
  return {
    run: { profile: 'quick' },
    heavy: [heavy('inline', 18), heavy('pool', nativePool)],
    hello: { capacity: hello },
    environment: { limits: { method }, service: { uws: `native ${method}` } },
  } as unknown as Report;
}

test('compare-methods: capacities side by side, with the ratio and a verdict per engine x mode', () => {
  const { rows, verdict } = compareMethods({ cgroup: report('cgroup-v1', 20, 50, 9000), docker: report('docker', 19, 52, 8000) });
  const pool = rows.find((r) => r.what === 'native/pool capacity (req/s)')!;
  assert.deepEqual(pool.values, { cgroup: '20.00', docker: '19.00' });
  assert.equal(pool.ratio, 19 / 20);
  assert.equal(rows.find((r) => r.what === 'limits')!.values.docker, 'docker');
  assert.match(verdict.find((v) => v.startsWith('native/pool'))!, /agree \(docker\/cgroup = 0\.95/);
});

test('compare-methods: a gap over 15% is called a difference, a missing capacity is named', () => {
  const { verdict } = compareMethods({ cgroup: report('cgroup-v1', 20, 50, 9000), docker: report('docker', null, 52, 8000) });
  assert.match(verdict.find((v) => v.startsWith('native/pool'))!, /no capacity to compare/);
  const far = compareMethods({ cgroup: report('cgroup-v1', 20, 50, 9000), docker: report('docker', 12, 80, 8000) }).verdict;
  assert.match(far.find((v) => v.startsWith('native/pool'))!, /DIFFER \(docker\/cgroup = 0\.60\)/);
  const md = methodsMarkdown('reports/x', { cgroup: report('cgroup-v1', 20, 50, 9000), docker: report('docker', 19, 52, 8000) });
  assert.match(md, /\| native\/pool capacity \(req\/s\) \| 20\.00 \| 19\.00 \| 0\.95 \|/);
});
