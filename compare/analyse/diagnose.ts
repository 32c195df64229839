/**
 * What ran out first at a failing step: the report's "breaks first" column. This file classifies
 * from the numbers and keeps the evidence; report/diagnosis-text.ts says it in words.
 */
import type { Alone, Diagnosis, StepResult } from './schema.js';

/** Everything `diagnose` looks at. */
export interface DiagnoseInput {
  /** The first failing step above the capacity, or null when none failed. */
  fail: StepResult | null;
  /** Every measured step of the search (for the generator flag). */
  steps: readonly StepResult[];
  /** How the search ended (search.ts SearchEnd), or null when unknown. */
  end: string | null;
  /** The objective the steps were judged by (for the words of a latency failure). */
  slo: { p95?: number; p99: number };
  /** The service's CPU quota, in CPUs. */
  quota: number;
  memoryBytes: number | null;
  queueMax?: number | null;
  deadlineMs?: number | null;
  mode?: string | null;
  /** Service time alone (warm-up medians), to compare a loaded step with. */
  alone?: Alone | null;
}

/** What ran out first, from the first failing step (and the generator flag of any step). */
export function diagnose({ fail, steps, end, slo, quota, memoryBytes, queueMax = null, deadlineMs = null, mode = null, alone = null }: DiagnoseInput): Diagnosis {
  const gen = steps.find((s) => s.generatorLimited);
  if (gen && (!fail || end === 'generator-limited')) return { bottleneck: 'generator', evidence: { kind: 'generator', step: gen } };
  if (!fail) {
    if (end === 'capped') return { bottleneck: 'none', evidence: { kind: 'capped' } };
    return { bottleneck: 'unknown', evidence: { kind: 'open' } };
  }
  const cpu = fail.serviceCpuCores ?? fail.prometheus['cpuCores'] ?? null;
  const rss = Math.max(fail.serviceRssMaxBytes ?? 0, fail.prometheus['rssMaxBytes'] ?? 0);
  const problems = fail.heavy?.problems ?? {};
  const overloaded = problems['OVERLOADED'] ?? 0;
  const deadline = problems['DEADLINE_EXCEEDED'] ?? 0;
  // I/O completions run on the event loop: inline compute holds it, so finished file I/O waits.
  const ioStalled = mode === 'inline' && fail.heavy?.medianIoSec != null && fail.heavy.medianIoSec > Math.max(0.05, 5 * (alone?.ioSec ?? 0));
  let bottleneck: Diagnosis['bottleneck'];
  if (memoryBytes && rss > 0.9 * memoryBytes) bottleneck = 'memory';
  else if (fail.noisy && cpu !== null && cpu < 0.5 * quota && !ioStalled && overloaded + deadline === 0) bottleneck = 'noise';
  else if (cpu !== null && cpu >= 0.85 * quota) bottleneck = 'cpu';
  else if (ioStalled) bottleneck = 'latency';
  else if (overloaded + deadline > 0) bottleneck = 'admission';
  else bottleneck = 'latency';
  return { bottleneck, evidence: { kind: 'failure', fail, slo, quota, memoryBytes, queueMax, deadlineMs, alone, cpu, rss, overloaded, deadline, ioStalled } };
}
