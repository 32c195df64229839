/**
 * From raw results to a verdict: every number is computed here from the kept vegeta results (one
 * object per request, as `vegeta encode --to json` writes them), never read from a generator's own
 * summary, so the verdict can be rebuilt from the .bin files alone.
 */
import type { VegetaResult } from '../lab/generators/vegeta.js';
import { percentile } from '../lab/index.js';
import { THRESHOLDS, type Metric, type Threshold } from './config.js';

/** One request as vegeta recorded it. */
export interface RequestResult {
  /** HTTP status; 0 when no answer came (refused, reset, timeout). */
  readonly code: number;
  readonly latencyMs: number;
  /** Seconds since the epoch at which it was sent. */
  readonly sentSec: number;
  /** primes_found of a 200's body (null when the body has none). */
  readonly primesFound: number | null;
}

/** One request of a heavy run: its status, latency, send time and the primes_found of a 200's body. */
export function requestResult(r: VegetaResult): RequestResult {
  const primes = r.code === 200 ? r.body?.['primes_found'] : undefined;
  return { code: r.code, latencyMs: r.latencyMs, sentSec: r.sentSec, primesFound: typeof primes === 'number' ? primes : null };
}

/** The measured side of every threshold, plus what a reader needs around it. */
export interface Tally {
  readonly requests: number;
  /** Seconds from the first request sent to the last. */
  readonly spanSec: number;
  /** Requests sent per second over that span. */
  readonly sentRate: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly ok: number;
  readonly measured: Readonly<Record<Metric, number>>;
  readonly maxMs: number;
}

/**
 * Counts a run's results as the seed does: throttled = 429 or 503, server errors = every other
 * 5xx; latency percentiles (nearest rank) over every request (a timeout counts with its full wait, as in vegeta's
 * and k6's own reports). `expectedPrimes` is the primer's answer that every 200 must repeat.
 */
export function tally(results: readonly RequestResult[], expectedPrimes: number): Tally {
  const latencies = results.map((r) => r.latencyMs);
  const pct = (q: number) => percentile(latencies, q) ?? Number.NaN;
  const statusCodes: Record<string, number> = {};
  let throttled = 0;
  let serverErrors = 0;
  let noAnswer = 0;
  let wrong = 0;
  let ok = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const r of results) {
    statusCodes[String(r.code)] = (statusCodes[String(r.code)] ?? 0) + 1;
    if (r.code === 0) noAnswer++;
    else if (r.code === 429 || r.code === 503) throttled++;
    else if (r.code >= 500) serverErrors++;
    if (r.code === 200) {
      ok++;
      if (r.primesFound !== expectedPrimes) wrong++;
    }
    first = Math.min(first, r.sentSec);
    last = Math.max(last, r.sentSec);
  }
  const spanSec = results.length > 1 ? last - first : 0;
  return {
    requests: results.length,
    spanSec,
    sentRate: spanSec > 0 ? (results.length - 1) / spanSec : 0,
    statusCodes,
    ok,
    measured: {
      p50_ms: pct(50),
      p95_ms: pct(95),
      p99_ms: pct(99),
      throttled,
      server_errors: serverErrors,
      no_answer: noAnswer,
      wrong_answers: wrong,
    },
    maxMs: pct(100),
  };
}

export interface ThresholdResult {
  readonly threshold: Threshold;
  readonly value: number;
  readonly ok: boolean;
}

export interface Verdict {
  readonly passed: boolean;
  readonly results: readonly ThresholdResult[];
  /** Why the run proves nothing, when it does not (no request at all): then it has failed. */
  readonly empty: boolean;
}

/** Each threshold against its measured value; a run without a single request fails. */
export function evaluate(t: Tally, thresholds: readonly Threshold[] = THRESHOLDS): Verdict {
  const results = thresholds.map((threshold) => {
    const value = t.measured[threshold.metric];
    // NaN (no requests) is never below a limit.
    return { threshold, value, ok: value < threshold.below };
  });
  const empty = t.requests === 0;
  return { passed: !empty && results.every((r) => r.ok), results, empty };
}

/** "48.1 ms" or "12": a value as the summary prints it. */
export function formatValue(value: number, unit: Threshold['unit']): string {
  if (Number.isNaN(value)) return 'n/a';
  return unit === 'ms' ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : String(value);
}

/** One line per threshold: status, name, measured value, limit. */
export function verdictLines(v: Verdict): string[] {
  const width = Math.max(...v.results.map((r) => r.threshold.label.length));
  const lines = v.results.map((r) => {
    const t = r.threshold;
    return `  ${r.ok ? 'ok  ' : 'FAIL'}  ${t.label.padEnd(width)}  ${formatValue(r.value, t.unit).padStart(10)}  (must be < ${t.below}${t.unit ? ` ${t.unit}` : ''})`;
  });
  const failed = v.results.filter((r) => !r.ok);
  if (v.empty) lines.push('verdict: FAIL: no request was sent, so nothing was measured');
  else if (failed.length === 0) lines.push(`verdict: PASS: all ${v.results.length} thresholds met`);
  else
    lines.push(
      `verdict: FAIL: ${failed.length} of ${v.results.length} thresholds missed (${failed.map((r) => `${r.threshold.label} ${formatValue(r.value, r.threshold.unit)}`).join('; ')})`,
    );
  return lines;
}
