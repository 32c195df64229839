import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { METRICS_LAG_MS, prometheusTrust, stepQueries } from './prometheus.js';

test('step queries: counters read exactly at the step start and the window end, gauges over the same window', () => {
  const start = 1_796_032_227_840;
  const end = start + 2019;
  const q = stepQueries(start, end, end + METRICS_LAG_MS);
  // Exact times, no rounding to whole seconds (which moved the window into the previous step).
  assert.equal(q['answered'], 'sum(http_requests_total{route!="/heavy/health/"} @ 1796032232.359) - (sum(http_requests_total{route!="/heavy/health/"} @ 1796032227.840) or vector(0))');
  assert.match(q['cpuCores']!, /@ 1796032232\.359\).*@ 1796032227\.840\) or vector\(0\)\)\) \/ 2\.019$/);
  assert.equal(q['rssMaxBytes'], 'max(max_over_time(process_resident_memory_bytes[4519ms]))');
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
