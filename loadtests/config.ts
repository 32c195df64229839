/**
 * The seed's load tests in one place (grafana/quickpizza's lib/config.js shape): the target, the
 * engine and mode, the smoke and ramp shapes, the thresholds, and the environment that overrides
 * them. `make smoke` and `make load` (loadtests/run.ts) read everything from here; the optional
 * k6 scripts in loadtests/k6/ carry the same shapes, and a unit test holds the two equal.
 */
import { SEED_SLO } from '../lab/facts.js';
import { baseUrl, DEFAULT_WORKLOAD, ENGINES, heavyQuery, isLoopback, MODES, readHost, readPort, type Workload } from '../lab/index.js';

export type { Workload };

type Env = Readonly<Record<string, string | undefined>>;

/** One stage of a ramp: move linearly to `target` VUs over `durationSec`. */
export interface Stage {
  readonly durationSec: number;
  readonly target: number;
}

/** The seed's smoke test: 10 VUs for 30 s. */
export const SEED_SMOKE = Object.freeze({ vus: 10, durationSec: 30 });

/** The seed's full load test: 1 -> 5 -> 20 -> 50 -> 100 -> 150 -> 0 VUs, 10 minutes in all. */
export const SEED_LOAD = Object.freeze({
  startVus: 1,
  stages: Object.freeze([
    { durationSec: 60, target: 5 }, // warm-up
    { durationSec: 120, target: 20 },
    { durationSec: 120, target: 50 },
    { durationSec: 120, target: 100 },
    { durationSec: 120, target: 150 }, // peak
    { durationSec: 60, target: 0 }, // cool-down
  ] as readonly Stage[]),
});

/** What a threshold is measured on (see thresholds.ts). */
export type Metric = 'p50_ms' | 'p95_ms' | 'p99_ms' | 'throttled' | 'server_errors' | 'no_answer' | 'wrong_answers';

export interface Threshold {
  readonly metric: Metric;
  /** How the summary names it. */
  readonly label: string;
  /** Met when the measured value is strictly below this. */
  readonly below: number;
  readonly unit: 'ms' | '';
  /** Where it comes from: the seed's five, or the lab's guards against a run that passes by answering nothing. */
  readonly source: 'seed' | 'lab';
}

/**
 * The seed's thresholds (P50 < 1000 ms, P95 < 3000 ms, P99 < 6000 ms, throttled < 50, server errors
 * < 10), counted as the seed counts them: throttled = 429 or 503, server errors = every other 5xx.
 * Two more, so a dead or wrong service cannot pass: every request answered (a refused connection or
 * a timeout is no latency at all), and every 200 carrying the same primes_found as the primer.
 */
export const THRESHOLDS: readonly Threshold[] = Object.freeze([
  { metric: 'p50_ms', label: 'P50 latency', below: SEED_SLO.p50Ms, unit: 'ms', source: 'seed' },
  { metric: 'p95_ms', label: 'P95 latency', below: SEED_SLO.p95Ms, unit: 'ms', source: 'seed' },
  { metric: 'p99_ms', label: 'P99 latency', below: SEED_SLO.p99Ms, unit: 'ms', source: 'seed' },
  { metric: 'throttled', label: 'throttled (429/503)', below: 50, unit: '', source: 'seed' },
  { metric: 'server_errors', label: 'server errors (other 5xx)', below: 10, unit: '', source: 'seed' },
  { metric: 'no_answer', label: 'no answer (timeouts, refused)', below: 1, unit: '', source: 'lab' },
  { metric: 'wrong_answers', label: "wrong answers (200 without the primer's primes_found)", below: 1, unit: '', source: 'lab' },
] as const);

export type Scenario = 'smoke' | 'load';
/**
 * closed: VUs, each waiting for its answer before the next request (the seed's k6 VUs): the offered
 * load falls when the service slows, so it hides stalls (coordinated omission). open: the same
 * requests per second arrive whatever the latency: latency claims come from this one.
 */
export type Model = 'closed' | 'open';
export const MODELS: readonly Model[] = ['closed', 'open'];

/** Everything one run needs, validated. */
export interface LoadOptions {
  readonly scenario: Scenario;
  readonly baseUrl: string;
  readonly impl: string;
  readonly mode: string;
  readonly model: Model;
  readonly workload: Workload;
  /** VUs at time 0 (the load's 1; the smoke's VUs). */
  readonly startVus: number;
  readonly stages: readonly Stage[];
  /** Seconds each VU waits after an answer; 0 sends back to back. */
  readonly thinkSec: number;
  /** Longest constant-load slice a ramp is cut into. */
  readonly sliceSec: number;
  /** The factor stage durations were multiplied by. */
  readonly scale: number;
  /** vegeta's per-request timeout. */
  readonly timeoutSec: number;
}

/** Bad input: one line naming the variable. */
export class OptionError extends Error {}

/** Go-style durations as vegeta and k6 take them ("30s", "1m30s", "500ms"); a bare number is seconds. */
export function parseDuration(name: string, raw: string): number {
  const s = raw.trim();
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return positive(name, Number(s), raw);
  const parts = [...s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== s) {
    throw new OptionError(`${name} must be a duration such as 30s, 2m or 1m30s (got "${raw}")`);
  }
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
  return positive(
    name,
    parts.reduce((sum, m) => sum + Number(m[1]) * unit[m[2] as keyof typeof unit], 0),
    raw,
  );
}

