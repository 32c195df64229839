// OPTIONAL, for users who bring their own k6 binary (AGPL-3.0; the lab never installs or runs it).
// What every k6 script here shares about the lab's service: where it is (BASE_URL), which engine
// and mode (IMPL, MODE), the heavy request with its checks and counters, the health check for
// setup(), and the end-of-test summary (p99 printed, JSON written).
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { HEAVY_DURATION } from './load-options.js';

export const BASE_URL = (__ENV.BASE_URL || `http://${__ENV.HOST || '127.0.0.1'}:${__ENV.PORT || '8000'}`).replace(/\/+$/, '');
export const IMPL = __ENV.IMPL || 'js';
export const MODE = __ENV.MODE || 'inline';
// The seed's defaults (500000, 1000000, 128): ~1.2 s per request in the seed's Django.
const PARAMS = {
  prime_limit: __ENV.PRIME_LIMIT || '500000',
  hash_rounds: __ENV.HASH_ROUNDS || '1000000',
  io_kb: __ENV.IO_KB || '128',
};
const HEAVY_URL = `${BASE_URL}/heavy/cpu-io-no-db/?prime_limit=${PARAMS.prime_limit}&hash_rounds=${PARAMS.hash_rounds}&io_kb=${PARAMS.io_kb}&impl=${IMPL}&mode=${MODE}`;

// A load generator aimed at the wrong host is an attack on someone else.
const host = BASE_URL.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '').replace(/:[0-9]+$/, '');
if (__ENV.ALLOW_REMOTE !== '1' && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
  throw new Error(`refusing to load ${BASE_URL}: only loopback targets unless ALLOW_REMOTE=1`);
}

/** Answers the service refused for load: 429, or 503 when its admission queue is full. */
export const throttled = new Counter('throttled_requests');
/** Every other 5xx. */
export const serverErrors = new Counter('server_errors');

/** For setup(): the service must answer its health check and offer IMPL, or the test aborts. */
export function checkHealth() {
  const res = http.get(`${BASE_URL}/heavy/health/`, { tags: { name: 'health' } });
  if (res.status !== 200) exec.test.abort(`health check: ${BASE_URL}/heavy/health/ answered ${res.status} ${res.error || ''}`);
  const health = res.json();
  const engine = (health.engines || {})[IMPL];
  if (!engine || !engine.available) {
    exec.test.abort(`engine "${IMPL}" is not available: ${engine ? engine.reason : 'unknown engine'}`);
  }
  const limits = health.limits || {};
  console.log(`target ${BASE_URL}: cpus=${limits.cpus} memory_bytes=${limits.memory_bytes}; impl=${IMPL} mode=${MODE} ${JSON.stringify(PARAMS)}`);
  return { limits, impl: IMPL, mode: MODE, params: PARAMS };
}

/** One heavy request, checked and counted. */
export function heavyRequest() {
  const res = http.get(HEAVY_URL, { tags: { name: 'cpu-io-no-db', impl: IMPL, mode: MODE } });
  if (res.status === 429 || res.status === 503) throttled.add(1);
  else if (res.status >= 500) serverErrors.add(1);
  // A 503 with Retry-After is the service shedding load by design: counted (and bounded by a
  // threshold) as throttled, not failed as a check; the checks are about right answers.
  check(res, {
    'answered 200, or throttled with Retry-After': (r) => r.status === 200 || ((r.status === 429 || r.status === 503) && r.headers['Retry-After'] !== undefined),
    'a 200 carries primes_found > 0': (r) => r.status !== 200 || r.json('primes_found') > 0,
  });
  return res;
}

/**
 * handleSummary for every script: a short text on stdout (p99 first, then each threshold) and the
 * whole summary as JSON in SUMMARY_DIR (default reports/k6), named after script, engine and mode.
 */
export function summary(script, data) {
  const dir = (__ENV.SUMMARY_DIR || 'reports/k6').replace(/\/+$/, '');
  const file = `${dir}/${script}-${IMPL}-${MODE}.json`;
  const trend = (data.metrics[HEAVY_DURATION] || data.metrics.http_req_duration || { values: {} }).values;
  const count = (name) => (data.metrics[name] ? data.metrics[name].values.count : 0);
  const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(1)} ms`);
  const lines = [
    `${script}: impl=${IMPL} mode=${MODE} target=${BASE_URL}`,
    `  p99 ${ms(trend['p(99)'])}  (p50 ${ms(trend.med)}, p95 ${ms(trend['p(95)'])}, max ${ms(trend.max)})`,
    `  requests ${count('http_reqs')}, iterations ${count('iterations')}, throttled ${count('throttled_requests')}, server errors ${count('server_errors')}, dropped ${count('dropped_iterations')}`,
  ];
  let failed = 0;
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expr, result] of Object.entries(metric.thresholds || {})) {
      if (!result.ok) failed++;
      lines.push(`  ${result.ok ? 'ok  ' : 'FAIL'} ${name}: ${expr}`);
    }
  }
  lines.push(`  thresholds: ${failed === 0 ? 'all passed' : `${failed} failed`}; summary: ${file}`);
  return { stdout: `${lines.join('\n')}\n`, [file]: JSON.stringify(data, null, 2) };
}
