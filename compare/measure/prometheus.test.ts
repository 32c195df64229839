import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { foreignAnswers, METRICS_LAG_MS, prometheusTrust, stepQueries } from './prometheus.js';

test('step queries: counters read exactly at the step start and the window end, gauges over the same window', () => {
  const start = 1_796_032_227_840;
  const end = start + 2019;
  const q = stepQueries(start, end, end + METRICS_LAG_MS);
  // Exact times, no rounding to whole seconds (which moved the window into the previous step).
  assert.equal(q['answered'], 'sum(http_requests_total{route!="/heavy/health/"} @ 1796032232.359) - (sum(http_requests_total{route!="/heavy/health/"} @ 1796032227.840) or vector(0))');
  assert.match(q['cpuCores']!, /@ 1796032232\.359\).*@ 1796032227\.840\) or vector\(0\)\)\) \/ 2\.019$/);
  assert.equal(q['rssMaxBytes'], 'max(max_over_time(nodejs_process_resident_memory_bytes[4519ms]))');
  assert.match(q['answered5xx']!, /route!="\/heavy\/health\/",status=~"5\.\."/);
});

test('the cross-check names no cause it cannot know', () => {
  assert.equal(prometheusTrust(undefined, 100).trusted, null);
  assert.equal(prometheusTrust(1200, 1200).trusted, true);
  const high = prometheusTrust(17281, 7996);
  assert.equal(high.trusted, false);
  assert.match(high.note!, /17281 answers in the step's window for 7996 requests sent/);
  assert.doesNotMatch(high.note!, /another process sends/);
  assert.match(prometheusTrust(10, 1000).note!, /only 10 answers/);
});

test('step queries scoped to one service_instance keep only its series', () => {
  const q = stepQueries(1000, 3000, 5500, 'compare-20261130T1000Z');
  for (const [name, expr] of Object.entries(q)) {
    const selectors = [...expr.matchAll(/\b(nodejs_[a-z0-9_]+|http_[a-z_]+|heavy_[a-z_]+)(\{[^}]*\})?/g)];
    assert.ok(selectors.length > 0, name);
    for (const [, metric, labels] of selectors) assert.match(labels ?? '', /service_instance="compare-20261130T1000Z"/, `${name}: ${metric}`);
  }
  assert.equal(q['answered'], 'sum(http_requests_total{route!="/heavy/health/",service_instance="compare-20261130T1000Z"} @ 5.500) - (sum(http_requests_total{route!="/heavy/health/",service_instance="compare-20261130T1000Z"} @ 1.000) or vector(0))');
  // Unscoped (a server without the label): the same queries as before.
  assert.doesNotMatch(Object.values(stepQueries(1000, 3000, 5500)).join(' '), /service_instance/);
});

test('answers for what a step did not load are another sender\'s, and named so', () => {
  const series = [
    { route: '/heavy/cpu-io-no-db/', engine: 'js', mode: 'pool', count: 6 },
    { route: '/heavy/cpu-io-no-db/', engine: 'native', mode: 'inline', count: 62 },
  ];
  const step = { scenario: 'heavy' as const, engine: 'js', mode: 'pool', prometheusSeries: { query: 'q', series } };
  assert.deepEqual(foreignAnswers(step), { count: 62, what: ['62 x /heavy/cpu-io-no-db/ native/inline'] });
  assert.match(prometheusTrust(68, 6, foreignAnswers(step)).note!, /^another process sent StatsD to the same exporter during the step \(62 x/);
  // Scoped to the service's own instance, the extra answers were its own, to requests from outside the step.
  assert.match(prometheusTrust(68, 6, foreignAnswers(step), true).note!, /^this service answered requests the step did not send during the step \(62 x/);
  // Mixed steps load /hello and one engine x mode: both are their own.
  const mixed = { scenario: 'mixed' as const, engine: 'native', mode: 'inline', prometheusSeries: { query: 'q', series: [...series, { route: '/hello', engine: 'none', mode: 'none', count: 1500 }] } };
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
