/**
 * The ONE rule for when a step measured its load generator instead of the server: compare's
 * verdicts, its report and its mixed scenario all ask this function.
 */
import type { StepSummary } from './summary.js';

/** A generator using more than this share of its core may be what limits the step. */
export const GENERATOR_CPU_LIMIT = 0.9;

/** Whether a generator used more than GENERATOR_CPU_LIMIT of its core. */
export function outOfCore(generator: { readonly cpuShare: number }): boolean {
  return generator.cpuShare > GENERATOR_CPU_LIMIT;
}

/**
 * The step says nothing about the server's limit: a generator used most of its core, or its core
 * was saturated while it used much of it (so it may have wanted more), or it sent visibly below the
 * asked rate while the server still answered within the objective (judged only with enough
 * requests). Without a summary or an offered rate only the CPU rules apply.
 */
export function generatorLimited(
  generators: readonly { readonly cpuShare: number }[],
  summary: StepSummary | null = null,
  offered: number | null = null,
  generatorCoreBusy: number | null = null,
  sloP99Ms = Infinity,
): boolean {
  if (generators.some(outOfCore)) return true;
  // A saturated core limits a generator only if it was using a large part of it: at 1 % of a core
  // it got what it asked for, whoever else was busy there.
  if (generatorCoreBusy !== null && generatorCoreBusy > 0.95 && generators.some((g) => g.cpuShare > 0.45)) return true;
  return summary !== null && offered !== null && summary.requests >= 200 && summary.sentRate < 0.9 * offered && summary.latencyMs.p99 < sloP99Ms;
}
