import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../analyse/schema.js';
import { composeReport, costNotes, scalingNotes } from './compose.js';

test('the cost table labels its figures as estimates, and names what the rates file lacks', () => {
  const notes = costNotes({
    targetRps: 150,
    headroom: 0.3,
    ratesFile: 'r.json',
    region: 'us-east-1',
    currency: 'USD',
    platforms: [],
    rows: [],
    pricing: 'on-demand',
    notFound: 'c7g prices',
  });
  assert.match(notes[0]!, /^ESTIMATES from this machine's measured capacity of one 1-CPU task \(not AWS hardware\), on-demand prices in us-east-1 from r\.json/);
  assert.ok(notes.some((n) => /no 1 vCPU \/ 256 MB size/.test(n)));
  assert.equal(notes.at(-1), 'Not in the rates file: c7g prices');
});

test('the scaling notes warn when a CPU limit gave the service every core', () => {
  assert.ok(scalingNotes({ cpus: [0.5, 1, 2], rows: [], resolution: 0.15, cores: 2 }).some((n) => /CPUS=2 gives the service every core of this 2-core machine/.test(n)));
  assert.ok(scalingNotes({ cpus: [0.5, 1, 2], rows: [], resolution: 0.15, cores: 2 }).some((n) => /within 15% of the passing one/.test(n)));
  assert.equal(scalingNotes({ cpus: [0.5, 1], rows: [], resolution: null, cores: 2 }).length, 1);
});

test('an engine the service did not report reads so in the engines, its heavy row and its diagnosis', () => {
  const heavy = {
    engine: 'wasm',
    mode: 'pool',
    available: false,
    reason: null,
    atCapacity: null,
    steps: [],
    diagnosis: { bottleneck: 'unknown', evidence: { kind: 'unavailable', reason: null } },
  };
  const a = {
    engines: { wasm: { available: false, description: null, reason: null }, js: { available: true, description: 'js', reason: null } },
    environment: {
      limits: {
        cpus: 1,
        memoryBytes: null,
        method: 'cgroup-v2',
        constrained: null,
        readBack: { cpus: 1, memoryBytes: null, cgroupVersion: 2 },
        oomKilled: false,
        memoryPeakBytes: null,
      },
      service: { poolSize: 1, queueMax: 4, deadlineMs: 5000, uws: null },
    },
    slo: { hello: { p99Ms: 10 }, heavy: { p50Ms: 1000, p95Ms: 3000, p99Ms: 6000 } },
    heavy: [heavy],
  } as unknown as Analysis;
  const r = composeReport(a);
  assert.deepEqual(r.engines, { wasm: { available: false, description: null, reason: 'not reported by the service' }, js: { available: true, description: 'js', reason: null } });
  assert.equal(r.heavy[0]!.reason, 'not reported by the service');
  assert.deepEqual(r.heavy[0]!.diagnosis, { bottleneck: 'unknown', detail: 'ENGINE UNAVAILABLE: not reported by the service' });
  assert.deepEqual(r.environment.limits, { cpus: 1, memoryBytes: null, method: 'cgroup-v2', detail: 'unknown (no run-constrained state)' });
  assert.equal(r.environment.service.uws, 'unknown');
});
