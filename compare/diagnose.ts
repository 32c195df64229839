/** What ran out first at a failing step: the report's "breaks first" column and its explanation. */
import type { Alone, Diagnosis, StepResult } from './schema.js';
import { fmtMs, NOISE_CORES } from './verdict.js';

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** Everything `diagnose` looks at. */
export interface DiagnoseInput {
  /** The first failing step above the capacity, or null when none failed. */
  fail: StepResult | null;
  /** Every measured step of the search (for the generator flag). */
  steps: readonly StepResult[];
  /** How the search ended (search.ts SearchEnd), or null when unknown. */
  end: string | null;
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
export function diagnose({ fail, steps, end, quota, memoryBytes, queueMax = null, deadlineMs = null, mode = null, alone = null }: DiagnoseInput): Diagnosis {
  const gen = steps.find((s) => s.generatorLimited);
  if (gen && (!fail || end === 'generator-limited')) {
    const core = gen?.generatorCoreBusy != null ? `, its core ${pct(gen.generatorCoreBusy)} busy${gen.otherCores != null && gen.otherCores > NOISE_CORES ? ` (other processes used ${gen.otherCores.toFixed(2)} cores)` : ''}` : '';
    return { bottleneck: 'generator', detail: `the load generator, not the service: ${gen ? `at ${gen.rate}/s the generator used ${pct(gen.generatorCpuShare)} of a core${core} and sent ${gen.sentRate.toFixed(0)}/s` : 'flagged'}; the capacity is at least the last passing rate` };
  }
  if (!fail) {
    if (end === 'capped') return { bottleneck: 'none', detail: 'nothing broke up to the search cap' };
    return { bottleneck: 'unknown', detail: 'no failing step was measured (the search ran out of steps while passing)' };
  }
  const cpu = fail.serviceCpuCores ?? fail.prometheus['cpuCores'] ?? null;
  const rss = Math.max(fail.serviceRssMaxBytes ?? 0, fail.prometheus['rssMaxBytes'] ?? 0);
  const facts: string[] = [];
  if (cpu !== null) facts.push(`service CPU ${cpu.toFixed(2)} of ${quota} CPU`);
  if (fail.throttling && fail.throttling.periods > 0) facts.push(`throttled in ${pct(fail.throttling.share)} of 100 ms periods (${fail.throttling.throttledMs.toFixed(0)} ms in all)`);
  if (rss > 0) facts.push(`RSS peak ${(rss / 2 ** 20).toFixed(0)} MiB${memoryBytes ? ` of ${(memoryBytes / 2 ** 20).toFixed(0)}` : ''}`);
  const loop = fail.prometheus['eventLoopMaxSec'];
  if (loop !== null && loop !== undefined) facts.push(`event loop late by up to ${fmtMs(loop * 1000)}`);
  if (fail.listenDrops !== null && fail.listenDrops > 0) facts.push(`${fail.listenDrops} SYNs dropped by a full listen queue (clients retry after 1 s)`);
  const hv = fail.heavy;
  const stage = (x: number | null | undefined) => (x === null || x === undefined ? '?' : `${x.toFixed(2)} s`);
  if (hv) facts.push(`per answered request (median): compute ${stage(hv.medianCpuSec)}${alone?.cpuSec ? ` (alone ${stage(alone.cpuSec)})` : ''}, queue ${stage(hv.medianQueueSec)}, I/O ${stage(hv.medianIoSec)}${alone?.ioSec !== null && alone?.ioSec !== undefined ? ` (alone ${stage(alone.ioSec)})` : ''}`);
  if (fail.noisy) facts.push(`NOISY: other processes used ${fail.otherCores!.toFixed(2)} cores meanwhile`);
  const problems = hv?.problems ?? {};
  const overloaded = problems['OVERLOADED'] ?? 0;
  const deadline = problems['DEADLINE_EXCEEDED'] ?? 0;
  const symptoms: string[] = [];
  if (overloaded > 0) symptoms.push(`${overloaded} of ${fail.requests} shed with 503 OVERLOADED (queue of ${queueMax ?? '?'} full)`);
  if (deadline > 0) symptoms.push(`${deadline} answered 503 DEADLINE_EXCEEDED (waited past ${deadlineMs ?? '?'} ms)`);
  const other = fail.errors - overloaded - deadline;
  if (other > 0) symptoms.push(`${other} other error(s) (${Object.entries(fail.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}x${c === '0' ? 'transport' : c}`).join(', ')})`);
  if (fail.errors === 0) symptoms.push(`latency over the objective: ${fail.reasons.join('; ')}`);
  const at = `at ${fail.rate! >= 10 ? fail.rate!.toFixed(0) : fail.rate!.toFixed(2)} req/s`;
  // I/O completions run on the event loop: inline compute holds it, so finished file I/O waits.
  const ioStalled = mode === 'inline' && hv?.medianIoSec != null && hv.medianIoSec > Math.max(0.05, 5 * (alone?.ioSec ?? 0));
  let bottleneck: Diagnosis['bottleneck'];
  let head: string;
  if (memoryBytes && rss > 0.9 * memoryBytes) {
    bottleneck = 'memory';
    head = 'memory: RSS reached the limit';
  } else if (fail.noisy && cpu !== null && cpu < 0.5 * quota && !ioStalled && overloaded + deadline === 0) {
    bottleneck = 'noise';
    head = `not the service (it used ${cpu.toFixed(2)} of its ${quota} CPU): other processes on this machine took ${fail.otherCores!.toFixed(2)} cores, delaying the generator and the service alike`;
  } else if (cpu !== null && cpu >= 0.85 * quota) {
    bottleneck = 'cpu';
    head = `CPU: the ${quota}-CPU quota is used up${ioStalled ? ', and inline compute holds the event loop so finished I/O waits behind the next job' : ''}`;
  } else if (ioStalled) {
    bottleneck = 'latency';
    head = 'the event loop: inline compute holds it, so each finished file I/O waits behind the next job and answers queue up';
  } else if (overloaded + deadline > 0) {
    bottleneck = 'admission';
    head = 'admission control sheds before the CPU is full';
  } else if (fail.listenDrops !== null && fail.listenDrops > 0) {
    bottleneck = 'latency';
    head = 'connection setup: the listen queue overflowed and dropped SYNs';
  } else {
    bottleneck = 'latency';
    head = cpu === null ? 'latency (CPU not sampled)' : `tail latency while the service's CPU still has room: event-loop stalls, throttling periods, or pauses of the load generator itself (it used ${pct(fail.generatorCpuShare)} of its core)`;
  }
  return { bottleneck, detail: `${head} ${at}: ${facts.join(', ')}; then ${symptoms.join('; ')}` };
}

