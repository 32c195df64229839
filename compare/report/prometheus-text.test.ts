import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { foreignAnswers, prometheusTrust } from '../analyse/prometheus-trust.js';
import { distrustText } from './compose.js';

test('the cross-check names no cause it cannot know', () => {
  assert.equal(prometheusTrust(undefined, 100).trusted, null);
  assert.equal(prometheusTrust(1200, 1200).trusted, true);
  const high = prometheusTrust(17281, 7996);
  assert.equal(high.trusted, false);
  assert.deepEqual(high.distrust, { kind: 'too-many', answered: 17281, sent: 7996 });
  assert.match(distrustText(high.distrust!), /17281 answers in the step's window for 7996 requests sent/);
  assert.doesNotMatch(distrustText(high.distrust!), /another process sen/);
  assert.match(distrustText(prometheusTrust(10, 1000).distrust!), /only 10 answers/);
});

test("answers for what a step did not load are another sender's, and named so", () => {
  const series = [
    { route: '/heavy/cpu-io-no-db/', engine: 'js', mode: 'pool', count: 6 },
    { route: '/heavy/cpu-io-no-db/', engine: 'native', mode: 'inline', count: 62 },
  ];
  const step = { scenario: 'heavy' as const, engine: 'js', mode: 'pool', prometheusSeries: { query: 'q', series } };
  assert.deepEqual(foreignAnswers(step), { count: 62, what: ['62 x /heavy/cpu-io-no-db/ native/inline'] });
  assert.match(distrustText(prometheusTrust(68, 6, foreignAnswers(step)).distrust!), /^another process sent StatsD to the same exporter during the step \(62 x/);
  // Scoped to the service's own instance, the extra answers were its own, to requests from outside the step.
  assert.match(distrustText(prometheusTrust(68, 6, foreignAnswers(step), true).distrust!), /^this service answered requests the step did not send during the step \(62 x/);
  // Mixed steps load /hello and one engine x mode: both are their own.
  const mixed = {
    scenario: 'mixed' as const,
    engine: 'native',
    mode: 'inline',
    prometheusSeries: { query: 'q', series: [...series, { route: '/hello', engine: 'none', mode: 'none', count: 1500 }] },
  };
  assert.equal(foreignAnswers(mixed)!.count, 6);
  // A peer's steps are not the lab server's: no verdict from the lab's labels.
  assert.equal(foreignAnswers({ ...step, target: 'django' }), null);
  assert.equal(foreignAnswers({ scenario: 'hello', engine: null, mode: null }), null);
});

test('Prometheus counts are trusted only when they match what was sent', () => {
  assert.equal(prometheusTrust(undefined, 100).trusted, null);
  assert.equal(prometheusTrust(null, 100).trusted, false);
  assert.equal(prometheusTrust(105, 100).trusted, true);
  assert.equal(prometheusTrust(5000, 100).trusted, false);
  assert.equal(prometheusTrust(10, 1000).trusted, false);
});
