/**
 * What limited a measured capacity. A capacity search that stopped because the load generator ran
 * out of core, or at the plan's highest rate, found only a lower bound: the report must say
 * "at least X req/s (generator-bound)" wherever it prints X, including every "vs" ratio built from
 * it, never X as if it were the service's limit (report/bound-text.ts prints it).
 */
import { SPARE_CPU } from '../measure/verdict.js';

/**
 * - service: a failing rate above the capacity was measured: it is the service's.
 * - generator: the generator could not offer more; the service did not fail.
 * - plan-max: passed at the plan's highest rate.
 * - open: the search ran out of steps before any rate above the capacity failed.
 * - noisy: the failure above it ran while other processes took more than NOISE_CORES of the
 *   machine and the service was not using its CPU, so it may be theirs, not the service's.
 */
export type CapacityBound = 'service' | 'generator' | 'plan-max' | 'open' | 'noisy';

/**
 * A failing step that says little about the service: it ran beside busy processes (NOISY) while
 * the service used under 90% of its CPU quota. A noisy step where the service was at its quota
 * failed on the service's own limit.
 */
export function failureInDoubt(step: { noisy: boolean; serviceCpuCores: number | null } | null, quota: number): boolean {
  return step?.noisy === true && (step.serviceCpuCores === null || step.serviceCpuCores < SPARE_CPU * quota);
}

/**
 * The bound from the search's end (search.ts), whether a failure above the capacity was measured,
 * and whether that failure is in doubt (`failureInDoubt`).
 */
export function capacityBound(end: string | null, firstFailure: number | null, firstFailureInDoubt = false): CapacityBound {
  if (end === 'generator-limited') return 'generator';
  if (end === 'capped') return 'plan-max';
  if (firstFailure !== null && firstFailureInDoubt) return 'noisy';
  if (end === 'bracketed' || end === 'below-minimum' || firstFailure !== null) return 'service';
  return 'open';
}

/**
 * The ceiling of the /hello measurement itself in this run, read from the bare uWS peer
 * (peers/uws-bare): the same generator, objective and limits against the barest server on this
 * stack, the control of the experiment. Its first failing (or generator-limited) rate is the
 * measurement's limit, not a server's, when that server still had CPU to spare there (under 90% of
 * its quota): the generator ran out, or its own tail (its timers, its thread descheduled on a shared
 * machine) crossed the objective. `make bench-generators` measured oha's p99 over 10 ms at 10,000
 * req/s against bare uWS on an idle core while h2load, timing from the send, saw under 1 ms: the
 * tail is the generator's. Null when the bare server failed at its own CPU limit (uWS's real
 * ceiling: a service near it is service-bound) or never failed.
 */
export interface HelloCeiling {
  /** The highest rate the bare server passed. */
  passed: number;
  /** The lowest rate it failed at, or where the generator flagged itself. */
  failedAt: number;
  /** The bare server's CPU at that rate, in cores (null when not sampled). */
  cpuCores: number | null;
}

interface HelloSteps {
  capacity: number | null;
  steps: readonly { rate: number | null; pass: boolean; generatorLimited: boolean; serviceCpuCores: number | null }[];
}

export function helloCeiling(bare: HelloSteps, quota: number): HelloCeiling | null {
  // A failure at or below the capacity was repeated and passed (worthRepeating): not a stop.
  const stops = bare.steps.filter((s) => s.rate !== null && (!s.pass || s.generatorLimited) && s.rate > (bare.capacity ?? 0)).sort((a, b) => a.rate! - b.rate!);
  const first = stops[0];
  if (!first) return null;
  const roomLeft = first.generatorLimited || (first.serviceCpuCores !== null && first.serviceCpuCores < SPARE_CPU * quota);
  return roomLeft ? { passed: bare.capacity ?? 0, failedAt: first.rate!, cpuCores: first.serviceCpuCores } : null;
}

/**
 * Whether a /hello capacity is the measurement's, not the service's: its first failure came at a
 * rate the generator never passed against the bare server in this run (5% slack for the rates of
 * the two searches' ladders), while the bare server had CPU to spare where it failed.
 */
export function generatorBoundHello(target: { capacity: number | null; firstFailure: number | null; bound: CapacityBound }, ceiling: HelloCeiling | null): boolean {
  if (ceiling === null || target.capacity === null || target.firstFailure === null) return false;
  if (target.bound !== 'service' && target.bound !== 'noisy') return false;
  return target.firstFailure > 1.05 * ceiling.passed;
}
