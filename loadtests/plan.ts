/**
 * A stage plan cut into constant slices, and the vegeta attack of each. vegeta holds one rate or
 * one worker count per process, so a ramp is a row of short slices at the VUs of each slice's
 * middle; each slice is one `vegeta attack` whose raw results are kept.
 */
import type { LoadOptions, Stage } from './config.js';

export interface Slice {
  /** 0-based, in time order. */
  readonly index: number;
  /** The stage it belongs to (0-based). */
  readonly stage: number;
  /** Seconds from the start of the run. */
  readonly startSec: number;
  readonly durationSec: number;
  readonly vus: number;
}

/**
 * Cuts each stage into slices no longer than `sliceSec` (a stage holding one VU count is one
 * slice), each at the VUs the linear ramp has at the slice's middle, rounded. Slices at 0 VUs send
 * nothing and are left out; the timeline of the others is unchanged.
 */
export function slicePlan(startVus: number, stages: readonly Stage[], sliceSec: number): Slice[] {
  if (!(sliceSec > 0)) throw new RangeError(`sliceSec must be > 0 (got ${sliceSec})`);
  const out: Slice[] = [];
  let from = startVus;
  let t = 0;
  stages.forEach((stage, s) => {
    const n = from === stage.target ? 1 : Math.max(1, Math.ceil(stage.durationSec / sliceSec - 1e-9));
    const d = stage.durationSec / n;
    for (let i = 0; i < n; i++) {
      const vus = Math.round(from + ((stage.target - from) * (i + 0.5)) / n);
      if (vus > 0) out.push({ index: out.length, stage: s, startSec: t + i * d, durationSec: d, vus });
    }
    t += stage.durationSec;
    from = stage.target;
  });
  return out;
}

/** Seconds from the first slice's start to the last one's end. */
export function planDurationSec(slices: readonly Slice[]): number {
  const last = slices.at(-1);
  return last ? last.startSec + last.durationSec : 0;
}

/** Open-model attacks stop adding workers (one connection each) here; the summary shows a rate not kept. */
export const OPEN_MAX_WORKERS = 1000;

/**
 * The vegeta attack of one slice.
 * - closed, THINK=0: `-rate=0 -max-workers=N`: N workers, each sending its next request when its
 *   answer arrives (the seed's VUs without a pause).
 * - closed, THINK=T: at most N in flight (`-max-workers=N`) and at most N per T seconds
 *   (`-rate=N/T`): N VUs that each wait T after an answer, as the seed's k6 VUs sleep; when answers
 *   take longer than T, the workers are all busy and the load is the plain closed loop.
 * - open: N/T requests per second arrive on schedule whatever the latency (workers grow as needed,
 *   up to OPEN_MAX_WORKERS), so a slow service shows as latency, not as fewer requests.
 */
export function attackArgs(o: Pick<LoadOptions, 'model' | 'thinkSec' | 'timeoutSec'>, slice: Slice, targetsFile: string, outputFile: string): string[] {
  const ms = (sec: number) => `${Math.max(1, Math.round(sec * 1000))}ms`;
  const pace =
    o.model === 'open'
      ? [`-rate=${slice.vus}/${ms(o.thinkSec)}`, `-workers=${Math.min(slice.vus, OPEN_MAX_WORKERS)}`, `-max-workers=${OPEN_MAX_WORKERS}`]
      : o.thinkSec === 0
        ? ['-rate=0', `-workers=${slice.vus}`, `-max-workers=${slice.vus}`]
        : [`-rate=${slice.vus}/${ms(o.thinkSec)}`, `-workers=${slice.vus}`, `-max-workers=${slice.vus}`];
  return [
    'attack',
    `-targets=${targetsFile}`,
    ...pace,
    `-duration=${ms(slice.durationSec)}`,
    `-timeout=${ms(o.timeoutSec)}`,
    // HTTP/1.1 keep-alive like the seed's clients; bodies kept: every 200 is checked.
    '-http2=false',
    `-output=${outputFile}`,
  ];
}

/** Requests per second the plan offers when answers are instant (for the summary; closed THINK=0 has no such bound). */
export function offeredRate(o: Pick<LoadOptions, 'model' | 'thinkSec'>, vus: number): number | null {
  return o.thinkSec === 0 ? null : vus / o.thinkSec;
}
