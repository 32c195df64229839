import type { StepRecord } from './manifest.js';
import type { StepSummary } from '../../lab/generators/summary.js';

/** How busy the machine was during a step, from /proc/stat and the measured processes. */
export interface MachineLoad {
  /** Busy share of the generators' core (0-1), whoever used it; null when not pinned. */
  generatorCoreBusy: number | null;
  /** Busy cores over the whole machine. */
  busyCores: number;
  /** statsd_exporter + Prometheus, in cores (null when not measured). */
  monitoringCores: number | null;
  /** Cores used by neither the service, the generators nor monitoring: other processes, the kernel, this tool. */
  otherCores: number | null;
}

/** The service's CPU cores over a measured step (user+system seconds / wall); null when its counters were not read. */
export function serviceCores(step: Pick<StepRecord, 'serviceCpuSec' | 'startMs' | 'endMs'>): number | null {
  const { before, after } = step.serviceCpuSec;
  const wall = (step.endMs - step.startMs) / 1000;
  return before !== null && after !== null && wall > 0 ? (after - before) / wall : null;
}

export function machineLoad(step: StepRecord, generatorCore: string | null): MachineLoad | null {
  const { before, after } = step.coreTimes ?? { before: [], after: [] };
  if (before.length === 0 || after.length !== before.length) return null;
  const share = (i: number) => {
    const dt = after[i]!.total - before[i]!.total;
    return dt > 0 ? (after[i]!.busy - before[i]!.busy) / dt : 0;
  };
  const busyCores = before.reduce((a, _, i) => a + share(i), 0);
  const wall = (step.endMs - step.startMs) / 1000;
  const service = serviceCores(step);
  const generators = step.generators.reduce((a, g) => a + (wall > 0 ? g.cpuSec / wall : 0), 0);
  const monitoring = step.monitoringCpuSec !== undefined && wall > 0 ? step.monitoringCpuSec / wall : null;
  const g = generatorCore === null ? null : Number(generatorCore);
  return {
    generatorCoreBusy: g !== null && g < before.length ? share(g) : null,
    busyCores,
    monitoringCores: monitoring,
    otherCores: service === null ? null : Math.max(0, busyCores - service - generators - (monitoring ?? 0)),
  };
}

/** A step is noisy when other processes used more than this many cores meanwhile. */
export const NOISE_CORES = 0.25;

/** /hello passes: every answer 2xx and p99 under the SLO. */
export function helloPasses(s: StepSummary, sloP99Ms: number): boolean {
  return s.requests > 0 && s.success === 1 && s.latencyMs.p99 < sloP99Ms;
}

/** Heavy passes the seed's thresholds: p95 < 3 s, p99 < 6 s, no error, no wrong answer. */
export function heavyPasses(s: StepSummary, wrongAnswers: number, slo: { sloP95Ms: number; sloP99Ms: number }): boolean {
  return s.requests > 0 && s.success === 1 && wrongAnswers === 0 && s.latencyMs.p95 < slo.sloP95Ms && s.latencyMs.p99 < slo.sloP99Ms;
}

/** Why a step failed, in words, for the search log and the report. */
export function failureReasons(s: Pick<StepSummary, 'requests' | 'success' | 'statusCodes' | 'latencyMs'>, slo: { p95?: number; p99: number }, wrongAnswers = 0): string[] {
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

/** Under this share of its CPU quota a service had CPU to spare: what failed it was not its CPU. */
export const SPARE_CPU = 0.9;

/**
 * Whether a /hello step's failure is measured once more at the same rate before the search takes
 * it: it failed on its own (not the generator's) while the service had CPU to spare. Such a
 * failure is a tail crossing the objective, and one stall of a few ms on this shared machine (a
 * neighbour, a GC pause) is enough for that; a failure of the service's own repeats. The rate
 * passes when the repeat does; both steps stay in the report. A service at its quota failed on
 * its CPU: that is not measured again.
 */
export function worthRepeating(step: { pass: boolean; generatorLimited: boolean; serviceCpuCores: number | null }, quota: number): boolean {
  return !step.pass && !step.generatorLimited && step.serviceCpuCores !== null && step.serviceCpuCores < SPARE_CPU * quota;
}
