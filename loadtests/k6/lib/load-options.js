// OPTIONAL, for users who bring their own k6 binary (k6 is AGPL-3.0; the lab never installs or runs
// it). The shapes below must stay those of loadtests/config.ts, which `make smoke`/`make load` run on
// vegeta: loadtests/k6/options.test.ts holds the two equal.
// The load shapes and thresholds every k6 script here takes its options from, in one place, as in
// grafana/quickpizza's lib/load-options.js. Plain JavaScript without k6 imports, so node's tests can
// check the shapes against the seed. Each function takes the environment (k6's __ENV) so a run can
// be shortened or scaled without editing a script.

/** The seed's full load test: 1 -> 5 -> 20 -> 50 -> 100 -> 150 -> 0 VUs, 10 minutes in all. */
export const SEED_STAGES = Object.freeze([
  { duration: '1m', target: 5 }, // warm-up
  { duration: '2m', target: 20 },
  { duration: '2m', target: 50 },
  { duration: '2m', target: 100 },
  { duration: '2m', target: 150 }, // peak
  { duration: '1m', target: 0 }, // cool-down
]);

/** The metric every latency threshold and the printed p99 refer to: heavy requests only. */
export const HEAVY_DURATION = 'http_req_duration{name:cpu-io-no-db}';

/** The seed's thresholds: latency percentiles, throttled answers (429/503), server errors (other 5xx). */
export function seedThresholds() {
  return {
    [HEAVY_DURATION]: ['p(50)<1000', 'p(95)<3000', 'p(99)<6000'],
    throttled_requests: ['count<50'],
    server_errors: ['count<10'],
  };
}

const TREND_STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'];

/** Smoke: 10 VUs for 30 s (VUS, DURATION override), every check passing. */
export function smokeOptions(env = {}) {
  return {
    vus: positiveInt(env.VUS, 10, 'VUS'),
    duration: env.DURATION || '30s',
    thresholds: { ...seedThresholds(), checks: ['rate>0.99'] },
    summaryTrendStats: TREND_STATS,
  };
}

/** The seed's ramp, from 1 VU. */
export function loadOptions() {
  return {
    scenarios: {
      load: { executor: 'ramping-vus', startVUs: 1, stages: SEED_STAGES.map((s) => ({ ...s })), gracefulRampDown: '30s' },
    },
    thresholds: seedThresholds(),
    summaryTrendStats: TREND_STATS,
  };
}

/**
 * Open model: RATE requests per second for DURATION whatever the latency, so a slow engine shows as
 * growing latency and dropped iterations instead of fewer requests sent (a closed loop of VUs waits
 * for each answer and hides that).
 */
export function arrivalRateOptions(env = {}) {
  const rate = positiveInt(env.RATE, 2, 'RATE');
  return {
    scenarios: {
      arrival: {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: '1s',
        duration: env.DURATION || '1m',
        preAllocatedVUs: Math.max(10, rate * 4),
        maxVUs: positiveInt(env.MAX_VUS, Math.max(50, rate * 20), 'MAX_VUS'),
      },
    },
    thresholds: { ...seedThresholds(), dropped_iterations: ['count<1'] },
    summaryTrendStats: TREND_STATS,
  };
}

function positiveInt(raw, fallback, name) {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}
