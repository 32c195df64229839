/**
 * pacer (pacer/, this project's own Rust, MIT): the /hello generator of the capacity search.
 * `make bench-generators` measures each generator's ceiling on one core against a bare uWS server:
 * oha keeps pace to ~40,000 req/s and its own tail crosses 10 ms far below that; h2load sends 60,000
 * but times from the send, and its log cannot be corrected for the requests it held back. wrk2,
 * which does both, is in no registry this lab can build from. pacer is wrk2's model in ~400 lines
 * of Rust on mio: each connection on its own constant-rate schedule, one request in flight, every
 * latency from its request's due time, so a stall shows as the latency every request behind it saw
 * (no coordinated omission); requests due but never sent count as failures.
 */
import { readFileSync } from 'node:fs';
import { toolPath, type StepSummary } from './summary.js';

/** PACER, else the workspace's release build (`make pacer`). */
export function pacerPath(): string {
  return toolPath('PACER', 'pacer', 'target/release/pacer');
}

/**
 * Connections: the schedule is split evenly over them (connection k sends at t0 + (k + j x 32) /
 * rate). Enough that one slow answer holds back few requests and a multi-threaded peer sees
 * concurrency (Django has 8 threads), few enough that one thread serves them cheaply.
 */
export const PACER_CONNECTIONS = 32;

/** The argv of one constant-rate /hello step. */
export function pacerArgs(pacer: string, url: string, ratePerSec: number, durationSec: number, timeoutSec: number): string[] {
  return [pacer, '--rate', String(ratePerSec), '--duration', String(durationSec), '--connections', String(PACER_CONNECTIONS), '--timeout', String(timeoutSec), url];
}

/** pacer's JSON output (pacer/src/main.rs, `report`). */
interface PacerJson {
  rate: number;
  duration_sec: number;
  wall_sec: number;
  planned: number;
  sent: number;
  answered: number;
  unsent: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  latency_us: { min: number; mean: number; p50: number; p90: number; p95: number; p99: number; p999: number; max: number };
}

/**
 * pacer's output of one step as a step summary: every planned request (answered,
 * failed, or never sent), the rate they went out at, success share, latency in ms from each
 * request's due time, status codes ('0' for no answer: timeouts, closed or refused connections,
 * never sent), and the kinds of error.
 */
export function parsePacer(text: string): StepSummary {
  let j: PacerJson;
  try {
    j = JSON.parse(text) as PacerJson;
  } catch {
    throw new Error(`not pacer output: ${text.slice(0, 200)}`);
  }
  if (typeof j.planned !== 'number' || typeof j.latency_us !== 'object') throw new Error(`not pacer output: ${text.slice(0, 200)}`);
  const ok = Object.entries(j.status)
    .filter(([c]) => c.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const noAnswer = Math.max(0, j.planned - j.answered);
  const ms = (us: number) => us / 1000;
  const l = j.latency_us;
  return {
    requests: j.planned,
    sentRate: j.duration_sec > 0 ? j.sent / j.duration_sec : 0,
    throughput: j.wall_sec > 0 ? ok / j.wall_sec : 0,
    success: j.planned > 0 ? ok / j.planned : 0,
    durationSec: j.wall_sec,
    latencyMs: { min: ms(l.min), mean: ms(l.mean), p50: ms(l.p50), p90: ms(l.p90), p95: ms(l.p95), p99: ms(l.p99), max: ms(l.max) },
    statusCodes: { ...j.status, ...(noAnswer > 0 ? { '0': noAnswer } : {}) },
    errors: Object.entries(j.errors)
      .map(([k, n]) => `${n} ${k}`)
      .slice(0, 5),
  };
}

/** Summarises one kept pacer output file. */
export function summarizePacer(file: string): StepSummary {
  return parsePacer(readFileSync(file, 'utf8'));
}
