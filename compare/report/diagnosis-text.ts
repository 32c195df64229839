/** The words of a diagnosis (analyse/diagnose.ts classifies it and keeps the evidence). */
import type { Diagnosis, Evidence } from '../analyse/schema.js';
import { failureReasons, fmtMs, NOISE_CORES } from '../measure/verdict.js';

/** Why an unavailable engine is, when the service did not report it at all. */
export const UNREPORTED = 'not reported by the service';

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The "breaks first" sentence of a diagnosis. */
export function diagnosisText(d: Diagnosis): string {
  return evidenceText(d.bottleneck, d.evidence);
}

function evidenceText(bottleneck: Diagnosis['bottleneck'], e: Evidence): string {
  switch (e.kind) {
    case 'unavailable':
      return `ENGINE UNAVAILABLE: ${e.reason ?? UNREPORTED}`;
    case 'not-measured':
      return 'not measured (run stopped before it)';
    case 'capped':
      return 'nothing broke up to the search cap';
    case 'open':
      return 'no failing step was measured (the search ran out of steps while passing)';
    case 'generator': {
      const gen = e.step;
      const core =
        gen.generatorCoreBusy != null
          ? `, its core ${pct(gen.generatorCoreBusy)} busy${gen.otherCores != null && gen.otherCores > NOISE_CORES ? ` (other processes used ${gen.otherCores.toFixed(2)} cores)` : ''}`
          : '';
      return `the load generator, not the service: at ${gen.rate}/s the generator used ${pct(gen.generatorCpuShare)} of a core${core} and sent ${gen.sentRate.toFixed(0)}/s; the capacity is at least the last passing rate`;
    }
    case 'hello-ceiling':
      return `the measurement, not the service: it failed at ${e.firstFailure}/s here, and in this run the same generator never passed more than ${e.ceiling.passed}/s against the bare uWS server either, which failed at ${e.ceiling.failedAt}/s using only ${e.ceiling.cpuCores === null ? '?' : e.ceiling.cpuCores.toFixed(2)} of its CPU (the generator ran out, or its own tail crossed the objective); the capacity is at least the last passing rate (the step's own evidence: ${diagnosisText(e.inner)})`;
    case 'failure':
      return failureText(bottleneck, e);
  }
}

function failureText(bottleneck: Diagnosis['bottleneck'], e: Extract<Evidence, { kind: 'failure' }>): string {
  const { fail, slo, quota, memoryBytes, queueMax, deadlineMs, alone, cpu, rss, overloaded, deadline, ioStalled } = e;
  const facts: string[] = [];
  if (cpu !== null) facts.push(`service CPU ${cpu.toFixed(2)} of ${quota} CPU`);
  if (fail.throttling && fail.throttling.periods > 0)
    facts.push(`throttled in ${pct(fail.throttling.share)} of 100 ms periods (${fail.throttling.throttledMs.toFixed(0)} ms in all)`);
  if (rss > 0) facts.push(`RSS peak ${(rss / 2 ** 20).toFixed(0)} MiB${memoryBytes ? ` of ${(memoryBytes / 2 ** 20).toFixed(0)}` : ''}`);
  const loop = fail.prometheus['eventLoopMaxSec'];
  if (loop !== null && loop !== undefined) facts.push(`event loop late by up to ${fmtMs(loop * 1000)}`);
  if (fail.listenDrops !== null && fail.listenDrops > 0) facts.push(`${fail.listenDrops} SYNs dropped by a full listen queue (clients retry after 1 s)`);
  const hv = fail.heavy;
  const stage = (x: number | null | undefined) => (x === null || x === undefined ? '?' : `${x.toFixed(2)} s`);
  if (hv)
    facts.push(
      `per answered request (median): compute ${stage(hv.medianCpuSec)}${alone?.cpuSec ? ` (alone ${stage(alone.cpuSec)})` : ''}, queue ${stage(hv.medianQueueSec)}, I/O ${stage(hv.medianIoSec)}${alone?.ioSec !== null && alone?.ioSec !== undefined ? ` (alone ${stage(alone.ioSec)})` : ''}`,
    );
  if (fail.noisy) facts.push(`NOISY: other processes used ${fail.otherCores!.toFixed(2)} cores meanwhile`);
  const symptoms: string[] = [];
  if (overloaded > 0) symptoms.push(`${overloaded} of ${fail.requests} shed with 503 OVERLOADED (queue of ${queueMax ?? '?'} full)`);
  if (deadline > 0) symptoms.push(`${deadline} answered 503 DEADLINE_EXCEEDED (waited past ${deadlineMs ?? '?'} ms)`);
  const other = fail.errors - overloaded - deadline;
  if (other > 0)
    symptoms.push(
      `${other} other error(s) (${Object.entries(fail.statusCodes)
        .filter(([c]) => !c.startsWith('2'))
        .map(([c, n]) => `${n}x${c === '0' ? 'transport' : c}`)
        .join(', ')})`,
    );
  if (fail.errors === 0) symptoms.push(`latency over the objective: ${failureReasons(fail, slo, fail.heavy?.wrongAnswers ?? 0).join('; ')}`);
  const at = `at ${fail.rate! >= 10 ? fail.rate!.toFixed(0) : fail.rate!.toFixed(2)} req/s`;
  let head: string;
  if (bottleneck === 'memory') head = 'memory: RSS reached the limit';
  else if (bottleneck === 'noise')
    head = `not the service (it used ${cpu!.toFixed(2)} of its ${quota} CPU): other processes on this machine took ${fail.otherCores!.toFixed(2)} cores, delaying the generator and the service alike`;
  else if (bottleneck === 'cpu')
    head = `CPU: the ${quota}-CPU quota is used up${ioStalled ? ', and inline compute holds the event loop so finished I/O waits behind the next job' : ''}`;
  else if (bottleneck === 'latency' && ioStalled) head = 'the event loop: inline compute holds it, so each finished file I/O waits behind the next job and answers queue up';
  else if (bottleneck === 'admission') head = 'admission control sheds before the CPU is full';
  else if (fail.listenDrops !== null && fail.listenDrops > 0) head = 'connection setup: the listen queue overflowed and dropped SYNs';
  else
    head =
      cpu === null
        ? 'latency (CPU not sampled)'
        : `tail latency while the service's CPU still has room: event-loop stalls, throttling periods, or pauses of the load generator itself (it used ${pct(fail.generatorCpuShare)} of its core)`;
  return `${head} ${at}: ${facts.join(', ')}; then ${symptoms.join('; ')}`;
}
