import type { GeneratorUse } from './manifest.js';
import type { VegetaSummary } from './vegeta.js';

/** A generator using more than this share of its core may be what limits the step. */
export const GENERATOR_CPU_LIMIT = 0.9;

/**
 * The step says nothing about the server: the generator was busy on its core, or vegeta sent
 * visibly below the asked rate (only judged with enough requests to tell).
 */
export function generatorLimited(generators: readonly GeneratorUse[], summary: VegetaSummary | null, offered: number | null): boolean {
  if (generators.some((g) => g.cpuShare > GENERATOR_CPU_LIMIT)) return true;
  return summary !== null && offered !== null && summary.requests >= 200 && summary.sentRate < 0.95 * offered;
}

/** /hello passes: every answer 2xx and p99 under the SLO. */
export function helloPasses(s: VegetaSummary, sloP99Ms: number): boolean {
  return s.requests > 0 && s.success === 1 && s.latencyMs.p99 < sloP99Ms;
}

/** Heavy passes the seed's thresholds: p95 < 3 s, p99 < 6 s, no error, no wrong answer. */
export function heavyPasses(s: VegetaSummary, wrongAnswers: number, slo: { sloP95Ms: number; sloP99Ms: number }): boolean {
  return s.requests > 0 && s.success === 1 && wrongAnswers === 0 && s.latencyMs.p95 < slo.sloP95Ms && s.latencyMs.p99 < slo.sloP99Ms;
}

/** Why a step failed, in words, for the search log and the report. */
export function failureReasons(s: VegetaSummary, slo: { p95?: number; p99: number }, wrongAnswers = 0): string[] {
  const why: string[] = [];
  if (s.requests === 0) why.push('no requests sent');
  const errors = Math.round(s.requests * (1 - s.success));
  if (errors > 0) {
    const codes = Object.entries(s.statusCodes)
      .filter(([c]) => !c.startsWith('2'))
      .map(([c, n]) => `${n}x${c === '0' ? 'transport error' : c}`);
    why.push(`${errors} error(s): ${codes.join(', ')}`);
  }
  if (wrongAnswers > 0) why.push(`${wrongAnswers} WRONG answer(s)`);
  if (slo.p95 !== undefined && s.latencyMs.p95 >= slo.p95) why.push(`p95 ${fmtMs(s.latencyMs.p95)} >= ${fmtMs(slo.p95)}`);
  if (s.latencyMs.p99 >= slo.p99) why.push(`p99 ${fmtMs(s.latencyMs.p99)} >= ${fmtMs(slo.p99)}`);
  return why;
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(2)} ms`;
}