function positive(name: string, n: number, raw: string): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new OptionError(`${name} must be greater than zero (got "${raw}")`);
  return n;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new OptionError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^[0-9]*\.?[0-9]+$/.test(raw) || n < min || n > max) throw new OptionError(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new OptionError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  return raw as T;
}

/**
 * BASE_URL, else http://HOST:PORT (lab/: 127.0.0.1:8000), checked: loopback only unless
 * ALLOW_REMOTE=1, for a load generator aimed at the wrong host is an attack on someone else.
 */
export function readBaseUrl(env: Env): string {
  const raw = env['BASE_URL']?.trim();
  if (!raw) {
    try {
      return baseUrl(readHost(env), readPort(env));
    } catch (err) {
      throw new OptionError((err as Error).message);
    }
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OptionError(`BASE_URL is not a URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:') throw new OptionError(`BASE_URL must be http:// (got "${raw}")`);
  if (env['ALLOW_REMOTE'] !== '1' && !isLoopback(url.hostname)) {
    throw new OptionError(`BASE_URL must be a loopback address (127.0.0.0/8, ::1, localhost; got "${raw}"): the lab loads only this machine unless ALLOW_REMOTE=1`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * The options of one run from the environment (the Makefile passes its variables through):
 * VUS (smoke: its VUs; load: the peak, every stage scaled in proportion), DURATION (smoke: its
 * length; load: the whole ramp's, stages scaled to fit), SCALE (stage durations times this, e.g.
 * 0.1 for a one-minute ramp; not with DURATION), IMPL, MODE, MODEL (closed|open), THINK (seconds a
 * VU waits between requests, default 1 as in the seed's scripts; 0: back to back), SLICE (longest
 * slice of a ramp, default 10 s scaled), TIMEOUT, PRIME_LIMIT, HASH_ROUNDS, IO_KB, BASE_URL or
 * HOST/PORT.
 */
export function readOptions(scenario: Scenario, env: Env = process.env): LoadOptions {
  const impl = oneOf(env, 'IMPL', ENGINES, 'js');
  const mode = oneOf(env, 'MODE', MODES, 'inline');
  const model = oneOf(env, 'MODEL', MODELS, 'closed');
  const thinkSec = env['THINK']?.trim() ? (env['THINK'].trim() === '0' ? 0 : parseDuration('THINK', env['THINK'])) : 1;
  if (model === 'open' && thinkSec === 0) {
    throw new OptionError('MODEL=open needs THINK > 0: its arrival rate is VUs / THINK requests per second');
  }
  const workload: Workload = {
    primeLimit: integer(env, 'PRIME_LIMIT', DEFAULT_WORKLOAD.primeLimit, 0, 1e15),
    hashRounds: integer(env, 'HASH_ROUNDS', DEFAULT_WORKLOAD.hashRounds, 0, 1e15),
    ioKb: integer(env, 'IO_KB', DEFAULT_WORKLOAD.ioKb, 0, 1e15),
  };
  const hasDuration = Boolean(env['DURATION']?.trim());
  const hasScale = Boolean(env['SCALE']?.trim());
  let startVus: number;
  let stages: Stage[];
  let scale: number;
  if (scenario === 'smoke') {
    if (hasScale) throw new OptionError('SCALE shortens the load ramp; the smoke takes DURATION');
    const vus = integer(env, 'VUS', SEED_SMOKE.vus, 1, 1000);
    const durationSec = hasDuration ? parseDuration('DURATION', env['DURATION']!) : SEED_SMOKE.durationSec;
    scale = durationSec / SEED_SMOKE.durationSec;
    startVus = vus;
    stages = [{ durationSec, target: vus }];
  } else {
    if (hasScale && hasDuration) throw new OptionError('give DURATION or SCALE for the load ramp, not both');
    const total = SEED_LOAD.stages.reduce((s, st) => s + st.durationSec, 0);
    scale = hasDuration ? parseDuration('DURATION', env['DURATION']!) / total : hasScale ? number(env, 'SCALE', 1, 0.001, 100) : 1;
    const peak = Math.max(...SEED_LOAD.stages.map((s) => s.target));
    const vusFactor = integer(env, 'VUS', peak, 1, 1000) / peak;
    startVus = Math.max(1, Math.round(SEED_LOAD.startVus * vusFactor));
    stages = SEED_LOAD.stages.map((s) => ({ durationSec: s.durationSec * scale, target: Math.round(s.target * vusFactor) }));
  }
  // A ramp is approximated by constant slices: 10 s at full length, shorter when scaled, never
  // below 2 s (each slice is one vegeta process with its own connections).
  const sliceSec = env['SLICE']?.trim() ? parseDuration('SLICE', env['SLICE']) : Math.max(2, 10 * Math.min(1, scale));
  return Object.freeze({
    scenario,
    baseUrl: readBaseUrl(env),
    impl,
    mode,
    model,
    workload,
    startVus,
    stages: Object.freeze(stages),
    thinkSec,
    sliceSec,
    scale,
    timeoutSec: env['TIMEOUT']?.trim() ? parseDuration('TIMEOUT', env['TIMEOUT']) : 30,
  });
}

/** The heavy request of a run. */
export function heavyUrl(o: Pick<LoadOptions, 'baseUrl' | 'workload' | 'impl' | 'mode'>): string {
  return `${o.baseUrl}/heavy/cpu-io-no-db/?${heavyQuery(o.workload, o.impl, o.mode)}`;
}
