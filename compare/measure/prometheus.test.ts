import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { METRICS_LAG_MS, stepQueries } from './prometheus.js';

test('step queries: counters read exactly at the step start and the window end, gauges over the same window', () => {
  const start = 1_796_032_227_840;
  const end = start + 2019;
  const q = stepQueries(start, end, end + METRICS_LAG_MS);
  // Exact times, no rounding to whole seconds (which moved the window into the previous step).
  assert.equal(
    q['answered'],
    'sum(http_requests_total{route!="/heavy/health/"} @ 1796032232.359) - (sum(http_requests_total{route!="/heavy/health/"} @ 1796032227.840) or vector(0))',
  );
  assert.match(q['cpuCores']!, /@ 1796032232\.359\).*@ 1796032227\.840\) or vector\(0\)\)\) \/ 2\.019$/);
  assert.equal(q['rssMaxBytes'], 'max(max_over_time(nodejs_process_resident_memory_bytes[4519ms]))');
  assert.match(q['answered5xx']!, /route!="\/heavy\/health\/",status=~"5\.\."/);
});

test('step queries scoped to one service_instance keep only its series', () => {
  const q = stepQueries(1000, 3000, 5500, 'compare-20261130T1000Z');
  for (const [name, expr] of Object.entries(q)) {
    const selectors = [...expr.matchAll(/\b(nodejs_[a-z0-9_]+|http_[a-z_]+|heavy_[a-z_]+)(\{[^}]*\})?/g)];
    assert.ok(selectors.length > 0, name);
    for (const [, metric, labels] of selectors) assert.match(labels ?? '', /service_instance="compare-20261130T1000Z"/, `${name}: ${metric}`);
  }
  assert.equal(
    q['answered'],
    'sum(http_requests_total{route!="/heavy/health/",service_instance="compare-20261130T1000Z"} @ 5.500) - (sum(http_requests_total{route!="/heavy/health/",service_instance="compare-20261130T1000Z"} @ 1.000) or vector(0))',
  );
  // Unscoped (a server without the label): the same queries as before.
  assert.doesNotMatch(Object.values(stepQueries(1000, 3000, 5500)).join(' '), /service_instance/);
});
