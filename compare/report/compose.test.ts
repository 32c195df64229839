import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costNotes, scalingNotes } from './compose.js';

test('the cost table labels its figures as estimates, and names what the rates file lacks', () => {
  const notes = costNotes({ targetRps: 150, headroom: 0.3, ratesFile: 'r.json', region: 'us-east-1', currency: 'USD', platforms: [], rows: [], pricing: 'on-demand', notFound: 'c7g prices' });
  assert.match(notes[0]!, /^ESTIMATES from this machine's measured capacity of one 1-CPU task \(not AWS hardware\), on-demand prices in us-east-1 from r\.json/);
  assert.ok(notes.some((n) => /no 1 vCPU \/ 256 MB size/.test(n)));
  assert.equal(notes.at(-1), 'Not in the rates file: c7g prices');
});

test('the scaling notes warn when a CPU limit gave the service every core', () => {
  assert.ok(scalingNotes({ cpus: [0.5, 1, 2], rows: [], resolution: 0.15, cores: 2 }).some((n) => /CPUS=2 gives the service every core of this 2-core machine/.test(n)));
  assert.ok(scalingNotes({ cpus: [0.5, 1, 2], rows: [], resolution: 0.15, cores: 2 }).some((n) => /within 15% of the passing one/.test(n)));
  assert.equal(scalingNotes({ cpus: [0.5, 1], rows: [], resolution: null, cores: 2 }).length, 1);
});
